import vine from '@vinejs/vine'
import { SITE_LEVELS } from '#network_monitoring/models/site'

export const siteValidator = vine.withMetaData<{ siteId?: number }>().create({
  siteName: vine.string().trim().minLength(1).maxLength(100),
  level: vine.enum(SITE_LEVELS),
  parentId: vine.number().exists({ table: 'network_sites', column: 'id' }).optional(),
  sortOrder: vine.number().withoutDecimals().range([0, 100000]).optional(),
})
