import { createHash, randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import audit, { type AuditActor } from '#core/audit/audit_service'
import ReviewApiToken from '#project_review/models/review_api_token'

const PREFIX = 'szr_'

function hashOf(secret: string) {
  return createHash('sha256').update(secret).digest('hex')
}

/**
 * Read-only API tokens: 256 random bits shown once; the database keeps only their SHA-256, so a
 * leaked table yields no usable token. Lookup is by hash, so no secret is ever compared.
 */
export class ApiTokenService {
  async create(name: string, expiresInDays: number | undefined, actor: AuditActor) {
    const secret = PREFIX + randomBytes(32).toString('base64url')
    const token = await db.transaction(async (trx) => {
      const row = await ReviewApiToken.create(
        {
          name,
          tokenHash: hashOf(secret),
          hint: secret.slice(-4),
          scope: 'read',
          createdById: actor.actorId,
          expiresAt: expiresInDays ? DateTime.utc().plus({ days: expiresInDays }) : null,
        },
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'review.api_token.create',
          targetType: 'api_token',
          targetId: row.id,
          details: { name, hint: row.hint, expiresAt: row.expiresAt?.toISO() ?? null },
        },
        trx
      )
      return row
    })
    return { token, secret }
  }

  async revoke(token: ReviewApiToken, actor: AuditActor) {
    await db.transaction(async (trx) => {
      token.useTransaction(trx)
      token.revokedAt = DateTime.utc()
      await token.save()
      await audit.record(
        {
          ...actor,
          action: 'review.api_token.revoke',
          targetType: 'api_token',
          targetId: token.id,
          details: { name: token.name, hint: token.hint },
        },
        trx
      )
    })
  }

  /** The usable token for a presented secret, or null; records when it was last used. */
  async verify(secret: string | null | undefined) {
    if (!secret || !secret.startsWith(PREFIX) || secret.length > 100) return null
    const token = await ReviewApiToken.findBy('token_hash', hashOf(secret))
    if (!token || !token.isUsable()) return null
    token.lastUsedAt = DateTime.utc()
    await token.save()
    return token
  }
}

export default new ApiTokenService()
