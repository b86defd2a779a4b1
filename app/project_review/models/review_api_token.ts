import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import User from '#identity/models/user'

/** A read-only API token; the secret is shown once and only its SHA-256 is kept. */
export default class ReviewApiToken extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column({ serializeAs: null })
  declare tokenHash: string

  /** Last characters of the secret, so an operator can tell tokens apart. */
  @column()
  declare hint: string

  @column()
  declare scope: 'read'

  @column()
  declare createdById: number | null

  @column.dateTime()
  declare expiresAt: DateTime | null

  @column.dateTime()
  declare lastUsedAt: DateTime | null

  @column.dateTime()
  declare revokedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @belongsTo(() => User, { foreignKey: 'createdById' })
  declare createdBy: BelongsTo<typeof User>

  isUsable(now = DateTime.utc()) {
    return this.revokedAt === null && (this.expiresAt === null || this.expiresAt > now)
  }
}
