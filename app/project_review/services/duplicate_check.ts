import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit from '#core/audit/audit_service'
import Project from '#project_review/models/project'
import SimilarityCheck, { type StoredMatch } from '#project_review/models/similarity_check'
import { normalizePhrases, type ProposalText } from '#project_review/domain/similarity'
import { ReviewError } from '#project_review/errors'
import reviewSettings from '#project_review/services/review_settings'
import similarityPool from '#project_review/services/similarity_pool'
import type { ReviewActor } from '#project_review/services/actor'

/** How many similar projects the reviewer is shown. */
export const TOP_MATCHES = 5

/** Projects ranked exactly after the index preselected them by their rarest shared terms. */
export const PRESELECTED = 100

/** Terms of the candidate the preselection looks up (the heaviest by TF-IDF weight). */
const PRESELECT_TERMS = 24

/**
 * Terms in more projects than this are too common to preselect with (their index ranges are
 * long and they say little); they still count in the exact score of the preselected projects.
 */
function preselectDfCap(documentCount: number) {
  return Math.max(500, Math.ceil(documentCount / 50))
}

/** Rows per multi-row insert (well under SQLite's and MySQL's placeholder limits). */
const INSERT_CHUNK = 300

type Client = QueryClientContract | TransactionClientContract

/** The text of a project the check compares: title, content, necessity, plan and line items. */
export function textOf(project: {
  id: number
  title: string
  content: string | null
  necessity: string | null
  technicalPlan: string | null
  items?: readonly { name: string; specification: string | null }[]
}): ProposalText {
  return {
    id: project.id,
    title: project.title,
    content: [project.content, project.necessity, project.technicalPlan].filter(Boolean).join('\n'),
    lineItemNames: (project.items ?? []).map((item) =>
      [item.name, item.specification].filter(Boolean).join(' ')
    ),
  }
}

/** Unit names, normalised: they say who applies, never what is built, so they are no terms. */
async function excludedPhrases(client: Client) {
  const units = await client.from('units').select('name')
  return normalizePhrases(units.map((unit: { name: string }) => unit.name))
}

function isSqlite(client: Client) {
  return client.dialect.name.includes('sqlite')
}

/** Adds (or with a negative delta removes) document counts of terms. */
async function adjustDocumentFrequency(client: Client, deltas: Map<string, number>) {
  const entries = [...deltas]
    .filter(([, delta]) => delta !== 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
  const upsert = isSqlite(client)
    ? 'on conflict(term) do update set df = similarity_terms.df + excluded.df'
    : 'on duplicate key update df = df + values(df)'
  for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
    const chunk = entries.slice(i, i + INSERT_CHUNK)
    await client.rawQuery(
      `insert into similarity_terms (term, df) values ${chunk.map(() => '(?, ?)').join(', ')} ${upsert}`,
      chunk.flat()
    )
  }
}

/** Writes the term counts of several projects (none of them indexed yet). */
async function insertTerms(
  client: Client,
  documents: { id: number; terms: Map<string, number> }[]
) {
  const rows = documents.flatMap(({ id, terms }) =>
    [...terms].map(([term, tf]) => ({ project_id: id, term, tf }))
  )
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await client.table('project_terms').multiInsert(rows.slice(i, i + INSERT_CHUNK))
  }
  const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
  for (let i = 0; i < documents.length; i += INSERT_CHUNK) {
    await client
      .table('similarity_documents')
      .multiInsert(
        documents
          .slice(i, i + INSERT_CHUNK)
          .map(({ id, terms }) => ({ project_id: id, term_count: terms.size, indexed_at: now }))
      )
  }
  const deltas = new Map<string, number>()
  for (const { terms } of documents) {
    for (const term of terms.keys()) deltas.set(term, (deltas.get(term) ?? 0) + 1)
  }
  await adjustDocumentFrequency(client, deltas)
}

/** Takes a project out of the index (its terms no longer count). */
async function removeFromIndex(client: Client, projectId: number) {
  const old = await client.from('project_terms').where('project_id', projectId).select('term')
  if (old.length > 0) {
    await adjustDocumentFrequency(
      client,
      new Map(old.map((row: { term: string }) => [row.term, -1]))
    )
    await client.from('project_terms').where('project_id', projectId).delete()
  }
  await client.from('similarity_documents').where('project_id', projectId).delete()
}

/**
 * Indexes a project being submitted (inside the submission's transaction): its term counts,
 * segmented in the worker thread, replace those of an earlier submission.
 */
export async function indexProject(project: Project, trx: TransactionClientContract) {
  if (!project.items) await project.load('items')
  const [terms] = await similarityPool.terms([textOf(project)], await excludedPhrases(trx))
  await removeFromIndex(trx, project.id)
  await insertTerms(trx, [{ id: project.id, terms }])
  return terms
}

/**
 * Indexes every project past the draft stage that is not indexed yet, in batches (each its own
 * transaction): after an upgrade, and for the benchmark's corpus. Returns how many were indexed.
 */
export async function indexMissing({
  batchSize = 500,
  onBatch,
}: { batchSize?: number; onBatch?: (done: number) => void } = {}) {
  const exclude = await excludedPhrases(db.connection())
  let done = 0
  let lastId = 0
  for (;;) {
    // plain rows, not models: hydrating and matching preloads costs more than the segmentation
    const rows = await db
      .from('projects')
      .whereNot('state', 'draft')
      .where('id', '>', lastId)
      .whereNotIn('id', (sub) => sub.from('similarity_documents').select('project_id'))
      .orderBy('id')
      .limit(batchSize)
      .select('id', 'title', 'content', 'necessity', 'technical_plan')
    if (rows.length === 0) return done
    lastId = Number(rows.at(-1).id)
    const items = new Map<number, { name: string; specification: string | null }[]>()
    const itemRows = await db
      .from('budget_items')
      .whereIn(
        'project_id',
        rows.map((row) => row.id)
      )
      .orderBy('position')
      .select('project_id', 'name', 'specification')
    for (const item of itemRows) {
      const list = items.get(Number(item.project_id)) ?? []
      list.push(item)
      items.set(Number(item.project_id), list)
    }
    const texts = rows.map((row) =>
      textOf({
        id: Number(row.id),
        title: row.title,
        content: row.content,
        necessity: row.necessity,
        technicalPlan: row.technical_plan,
        items: items.get(Number(row.id)) ?? [],
      })
    )
    const counts = await similarityPool.terms(texts, exclude)
    await db.transaction(async (trx) => {
      await insertTerms(
        trx,
        rows.map((row, index) => ({ id: Number(row.id), terms: counts[index] }))
      )
    })
    done += rows.length
    onBatch?.(done)
  }
}

async function documentFrequencies(client: Client, terms: string[]) {
  const frequencies = new Map<string, number>()
  for (let i = 0; i < terms.length; i += INSERT_CHUNK) {
    const rows = await client
      .from('similarity_terms')
      .whereIn('term', terms.slice(i, i + INSERT_CHUNK))
      .select('term', 'df')
    for (const row of rows) frequencies.set(row.term, Number(row.df))
  }
  return frequencies
}

/**
 * Ranks the indexed projects against an indexed project: the index preselects the projects
 * sharing the candidate's heaviest terms, and those are scored exactly (TF-IDF cosine with the
 * corpus' document frequencies) in the worker thread.
 */
async function rankIndexed(projectId: number, threshold: number) {
  const client = db.connection()
  const candidateRows = await client
    .from('project_terms')
    .where('project_id', projectId)
    .select('term', 'tf')
  const candidate = {
    id: projectId,
    terms: new Map<string, number>(
      candidateRows.map((row: { term: string; tf: number }) => [row.term, Number(row.tf)])
    ),
  }
  const [{ total }] = await client.from('similarity_documents').count('* as total')
  const documentCount = Math.max(1, Number(total))
  const candidateDf = await documentFrequencies(client, [...candidate.terms.keys()])
  const cap = preselectDfCap(documentCount)
  const heaviest = [...candidate.terms]
    .map(([term, tf]) => {
      const df = candidateDf.get(term) ?? 1
      return { term, df, weight: (1 + Math.log(tf)) * Math.log(1 + documentCount / df) }
    })
    .filter(({ df }) => df <= cap)
    .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
    .slice(0, PRESELECT_TERMS)
  if (heaviest.length === 0) {
    return { documentCount, result: { matches: [], flagged: false } }
  }

  const weightCase = `case term ${heaviest.map(() => 'when ? then ?').join(' ')} else 0 end`
  const preselected = await client
    .from('project_terms')
    .whereIn(
      'term',
      heaviest.map(({ term }) => term)
    )
    .whereNot('project_id', projectId)
    .groupBy('project_id')
    .select('project_id')
    .select(
      client.raw(
        `sum(${weightCase}) as overlap`,
        heaviest.flatMap(({ term, weight }) => [term, weight])
      )
    )
    .orderBy('overlap', 'desc')
    .orderBy('project_id', 'desc')
    .limit(PRESELECTED)
  const ids = preselected.map((row: { project_id: number }) => Number(row.project_id))
  const others = new Map<number, Map<string, number>>(ids.map((id) => [id, new Map()]))
  const documentFrequency = new Map(candidateDf)
  if (ids.length > 0) {
    const rows = await client
      .from('project_terms')
      .join('similarity_terms', 'similarity_terms.term', 'project_terms.term')
      .whereIn('project_terms.project_id', ids)
      .select(
        'project_terms.project_id',
        'project_terms.term',
        'project_terms.tf',
        'similarity_terms.df'
      )
    for (const row of rows) {
      others.get(Number(row.project_id))!.set(row.term, Number(row.tf))
      documentFrequency.set(row.term, Number(row.df))
    }
  }
  const result = await similarityPool.rank(
    candidate,
    [...others].map(([id, terms]) => ({ id, terms })),
    documentCount,
    documentFrequency,
    { topK: TOP_MATCHES, threshold }
  )
  return { documentCount, result }
}

/** True when a stored check still flags 疑似重复建设 once the verified pairs are set aside. */
function stillFlagged(matches: readonly StoredMatch[], dismissed: ReadonlySet<number>) {
  return matches.some((match) => match.flagged && !dismissed.has(match.projectId))
}

async function dismissedOf(client: Client, projectId: number) {
  const rows = await client
    .from('similarity_dismissals')
    .where('project_id', projectId)
    .select('other_project_id')
  return new Set<number>(
    rows.map((row: { other_project_id: number }) => Number(row.other_project_id))
  )
}

/**
 * 重复建设审查 of an indexed (submitted) project, outside any submission transaction: ranks it
 * against every other indexed project, then stores the top matches with their scores and shared
 * words, sets the project's 疑似重复建设 flag (a match a reviewer verified as no duplicate does
 * not flag) and audits the check, in one short transaction.
 */
export async function runDuplicateCheck(projectId: number, actor: ReviewActor, rerun = false) {
  const { similarityThreshold } = await reviewSettings.get()
  const { documentCount, result } = await rankIndexed(projectId, similarityThreshold)
  const details = await Project.query()
    .whereIn(
      'id',
      result.matches.map((match) => Number(match.id))
    )
    .preload('unit')
  const byId = new Map(details.map((other) => [other.id, other]))
  const matches: StoredMatch[] = result.matches.flatMap((match) => {
    const other = byId.get(Number(match.id))
    if (!other) return []
    return [
      {
        projectId: other.id,
        code: other.code,
        title: other.title,
        unitName: other.unit?.name ?? '',
        year: other.year,
        state: other.state,
        score: match.score,
        flagged: match.flagged,
        sharedTerms: match.sharedTerms,
      },
    ]
  })
  return db.transaction(async (trx) => {
    const dismissed = await dismissedOf(trx, projectId)
    const check = await SimilarityCheck.create(
      {
        projectId,
        corpusSize: Math.max(0, documentCount - 1),
        thresholdBp: Math.round(similarityThreshold * 10_000),
        flagged: matches.some((match) => match.flagged),
        matches,
      },
      { client: trx }
    )
    const flagged = stillFlagged(matches, dismissed)
    await trx.from('projects').where('id', projectId).update({ similarity_flagged: flagged })
    await audit.record(
      {
        ...actor,
        action: rerun ? 'review.similarity.rerun' : 'review.similarity.check',
        targetType: 'project',
        targetId: projectId,
        details: {
          flagged,
          topMatch: matches[0]?.projectId ?? null,
          topScore: matches[0]?.score ?? null,
          corpusSize: check.corpusSize,
        },
      },
      trx
    )
    return check
  })
}

/** A reviewer re-runs the check (e.g. after the threshold changed or a project was re-indexed). */
export async function rerunDuplicateCheck(projectId: number, actor: ReviewActor) {
  const project = await Project.findOrFail(projectId)
  if (project.state === 'draft') throw new ReviewError('review.similarity.errors.draft')
  const indexed = await db.from('similarity_documents').where('project_id', projectId).first()
  if (!indexed) {
    await db.transaction(async (trx) => {
      await indexProject(project, trx)
    })
  }
  return runDuplicateCheck(projectId, actor, true)
}

/**
 * 已核实非重复: a reviewer verified that a matched project is no duplicate and says why. The
 * verdict, the project's flag and the audit event are written in one transaction; later checks
 * keep showing the match, marked as verified, without flagging it again.
 */
export async function dismissMatch(
  projectId: number,
  otherProjectId: number,
  reason: string,
  actor: ReviewActor
) {
  return db.transaction(async (trx) => {
    const check = await SimilarityCheck.query({ client: trx })
      .where('project_id', projectId)
      .orderBy('id', 'desc')
      .first()
    const match = check?.matches.find((candidate) => candidate.projectId === otherProjectId)
    if (!check || !match) throw new ReviewError('review.similarity.errors.no_match')
    const dismissed = await dismissedOf(trx, projectId)
    if (dismissed.has(otherProjectId)) {
      throw new ReviewError('review.similarity.errors.already_dismissed')
    }
    await trx.table('similarity_dismissals').insert({
      project_id: projectId,
      other_project_id: otherProjectId,
      reason,
      user_id: actor.actorId,
      user_name: actor.actorName,
      created_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'),
    })
    dismissed.add(otherProjectId)
    const flagged = stillFlagged(check.matches, dismissed)
    await trx.from('projects').where('id', projectId).update({ similarity_flagged: flagged })
    await audit.record(
      {
        ...actor,
        action: 'review.similarity.dismiss',
        targetType: 'project',
        targetId: projectId,
        details: { otherProjectId, score: match.score, reason, flagged },
      },
      trx
    )
    return { flagged }
  })
}

/** The verdicts on a project's matches, by matched project id. */
export async function dismissalsOf(projectId: number) {
  const rows = await db
    .from('similarity_dismissals')
    .where('project_id', projectId)
    .select('other_project_id', 'reason', 'user_name', 'created_at')
  return new Map(
    rows.map((row) => [
      Number(row.other_project_id),
      {
        reason: row.reason as string,
        userName: row.user_name as string | null,
        createdAt:
          row.created_at instanceof Date
            ? DateTime.fromJSDate(row.created_at)
            : DateTime.fromSQL(String(row.created_at), { zone: 'utc' }),
      },
    ])
  )
}

/**
 * Side by side: both projects' texts cut for display with the words they share highlighted,
 * and the shared words ordered by how much they weigh in the score.
 */
export async function comparison(project: Project, other: Project) {
  await project.load('items')
  await other.load('items')
  const client = db.connection()
  const exclude = await excludedPhrases(client)
  const [mine, theirs] = await similarityPool.terms([textOf(project), textOf(other)], exclude)
  const sharedTerms = [...mine.keys()].filter((term) => theirs.has(term))
  const frequencies = await documentFrequencies(client, sharedTerms)
  sharedTerms.sort(
    (a, b) => (frequencies.get(a) ?? 1) - (frequencies.get(b) ?? 1) || (a < b ? -1 : 1)
  )
  const fields = (p: Project) => [
    p.title,
    p.content ?? '',
    p.necessity ?? '',
    p.technicalPlan ?? '',
    p.items.map((item) => [item.name, item.specification].filter(Boolean).join(' ')).join('；'),
  ]
  const pieces = await similarityPool.highlight(
    [...fields(project), ...fields(other)],
    sharedTerms,
    exclude
  )
  return { sharedTerms, left: pieces.slice(0, 5), right: pieces.slice(5) }
}
