import { DateTime } from 'luxon'
import { Secret } from '@adonisjs/core/helpers'
import { AccessToken } from '@adonisjs/auth/access_tokens'
import db from '@adonisjs/lucid/services/db'
import audit, { type AuditActor } from '#core/audit/audit_service'
import ApiClient, { API_TOKEN_PREFIX } from '#core/api_tokens/api_client'
import type { ApiAbility } from '#core/api_tokens/abilities'

const TOKENS_TABLE = 'api_access_tokens'
const TOKEN_TYPE = 'api_token'
const SECRET_LENGTH = 40
/** Longer than any token we issue; longer headers are refused before any lookup. */
const MAX_TOKEN_LENGTH = 200

export interface NewToken {
  name: string
  abilities: ApiAbility[]
  expiresInDays?: number
}

export interface Authenticated {
  client: ApiClient
  token: AccessToken
}

/**
 * Issues, revokes and checks API tokens. Issuing writes the access-token row exactly as
 * @adonisjs/auth's DbAccessTokensProvider does, but inside the same transaction as the
 * client row and its audit event (the provider writes on its own connection); checking goes
 * through the provider's `verify` (hash compare, expiry, last-used time).
 */
export class ApiTokenService {
  async create(spec: NewToken, actor: AuditActor) {
    return db.transaction(async (trx) => {
      const expiresAt = spec.expiresInDays
        ? DateTime.utc().plus({ days: spec.expiresInDays })
        : null
      const client = await ApiClient.create(
        {
          name: spec.name,
          hint: '',
          abilities: spec.abilities,
          createdById: actor.actorId,
          expiresAt,
          revokedAt: null,
          note: null,
        },
        { client: trx }
      )
      const transient = AccessToken.createTransientToken(
        client.id,
        SECRET_LENGTH,
        spec.expiresInDays ? spec.expiresInDays * 86_400 : undefined
      )
      const now = new Date()
      const row = {
        tokenable_id: client.id,
        type: TOKEN_TYPE,
        name: spec.name,
        hash: transient.hash,
        abilities: JSON.stringify(spec.abilities),
        created_at: now,
        updated_at: now,
        last_used_at: null,
        expires_at: transient.expiresAt ?? null,
      }
      const inserted = await trx.table(TOKENS_TABLE).insert(row).returning('id')
      const first = inserted[0] as number | { id: number }
      const identifier = typeof first === 'object' ? first.id : first
      const token = new AccessToken({
        identifier,
        tokenableId: client.id,
        type: TOKEN_TYPE,
        prefix: API_TOKEN_PREFIX,
        secret: transient.secret,
        name: spec.name,
        hash: transient.hash,
        abilities: spec.abilities,
        createdAt: now,
        updatedAt: now,
        lastUsedAt: null,
        expiresAt: transient.expiresAt ?? null,
      })
      const secret = token.value!.release()
      client.hint = secret.slice(-4)
      await client.save()
      await audit.record(
        {
          ...actor,
          action: 'api_token.create',
          targetType: 'api_token',
          targetId: client.id,
          details: {
            name: spec.name,
            hint: client.hint,
            abilities: spec.abilities,
            expiresAt: expiresAt?.toISO() ?? null,
          },
        },
        trx
      )
      return { client, secret }
    })
  }

  /** Deletes the token (it stops working at once) and keeps the client row, marked revoked. */
  async revoke(client: ApiClient, actor: AuditActor) {
    await db.transaction(async (trx) => {
      client.useTransaction(trx)
      client.revokedAt = DateTime.utc()
      await client.save()
      await trx.from(TOKENS_TABLE).where('tokenable_id', client.id).delete()
      await audit.record(
        {
          ...actor,
          action: 'api_token.revoke',
          targetType: 'api_token',
          targetId: client.id,
          details: { name: client.name, hint: client.hint },
        },
        trx
      )
    })
  }

  /** The client and token of an `Authorization: Bearer …` header, or null when unusable. */
  async authenticate(header: string | null | undefined): Promise<Authenticated | null> {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '')
    const value = match?.[1]
    if (!value || !value.startsWith(API_TOKEN_PREFIX) || value.length > MAX_TOKEN_LENGTH) {
      return null
    }
    const token = await ApiClient.accessTokens.verify(new Secret(value))
    if (!token) return null
    const client = await ApiClient.find(token.tokenableId as number)
    if (!client || !client.isUsable()) return null
    return { client, token }
  }

  /** When each client's token was last used (revoked tokens have no row: absent). */
  async lastUsed(clientIds: number[]) {
    const used = new Map<number, DateTime>()
    if (clientIds.length === 0) return used
    const rows: { tokenable_id: number; last_used_at: unknown }[] = await db
      .from(TOKENS_TABLE)
      .whereIn('tokenable_id', clientIds)
      .whereNotNull('last_used_at')
      .select('tokenable_id', 'last_used_at')
    for (const row of rows) {
      const at = toDateTime(row.last_used_at)
      if (at) used.set(Number(row.tokenable_id), at)
    }
    return used
  }
}

/** The provider stores JS Dates: epoch milliseconds on SQLite, DATETIME on MySQL. */
function toDateTime(value: unknown) {
  if (value instanceof Date) return DateTime.fromJSDate(value, { zone: 'utc' })
  if (typeof value === 'number') return DateTime.fromMillis(value, { zone: 'utc' })
  if (typeof value === 'string') {
    const parsed = DateTime.fromSQL(value, { zone: 'utc' })
    return parsed.isValid ? parsed : null
  }
  return null
}

export default new ApiTokenService()
