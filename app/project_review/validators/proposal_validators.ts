import vine from '@vinejs/vine'
import { singleLine, multiLine, number } from '#core/validation'
import { PROJECT_CATEGORIES, SECURITY_LEVELS } from '#project_review/models/project'
import { ITEM_CATEGORIES } from '#project_review/models/budget_item'
import { ATTACHMENT_KINDS } from '#project_review/models/project_attachment'
import { PROJECT_STATES } from '#project_review/lifecycle'
import { asArray, asText, yuan } from '#project_review/validators/rules'

export const MAX_ITEMS = 200
export const MAX_QUANTITY = 1_000_000
const LONG_TEXT = 5000

const budgetItem = vine.object({
  category: vine.enum(ITEM_CATEGORIES),
  name: singleLine().minLength(1).maxLength(100),
  specification: singleLine().maxLength(500).optional(),
  quantity: number().withoutDecimals().min(1).max(MAX_QUANTITY),
  unitPrice: yuan(),
})

/**
 * A proposal as the applicant saves it. A draft may be incomplete (submission checks
 * completeness), but whatever is filled in must be valid. Budget rows left entirely blank are
 * dropped before validation.
 */
export const proposalValidator = vine.create({
  title: singleLine().minLength(2).maxLength(200),
  year: number().withoutDecimals().min(2000).max(2100),
  category: vine.enum(PROJECT_CATEGORIES),
  content: multiLine().maxLength(LONG_TEXT).optional(),
  necessity: multiLine().maxLength(LONG_TEXT).optional(),
  technicalPlan: multiLine().maxLength(LONG_TEXT).optional(),
  securityLevel: number()
    .in([...SECURITY_LEVELS])
    .optional(),
  plannedStart: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  plannedEnd: vine
    .date({ formats: ['YYYY-MM-DD'] })
    .afterOrSameAs('plannedStart')
    .optional(),
  contactName: singleLine().maxLength(50).optional(),
  contactPhone: singleLine()
    .regex(/^[0-9+\- ]{5,30}$/)
    .optional(),
  platformIds: vine
    .array(number().withoutDecimals())
    .parse(asArray)
    .distinct()
    .maxLength(50)
    .optional(),
  items: vine
    .array(budgetItem)
    .parse((value) =>
      (asArray(value) as unknown[]).filter(
        (row) =>
          row !== null &&
          typeof row === 'object' &&
          Object.values(row as Record<string, unknown>).some(
            (cell) => cell !== null && cell !== undefined && String(cell).trim() !== ''
          )
      )
    )
    .maxLength(MAX_ITEMS)
    .optional(),
})

export const attachmentValidator = vine.create({
  kind: vine.enum(ATTACHMENT_KINDS),
})

/** Filters of the project lists (applicant, reviewer workbench, CSV export). */
export const projectListValidator = vine.create({
  q: singleLine().maxLength(100).parse(asText).optional(),
  state: vine.enum(PROJECT_STATES).optional(),
  year: number().withoutDecimals().min(2000).max(2100).optional(),
  unitId: number().withoutDecimals().optional(),
  category: vine.enum(PROJECT_CATEGORIES).optional(),
  flagged: vine.boolean().optional(),
  page: number().withoutDecimals().min(1).max(100000).optional(),
})
