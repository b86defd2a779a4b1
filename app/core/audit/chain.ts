import { createHash } from 'node:crypto'

/** The hash the first event of a fresh chain follows. */
export const GENESIS_HASH = '0'.repeat(64)

/** The hashed fields of an audit event, in their canonical order. */
export interface ChainedContent {
  occurredAt: string
  actorId: number | null
  actorName: string | null
  ip: string | null
  action: string
  targetType: string | null
  targetId: string | null
  outcome: 'success' | 'failure'
  details: string
}

/** Canonical serialisation: a JSON array with a fixed field order, identical on every database. */
export function canonicalize(content: ChainedContent): string {
  return JSON.stringify([
    content.occurredAt,
    content.actorId,
    content.actorName,
    content.ip,
    content.action,
    content.targetType,
    content.targetId,
    content.outcome,
    content.details,
  ])
}

/** SHA-256 over the previous hash and the canonical content. */
export function chainHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalize(content))
    .digest('hex')
}
