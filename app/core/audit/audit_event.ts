import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { ChainedContent } from '#core/audit/chain'

/** One row of the append-only audit trail. Written only by AuditService. */
export default class AuditEvent extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare occurredAt: string

  @column()
  declare actorId: number | null

  @column()
  declare actorName: string | null

  @column()
  declare ip: string | null

  @column()
  declare action: string

  @column()
  declare targetType: string | null

  @column()
  declare targetId: string | null

  @column()
  declare outcome: ChainedContent['outcome']

  @column()
  declare details: string

  /** Fingerprint of the AUDIT_KEY that sealed this row (null: written before the keyed chain). */
  @column()
  declare keyId: string | null

  @column()
  declare prevHash: string

  @column()
  declare hash: string

  get detailsObject(): Record<string, unknown> {
    try {
      return JSON.parse(this.details)
    } catch {
      return {}
    }
  }

  toChainedContent(): ChainedContent {
    return {
      occurredAt: this.occurredAt,
      actorId: this.actorId === null ? null : Number(this.actorId),
      actorName: this.actorName,
      ip: this.ip,
      action: this.action,
      targetType: this.targetType,
      targetId: this.targetId,
      outcome: this.outcome,
      details: this.details,
    }
  }
}
