import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Project from '#project_review/models/project'
import SimilarityCheck, { type StoredMatch } from '#project_review/models/similarity_check'
import { rankSimilar, type ProposalText } from '#project_review/domain/similarity'
import reviewSettings from '#project_review/services/review_settings'

/** How many similar projects the reviewer is shown. */
export const TOP_MATCHES = 5

function textOf(project: Project): ProposalText {
  return {
    id: project.id,
    title: project.title,
    content: [project.content, project.necessity, project.technicalPlan].filter(Boolean).join('\n'),
    lineItemNames: (project.items ?? []).map((item) =>
      [item.name, item.specification].filter(Boolean).join(' ')
    ),
  }
}

/**
 * 重复建设审查 at submission: compares the proposal (title, content, line items) with every
 * other project that has left the draft stage, and stores the top matches with their scores
 * and shared terms; the best match at or above the configured threshold flags 疑似重复建设.
 */
export async function runDuplicateCheck(project: Project, trx: TransactionClientContract) {
  const { similarityThreshold } = await reviewSettings.get(trx)
  if (!project.items) await project.load('items')
  const corpus = await Project.query({ client: trx })
    .whereNot('state', 'draft')
    .whereNot('id', project.id)
    .preload('items')
    .preload('unit')
  const result = rankSimilar(textOf(project), corpus.map(textOf), {
    topK: TOP_MATCHES,
    threshold: similarityThreshold,
  })
  const byId = new Map(corpus.map((other) => [other.id, other]))
  const matches: StoredMatch[] = result.matches.map((match) => {
    const other = byId.get(Number(match.id))!
    return {
      projectId: other.id,
      code: other.code,
      title: other.title,
      unitName: other.unit?.name ?? '',
      year: other.year,
      state: other.state,
      score: match.score,
      flagged: match.flagged,
      sharedTerms: match.sharedTerms,
    }
  })
  return SimilarityCheck.create(
    {
      projectId: project.id,
      corpusSize: corpus.length,
      thresholdBp: Math.round(similarityThreshold * 10_000),
      flagged: result.flagged,
      matches,
    },
    { client: trx }
  )
}
