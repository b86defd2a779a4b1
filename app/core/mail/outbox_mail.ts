import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed'

const numberColumn = {
  consume: (value: unknown) => (value === null || value === undefined ? null : Number(value)),
}

/** One mail of the outbox (邮件发件箱), from queued to sent or failed. */
export default class OutboxMail extends BaseModel {
  static table = 'mail_outbox'

  @column({ isPrimary: true, consume: (v) => Number(v) })
  declare id: number

  @column()
  declare kind: string

  @column()
  declare toAddress: string

  @column()
  declare toName: string | null

  @column()
  declare subject: string

  @column()
  declare html: string | null

  @column()
  declare text: string

  @column()
  declare refType: string | null

  @column()
  declare refId: string | null

  @column()
  declare status: OutboxStatus

  @column(numberColumn)
  declare attempts: number

  @column.dateTime()
  declare nextAttemptAt: DateTime

  @column.dateTime()
  declare claimedAt: DateTime | null

  @column()
  declare claimToken: string | null

  @column.dateTime()
  declare sentAt: DateTime | null

  @column()
  declare lastError: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
