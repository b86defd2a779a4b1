import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import { integer } from '#project_review/models/json_column'

export const ATTACHMENT_KINDS = ['feasibility', 'design'] as const
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
