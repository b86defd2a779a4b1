import vine from '@vinejs/vine'
import { singleLine, multiLine, number } from '#core/validation'
import { SPECIALTIES } from '#project_review/models/expert'
import { PROJECT_CATEGORIES } from '#project_review/models/project'
import { CUT_REASONS } from '#project_review/models/score_sheet'
import { ATTACHMENT_KINDS } from '#project_review/models/project_attachment'
import { asArray, asText, yuan } from '#project_review/validators/rules'

const reason = multiLine().minLength(2).maxLength(500)

/** 退回补正: one reason per line of the textarea. */
export const returnValidator = vine.create({
  reasons: multiLine().minLength(2).maxLength(2000),
})

/** 不予受理 / 不予立项 / returning a sheet: a reason. */
export const reasonValidator = vine.create({ reason })

/** 撤换 a sitting expert: the reason the expert is told by e-mail. */
export const withdrawValidator = vine.create({ withdrawReason: reason })

export const acceptValidator = vine.create({
  comment: multiLine().maxLength(500).optional(),
})

/** 随机抽取: N experts (3–15) plus M alternates (0–10) with any of the chosen specialties. */
export const drawValidator = vine.create({
  panelSize: number().withoutDecimals().min(3).max(15),
  alternates: number().withoutDecimals().min(0).max(10),
  specialties: vine.array(vine.enum(SPECIALTIES)).parse(asArray).distinct().optional(),
})

/** A score sheet as the expert saves or submits it; amounts in 元 become fen. */
export const sheetValidator = vine.create({
  scores: vine.record(number().min(0).max(100).decimal([0, 2]).optional()).optional(),
  opinion: multiLine().maxLength(2000).optional(),
  items: vine
    .array(
      vine.object({
        budgetItemId: number().withoutDecimals(),
        quantity: number().withoutDecimals().min(0).max(1_000_000).optional(),
        unitPrice: yuan().optional(),
        cutReason: vine.enum(CUT_REASONS).optional(),
        note: singleLine().maxLength(500).optional(),
      })
    )
    .parse(asArray)
    .maxLength(200)
    .optional(),
  intent: vine.enum(['save', 'submit']),
})

/** "确认提交" of a score sheet: the version the confirmation showed. */
export const sheetConfirmValidator = vine.create({
  version: number().withoutDecimals().min(0),
})

/** 批复: the approved amount of each line in 元, with a reason where it differs. */
export const approveValidator = vine.create({
  items: vine
    .array(
      vine.object({
        budgetItemId: number().withoutDecimals(),
        approved: yuan(),
        reason: singleLine().maxLength(500).optional(),
      })
    )
    .parse(asArray)
    .maxLength(200),
  comment: multiLine().maxLength(2000).optional(),
  /** Set by the confirmation page: commit instead of showing the confirmation. */
  confirm: vine.boolean().optional(),
})

/** 不予立项: the reason, and the confirmation page's flag. */
export const declineValidator = vine.create({
  reason,
  confirm: vine.boolean().optional(),
})

export const expertValidator = vine.create({
  name: singleLine().minLength(2).maxLength(50),
  employer: singleLine().minLength(2).maxLength(100),
  employerUnitId: number().withoutDecimals().exists({ table: 'units', column: 'id' }).optional(),
  specialties: vine.array(vine.enum(SPECIALTIES)).parse(asArray).minLength(1).distinct(),
  conflictUnitIds: vine.array(number().withoutDecimals()).parse(asArray).distinct().optional(),
  phone: singleLine()
    .regex(/^[0-9+\- ]{5,30}$/)
    .optional(),
  email: singleLine().email().maxLength(254).optional(),
  yearlyCap: number().withoutDecimals().min(1).max(100),
  userId: number().withoutDecimals().optional(),
})

export const expertListValidator = vine.create({
  q: singleLine().maxLength(100).parse(asText).optional(),
  specialty: vine.enum(SPECIALTIES).optional(),
  status: vine.enum(['active', 'inactive']).optional(),
  page: number().withoutDecimals().min(1).max(100000).optional(),
})

/** Review settings: thresholds and the score-sheet template (weights must sum to 100). */
/** The expert's 评审任务 list: search by code or title, 评审 / 验收, page. */
export const taskListValidator = vine.create({
  q: singleLine().maxLength(100).parse(asText).optional(),
  kind: vine.enum(['review', 'acceptance'] as const).optional(),
  page: number().withoutDecimals().min(1).max(100000).optional(),
})

export const settingsValidator = vine.create({
  similarityThreshold: number().min(0.05).max(1).decimal([0, 2]),
  passThreshold: number().min(0).max(100).decimal([0, 2]),
  reviseThreshold: number().min(0).max(100).decimal([0, 2]),
  criteria: vine
    .array(
      vine.object({
        key: singleLine().regex(/^[a-z][a-z0-9_]{0,31}$/),
        label: singleLine().minLength(2).maxLength(50),
        weight: number().withoutDecimals().min(1).max(100),
        maxScore: number().withoutDecimals().min(1).max(100),
      })
    )
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
    .minLength(1)
    .maxLength(20),
  /** The form sends a blank first entry so that "none ticked" arrives as an empty list. */
  requiredAttachments: vine
    .array(vine.enum(ATTACHMENT_KINDS))
    .parse((value) => (asArray(value) as unknown[]).filter((kind) => kind !== null && kind !== ''))
    .distinct()
    .optional(),
})

export const platformValidator = vine.create({
  name: singleLine()
    .minLength(2)
    .maxLength(100)
    .unique({ table: 'shared_platforms', column: 'name' }),
})

/** Filters of the review statistics (API, workbench). */
export const statsQueryValidator = vine.create({
  year: number().withoutDecimals().min(2000).max(2100).optional(),
  unitId: number().withoutDecimals().optional(),
  category: vine.enum(PROJECT_CATEGORIES).optional(),
})
