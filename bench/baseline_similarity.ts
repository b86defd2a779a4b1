/**
 * BASELINE for `npm run bench:review` only: the duplicate check as it was before term indexes
 * (character bigrams, TF-IDF over the whole corpus recomputed at every submission). The app
 * uses app/project_review/domain/similarity.ts.
 *
 * 重复建设审查: how much a new proposal resembles earlier or running projects. Chinese has no
 * spaces, so CJK text is cut into overlapping character bigrams (公安 安局 局视 …) and ASCII into
 * words/numbers; TF-IDF over the corpus plus the candidate weights rare, specific terms (视频,
 * 摄像, 雨量) over words every proposal uses; cosine similarity of the weight vectors is the score.
 */

/** The parts of a proposal that describe what would be built. */
export interface ProposalText {
  id: number | string
  title: string
  content: string
  lineItemNames?: readonly string[]
}

export interface SimilarityMatch {
  id: number | string
  /** Cosine similarity in [0, 1], rounded to 4 decimals. */
  score: number
  flagged: boolean
  /** Terms contributing most to the score, strongest first: what the reviewer should compare. */
  sharedTerms: string[]
}

export interface SimilarityResult {
  matches: SimilarityMatch[]
  /** 疑似重复建设: the best match reaches the threshold. */
  flagged: boolean
}

export interface SimilarityOptions {
  topK?: number
  threshold?: number
  sharedTermCount?: number
}

/**
 * Default 疑似重复建设 threshold. On the realistic proposals of the tests a reworded copy scores
 * ≈0.6, another unit re-building cameras the police platform already covers ≈0.32, and genuinely
 * different projects written in the same bureau style ≤0.13; 0.3 flags the first two only.
 */
const DEFAULT_SIMILARITY_THRESHOLD = 0.3

/**
 * Words every proposal of a government IT office uses. IDF alone cannot silence them while the
 * corpus is small, so they are cut out of the text before bigrams are formed: otherwise their
 * junctions (信息化管理服务平台 → 化管, 理服, 务平) would be shared by every proposal too.
 */
const STOP_WORDS: readonly string[] = [
  '信息化',
  '一体化',
  '进一步',
  '建设',
  '系统',
  '平台',
  '项目',
  '信息',
  '政务',
  '服务',
  '管理',
  '数据',
  '县',
  '全县',
  '本县',
  '我县',
  '县级',
  '县域',
  '单位',
  '部门',
  '工作',
  '实现',
  '提升',
  '提高',
  '推进',
  '加强',
  '完善',
  '能力',
  '水平',
  '需求',
  '功能',
  '相关',
  '智慧',
  '综合',
  '应用',
  '支撑',
  '保障',
  '运行',
  '升级',
  '改造',
  '采购',
  '现有',
  '以及',
  '进行',
  '包括',
  '主要',
  '内容',
  '通过',
  '满足',
  '有效',
  '开展',
]

const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/gu
const ASCII_TOKEN = /[a-z0-9]+(?:\.[0-9]+)?/g
const STOP_WORD = new RegExp([...STOP_WORDS].sort((a, b) => b.length - a.length).join('|'), 'gu')

/**
 * Terms of a text: bigrams of every CJK run once stop words are cut out (a lone character left
 * over says nothing and is dropped) and lowercase ASCII words/numbers ("4k", "ipv6", "200");
 * full-width forms are folded first.
 */
export function tokenize(text: string): string[] {
  const normalized = text.normalize('NFKC').toLowerCase()
  const terms: string[] = []
  for (const [run] of normalized.matchAll(CJK_RUN)) {
    for (const segment of run.split(STOP_WORD)) {
      const chars = [...segment]
      for (let i = 0; i + 1 < chars.length; i++) terms.push(chars[i] + chars[i + 1])
    }
  }
  for (const [word] of normalized.matchAll(ASCII_TOKEN)) terms.push(word)
  return terms
}

/**
 * Ranks earlier projects by similarity to a candidate; a corpus entry with the candidate's own id
 * (a resubmission) is skipped. Matches with no shared term are left out.
 */
export function rankSimilar(
  candidate: ProposalText,
  corpus: readonly ProposalText[],
  {
    topK = 5,
    threshold = DEFAULT_SIMILARITY_THRESHOLD,
    sharedTermCount = 8,
  }: SimilarityOptions = {}
): SimilarityResult {
  const others = corpus.filter((project) => project.id !== candidate.id)
  const counts = [candidate, ...others].map((project) => termCounts(project))
  const documentFrequency = new Map<string, number>()
  for (const termsOfDocument of counts) {
    for (const term of termsOfDocument.keys()) {
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1)
    }
  }
  const documentCount = counts.length
  const vectors = counts.map((termsOfDocument) => {
    const vector = new Map<string, number>()
    for (const [term, count] of termsOfDocument) {
      // ln(1 + N/df): a term in every document keeps ln 2, so a duplicate is still seen when the
      // corpus holds a single earlier project; rare terms weigh up to ln(1 + N).
      const idf = Math.log(1 + documentCount / documentFrequency.get(term)!)
      vector.set(term, (1 + Math.log(count)) * idf)
    }
    return { vector, norm: Math.hypot(...vector.values()) }
  })

  const [target, ...rest] = vectors
  const matches = rest
    .map(({ vector, norm }, index) => {
      const contributions: [string, number][] = []
      for (const [term, weight] of target.vector) {
        const other = vector.get(term)
        if (other !== undefined) contributions.push([term, weight * other])
      }
      const dot = contributions.reduce((sum, [, value]) => sum + value, 0)
      const score =
        dot === 0 ? 0 : Math.round(Math.min(1, dot / (target.norm * norm)) * 10_000) / 10_000
      contributions.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      return {
        id: others[index].id,
        score,
        flagged: score >= threshold,
        sharedTerms: contributions.slice(0, sharedTermCount).map(([term]) => term),
      }
    })
    .filter((match) => match.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, topK)
  return { matches, flagged: matches.some((match) => match.flagged) }
}

function termCounts(project: ProposalText): Map<string, number> {
  const counts = new Map<string, number>()
  const fields = [project.title, project.content, ...(project.lineItemNames ?? [])]
  for (const field of fields) {
    for (const term of tokenize(field)) counts.set(term, (counts.get(term) ?? 0) + 1)
  }
  return counts
}
