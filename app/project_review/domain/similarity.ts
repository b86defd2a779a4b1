import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'

/**
 * 重复建设审查: how much a new proposal resembles earlier or running projects. Texts are cut into
 * words by jieba (视频 / 监控 / 摄像机 / 农贸市场), bureau boilerplate and unit names are left out,
 * and TF-IDF weights rare, specific words (人脸, 雨量站, 学籍) over words every proposal uses;
 * the cosine similarity of the weight vectors is the score. The shared words, strongest first,
 * tell the reviewer why two projects were matched.
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
  /** Words contributing most to the score, strongest first: what the reviewer should compare. */
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

/** Term → number of occurrences in one project. */
export type TermCounts = Map<string, number>

/** A project's stored term counts (what the term index keeps per project). */
export interface IndexedDocument {
  id: number | string
  terms: ReadonlyMap<string, number>
}

/** Corpus statistics the weights need: projects indexed and, per term, how many contain it. */
export interface CorpusStats {
  documentCount: number
  documentFrequency: ReadonlyMap<string, number>
}

/**
 * Default 疑似重复建设 threshold. On the realistic proposals of the tests a reworded copy scores
 * ≈0.6, another unit re-building cameras the police platform already covers ≈0.35, and genuinely
 * different projects written in the same bureau style ≤0.1; 0.3 flags the first two only.
 */
export const DEFAULT_SIMILARITY_THRESHOLD = 0.3

/** Longest term kept (characters); the index column holds 64. */
export const MAX_TERM_LENGTH = 32

/**
 * Words every proposal of a government IT office uses: they say nothing about what would be
 * built, so they are not terms (IDF alone cannot silence them while the corpus is small).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  '信息化',
  '一体化',
  '数字化',
  '智能化',
  '进一步',
  '建设',
  '新建',
  '系统',
  '平台',
  '项目',
  '工程',
  '信息',
  '政务',
  '服务',
  '管理',
  '数据',
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
  '基础',
  '要求',
  '问题',
  '使用',
  '提供',
  '实施',
  '部署',
  '配备',
  '整合',
  '接入',
  '对接',
  '支持',
  '用于',
  '确保',
  '拟在',
  '针对',
  '各类',
  '一个',
  '二期',
  '一期',
  '三期',
  '软件开发',
  '开发',
  '软件',
  '方面',
  '情况',
  '资源',
  '共享',
  '统一',
  '安全',
  '不少',
  '不足',
  '重点',
  '及时',
  '日常',
  '中心',
  '提供',
  '业务',
  '需要',
  '不能',
  '无法',
  '亟需',
  '急需',
  '目前',
  '按照',
  '部署于',
])

/** Agency names (公安局, 卫健委, 发改委, 县政府办公室): who applies, not what is built. */
const AGENCY_NAME = /^.+(?:局|委|委员会|管委会|办公室)$/u

/** Words of the bureau's domain the general dictionary cuts wrongly (明厨亮灶 → 明/厨/亮/灶). */
const DOMAIN_WORDS = [
  '明厨亮灶',
  '雨量站',
  '水位站',
  '水雨情',
  '政务云',
  '等保',
  '等级保护',
  '一网通办',
  '一张图',
  '网格化',
  '学籍',
  '墒情',
  '虫情',
  '塔吊',
  '扬尘',
  '单兵',
  '图传',
  '高拍仪',
  '球机',
  '枪机',
  '结构化',
  '云存储',
  '电子证照',
  '电子病历',
  '医保',
  '家校',
  '运维',
]

const CJK_WORD = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}$/u
const ASCII_WORD = /^[a-z0-9]+(?:\.[0-9]+)?$/

let segmenter: Jieba | null = null

/**
 * The jieba segmenter with its dictionary (loading takes ≈200 ms, so the server loads it once,
 * in the similarity worker thread, never on the event loop of a request).
 */
export function jieba(): Jieba {
  if (!segmenter) {
    segmenter = Jieba.withDict(dict)
    segmenter.loadDict(Buffer.from(DOMAIN_WORDS.map((word) => `${word} 20000 n`).join('\n')))
  }
  return segmenter
}

/** NFKC (full-width ２００ → 200) and lower case: how texts and excluded phrases are compared. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase()
}

/** True when the word is boilerplate or glued from boilerplate (建设项目, 数据管理, 服务平台). */
function isBoilerplate(word: string): boolean {
  if (STOP_WORDS.has(word)) return true
  // reachable[i]: the first i characters split into stop words
  const reachable = [true]
  for (let end = 1; end <= word.length; end++) {
    reachable[end] = false
    for (let start = Math.max(0, end - 4); start < end; start++) {
      if (reachable[start] && STOP_WORDS.has(word.slice(start, end))) {
        reachable[end] = true
        break
      }
    }
  }
  return reachable[word.length]
}

/** Whether one segmented word counts as a term. */
export function isTerm(word: string): boolean {
  // a lone digit or letter (等保 3 级, 1 套) says nothing
  if (ASCII_WORD.test(word)) return word.length >= 2 && word.length <= MAX_TERM_LENGTH
  return (
    CJK_WORD.test(word) &&
    word.length <= MAX_TERM_LENGTH &&
    // 县 glued to a neighbour by the segmenter (对县, 县住) is no word of its own
    !(word.length === 2 && word.includes('县')) &&
    !isBoilerplate(word) &&
    !AGENCY_NAME.test(word)
  )
}

/** Cuts phrases that must never count (unit names) out of a normalised text. */
function withoutPhrases(normalized: string, exclude: readonly string[]): string {
  let text = normalized
  for (const phrase of exclude) {
    if (phrase.length >= 2) text = text.split(phrase).join('，')
  }
  return text
}

/** Normalised phrases to exclude, longest first so 县公安局交警大队 goes before 县公安局. */
export function normalizePhrases(phrases: readonly string[]): string[] {
  return [...new Set(phrases.map((phrase) => normalizeText(phrase).trim()))]
    .filter((phrase) => phrase.length >= 2)
    .sort((a, b) => b.length - a.length)
}

/**
 * Terms of a text: jieba words of two or more Chinese characters that are neither boilerplate
 * nor an agency name, and lowercase ASCII words/numbers of two or more characters ("4k",
 * "ipv6", "200"); full-width forms
 * are folded first and the excluded phrases (unit names, normalised) are cut out.
 */
export function tokenize(text: string, exclude: readonly string[] = []): string[] {
  const normalized = withoutPhrases(normalizeText(text), exclude)
  return jieba()
    .cut(normalized, true)
    .filter((word) => isTerm(word))
}

/** Term counts of a proposal over its title, content and line items. */
export function termCounts(project: ProposalText, exclude: readonly string[] = []): TermCounts {
  const counts: TermCounts = new Map()
  const fields = [project.title, project.content, ...(project.lineItemNames ?? [])]
  for (const field of fields) {
    for (const term of tokenize(field, exclude)) counts.set(term, (counts.get(term) ?? 0) + 1)
  }
  return counts
}

/** ln(1 + N/df): a term in every document keeps ln 2, rare terms weigh up to ln(1 + N). */
function idf(stats: CorpusStats, term: string): number {
  const df = Math.max(1, stats.documentFrequency.get(term) ?? 1)
  return Math.log(1 + stats.documentCount / df)
}

/** TF-IDF weights of one document and their Euclidean norm. */
export function weigh(terms: ReadonlyMap<string, number>, stats: CorpusStats) {
  const vector = new Map<string, number>()
  let squares = 0
  for (const [term, count] of terms) {
    const weight = (1 + Math.log(count)) * idf(stats, term)
    vector.set(term, weight)
    squares += weight * weight
  }
  return { vector, norm: Math.sqrt(squares) }
}

/**
 * Ranks indexed documents by cosine similarity of TF-IDF vectors to the candidate. The corpus
 * statistics must count the candidate too. Documents with the candidate's id and matches with
 * no shared term are left out.
 */
export function rankDocuments(
  candidate: IndexedDocument,
  others: readonly IndexedDocument[],
  stats: CorpusStats,
  {
    topK = 5,
    threshold = DEFAULT_SIMILARITY_THRESHOLD,
    sharedTermCount = 8,
  }: SimilarityOptions = {}
): SimilarityResult {
  const target = weigh(candidate.terms, stats)
  const matches: SimilarityMatch[] = []
  for (const other of others) {
    if (other.id === candidate.id) continue
    const { vector, norm } = weigh(other.terms, stats)
    const contributions: [string, number][] = []
    let dot = 0
    for (const [term, weight] of target.vector) {
      const weightThere = vector.get(term)
      if (weightThere === undefined) continue
      contributions.push([term, weight * weightThere])
      dot += weight * weightThere
    }
    if (dot === 0) continue
    const score = Math.round(Math.min(1, dot / (target.norm * norm)) * 10_000) / 10_000
    if (score === 0) continue
    contributions.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    matches.push({
      id: other.id,
      score,
      flagged: score >= threshold,
      sharedTerms: contributions.slice(0, sharedTermCount).map(([term]) => term),
    })
  }
  matches.sort((a, b) => b.score - a.score || String(a.id).localeCompare(String(b.id)))
  const top = matches.slice(0, topK)
  return { matches: top, flagged: top.some((match) => match.flagged) }
}

/** Document frequencies over a set of term counts. */
export function corpusStats(documents: readonly ReadonlyMap<string, number>[]): CorpusStats {
  const documentFrequency = new Map<string, number>()
  for (const terms of documents) {
    for (const term of terms.keys()) {
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1)
    }
  }
  return { documentCount: documents.length, documentFrequency }
}

/**
 * Ranks earlier projects by similarity to a candidate over an in-memory corpus (the statistics
 * count the candidate and the corpus); a corpus entry with the candidate's own id (a
 * resubmission) is skipped. The server does the same over its term index (duplicate_check.ts).
 */
export function rankSimilar(
  candidate: ProposalText,
  corpus: readonly ProposalText[],
  options: SimilarityOptions & { exclude?: readonly string[] } = {}
): SimilarityResult {
  const exclude = normalizePhrases(options.exclude ?? [])
  const others = corpus.filter((project) => project.id !== candidate.id)
  const target: IndexedDocument = { id: candidate.id, terms: termCounts(candidate, exclude) }
  const documents = others.map((project) => ({
    id: project.id,
    terms: termCounts(project, exclude),
  }))
  const stats = corpusStats([target.terms, ...documents.map((document) => document.terms)])
  return rankDocuments(target, documents, stats, options)
}

/** A piece of a displayed text: shared pieces are highlighted for the reviewer. */
export interface TextPiece {
  text: string
  shared: boolean
}

/**
 * Cuts a text for display, marking the words that are in the shared set, so the reviewer sees
 * the shared words in place in both texts; words inside an excluded phrase (a unit name) are
 * never marked. The pieces join back to the original text.
 */
export function highlight(
  text: string,
  shared: ReadonlySet<string>,
  exclude: readonly string[] = []
): TextPiece[] {
  // normalise character by character, remembering where each normalised character came from,
  // so ２００ is cut and matched as 200 yet shown as written
  const originals = [...text]
  const normalizedChars: string[] = []
  const source: number[] = []
  originals.forEach((char, index) => {
    for (const unit of normalizeText(char)) {
      normalizedChars.push(unit)
      source.push(index)
    }
  })
  const normalized = normalizedChars.join('')
  const masked = new Array<boolean>(normalizedChars.length).fill(false)
  for (const phrase of exclude) {
    const length = [...phrase].length
    for (let at = normalized.indexOf(phrase); at >= 0; at = normalized.indexOf(phrase, at + 1)) {
      const start = [...normalized.slice(0, at)].length
      masked.fill(true, start, start + length)
    }
  }
  const pieces: TextPiece[] = []
  let consumed = 0
  let position = 0
  for (const word of jieba().cut(normalized, true)) {
    const start = position
    position += [...word].length
    const isShared = shared.has(word) && !masked.slice(start, position).includes(true)
    const end = position < source.length ? source[position] : originals.length
    if (end <= consumed) continue
    const original = originals.slice(consumed, end).join('')
    consumed = end
    const last = pieces.at(-1)
    if (last && last.shared === isShared) last.text += original
    else pieces.push({ text: original, shared: isShared })
  }
  return pieces
}
