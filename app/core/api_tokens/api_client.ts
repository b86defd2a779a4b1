import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import User from '#identity/models/user'
import type { ApiAbility } from '#core/api_tokens/abilities'

/** The prefix of every API token (secret scanners can recognise it). */
export const API_TOKEN_PREFIX = 'szt_'

/**
 * An external system (对接系统) holding one API token. Tokens are @adonisjs/auth access
 * tokens (only a hash is stored, abilities and expiry checked on every request); this row
 * keeps what the sysadmin's list shows after a token is revoked (its token row is deleted).
 */
export default class ApiClient extends BaseModel {
  static table = 'api_clients'

  static accessTokens = DbAccessTokensProvider.forModel(ApiClient, {
    table: 'api_access_tokens',
    type: 'api_token',
    prefix: API_TOKEN_PREFIX,
  })

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare hint: string

  @column({
    prepare: (value: ApiAbility[]) => JSON.stringify(value),
    consume: (value: string | ApiAbility[]) =>
      typeof value === 'string' ? (JSON.parse(value) as ApiAbility[]) : value,
  })
  declare abilities: ApiAbility[]

  @column()
  declare createdById: number | null

  @column.dateTime()
  declare expiresAt: DateTime | null

  @column.dateTime()
  declare revokedAt: DateTime | null

  /** Why a token stopped working without a revocation (e.g. `invalidated_by_upgrade`). */
  @column()
  declare note: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime | null

  @belongsTo(() => User, { foreignKey: 'createdById' })
  declare createdBy: BelongsTo<typeof User>

  isUsable(now = DateTime.utc()) {
    return this.revokedAt === null && (this.expiresAt === null || this.expiresAt > now)
  }
}
