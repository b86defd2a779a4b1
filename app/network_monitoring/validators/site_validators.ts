import vine from '@vinejs/vine'
import { singleLine, number } from '#core/validation'
import { SITE_LEVELS } from '#network_monitoring/models/site'

export const siteValidator = vine.withMetaData<{ siteId?: number }>().create({
  siteName: singleLine().minLength(1).maxLength(100),
  level: vine.enum(SITE_LEVELS),
  parentId: number().exists({ table: 'network_sites', column: 'id' }).optional(),
  sortOrder: number().withoutDecimals().range([0, 100000]).optional(),
})

/** Filters of the site list (站点管理). */
export const siteListValidator = vine.create({
  q: singleLine().maxLength(100).optional(),
  level: vine.enum(SITE_LEVELS).optional(),
  townId: number().withoutDecimals().optional(),
  page: number().withoutDecimals().min(1).max(100000).optional(),
})
