import type { I18n } from '@adonisjs/i18n'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'
import vine from '@vinejs/vine'
import { multiLine, number, singleLine } from '#core/validation'
import { CATEGORY_CODES, SUBCATEGORY_CODES } from '#network_monitoring/alerts/classification'
import { ALERT_STATES } from '#network_monitoring/alerts/lifecycle'
import { MAX_PAGE } from '#network_monitoring/alerts/alert_queries'

/** 告警中心 filters: every one an indexed column; pages bounded (narrow the filters instead). */
export const alertListValidator = vine.create({
  from: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
  to: vine
    .date({ formats: ['YYYY-MM-DD'] })
    .afterOrSameAs('from')
    .optional(),
  category: vine.enum([...CATEGORY_CODES, ...SUBCATEGORY_CODES]).optional(),
  grade: number().withoutDecimals().min(1).max(4).optional(),
  state: vine.enum(ALERT_STATES).optional(),
  siteId: number().withoutDecimals().min(1).optional(),
  unitId: number().withoutDecimals().min(1).optional(),
  deviceId: number().withoutDecimals().min(1).optional(),
  q: singleLine().maxLength(100).optional(),
  page: number().withoutDecimals().min(1).max(MAX_PAGE).optional(),
})

export const handlingRecordValidator = vine.create({
  cause: multiLine().minLength(2).maxLength(1000),
  action: multiLine().minLength(2).maxLength(2000),
  evidence: multiLine().maxLength(5000).optional(),
})

/** Resolving may carry the 处置记录 in the same form (required for threats, checked later). */
export const resolveValidator = vine.create({
  cause: multiLine().maxLength(1000).optional(),
  action: multiLine().maxLength(2000).optional(),
  evidence: multiLine().maxLength(5000).optional(),
})

export const reasonValidator = vine.create({
  reason: singleLine().minLength(2).maxLength(500),
})

export const assignValidator = vine.create({
  assigneeId: number().withoutDecimals().min(1).optional(),
})

export const reclassifyValidator = vine.create({
  grade: number().withoutDecimals().min(1).max(4).optional(),
  category: vine.enum(SUBCATEGORY_CODES).optional(),
  reason: singleLine().minLength(2).maxLength(500),
})

/** Validation messages of the alert forms and filters (field names from alerts.json). */
export function alertMessages(ctx: { i18n: I18n }) {
  return {
    messagesProvider: new ModuleMessagesProvider(ctx.i18n, 'alerts', {
      state: 'alerts.states',
      category: 'alerts.subcategories',
    }),
  }
}
