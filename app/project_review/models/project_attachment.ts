import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { integer } from '#project_review/models/json_column'

export const PROPOSAL_ATTACHMENT_KINDS = ['feasibility', 'design'] as const
/** 验收资料: deliverables list, 等保测评报告, 试运行报告 */
export const ACCEPTANCE_ATTACHMENT_KINDS = ['deliverables', 'security_report', 'trial_run'] as const
export const ATTACHMENT_KINDS = [
  ...PROPOSAL_ATTACHMENT_KINDS,
  ...ACCEPTANCE_ATTACHMENT_KINDS,
] as const
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number]

/** A PDF attached to a proposal, stored outside the web root under a random name. */
export default class ProjectAttachment extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare projectId: number

  @column()
  declare kind: AttachmentKind

  @column()
  declare originalName: string

  @column({ serializeAs: null })
  declare storedName: string

  @column(integer)
  declare sizeBytes: number

  @column({ columnName: 'sha256' })
  declare sha256: string

  @column()
  declare uploadedById: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
