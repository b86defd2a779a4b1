import vine from '@vinejs/vine'
import { multiLine, number, singleLine } from '#core/validation'
import { SECURITY_RESULTS } from '#project_review/models/acceptance_request'
import { MILESTONE_KINDS } from '#project_review/models/project_milestone'
import { RATINGS } from '#project_review/models/project_evaluation'
import { asArray, yuan } from '#project_review/validators/rules'

const date = () => vine.date({ formats: ['YYYY-MM-DD'] })

/** 修改后通过: what the applicant is asked to revise. */
export const revisionRequestValidator = vine.create({
  reason: multiLine().minLength(2).maxLength(1000),
})

/** The applicant's revision: note, optional revised text, revised quantity and price per line. */
export const revisionValidator = vine.create({
  note: multiLine().minLength(2).maxLength(2000),
  content: multiLine().maxLength(5000).optional(),
  technicalPlan: multiLine().maxLength(5000).optional(),
  lines: vine
    .array(
      vine.object({
        budgetItemId: number().withoutDecimals(),
        quantity: number().withoutDecimals().min(0).max(1_000_000),
        unitPrice: yuan(),
      })
    )
    .parse(asArray)
    .maxLength(200),
})

export const constructionValidator = vine.create({
  contractSignedOn: date(),
  note: singleLine().maxLength(500).optional(),
})

export const milestoneValidator = vine.create({
  kind: vine.enum(MILESTONE_KINDS),
  happenedOn: date(),
  note: singleLine().maxLength(500).optional(),
})

/** 申请验收: settlement in 元 per approved line (with a justification above approval). */
export const acceptanceRequestValidator = vine.create({
  deliverables: multiLine().minLength(2).maxLength(2000),
  securityResult: vine.enum(SECURITY_RESULTS),
  securityNote: singleLine().maxLength(500).optional(),
  trialRunSummary: multiLine().minLength(2).maxLength(2000),
  lines: vine
    .array(
      vine.object({
        budgetItemId: number().withoutDecimals(),
        settled: yuan(),
        justification: multiLine().maxLength(1000).optional(),
      })
    )
    .parse(asArray)
    .maxLength(200),
})

export const acceptanceDrawValidator = vine.create({
  panelSize: number().withoutDecimals().min(3).max(15),
  alternates: number().withoutDecimals().min(0).max(10).optional(),
})

/** An acceptance expert's checklist: pass/fail per item key, notes, opinion. */
export const checkValidator = vine.create({
  results: vine.record(vine.enum(['pass', 'fail'])).optional(),
  notes: vine.record(singleLine().maxLength(500).optional()).optional(),
  opinion: multiLine().maxLength(2000).optional(),
  intent: vine.enum(['save', 'submit']),
})

export const acceptanceDecisionValidator = vine.create({
  outcome: vine.enum(['pass', 'rectify']),
  items: multiLine().maxLength(2000).optional(),
  comment: multiLine().maxLength(2000).optional(),
})

export const selfEvaluationValidator = vine.create({
  indicators: vine
    .array(
      vine.object({
        key: singleLine().maxLength(64),
        target: number().min(0).max(1e12).decimal([0, 2]),
        actual: number().min(0).max(1e12).decimal([0, 2]),
      })
    )
    .parse(asArray)
    .maxLength(50),
  selfEvaluation: multiLine().minLength(2).maxLength(5000),
})

export const ratingValidator = vine.create({
  rating: vine.enum(RATINGS),
  comment: multiLine().minLength(2).maxLength(2000),
})
