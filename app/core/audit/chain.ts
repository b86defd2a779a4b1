import { createHash, createHmac } from 'node:crypto'

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

/**
 * Legacy unkeyed link (SHA-256 over the previous hash and the content). Anyone
 * with database access can recompute it, so it is only used to check rows
 * written before the keyed chain when they are re-sealed.
 */
export function chainHash(prevHash: string, content: ChainedContent): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalize(content))
    .digest('hex')
}

/**
 * Keyed link: HMAC-SHA256 under the audit key identified by keyId, over the
 * previous hash, the key id and the canonical content. Without AUDIT_KEY —
 * which never enters the database — no valid row can be written or rewritten.
 */
export function sealHash(
  key: string,
  keyId: string,
  prevHash: string,
  content: ChainedContent
): string {
  return createHmac('sha256', key)
    .update(prevHash)
    .update('\n')
    .update(keyId)
    .update('\n')
    .update(canonicalize(content))
    .digest('hex')
}

/** Public identifier of a key (stored per row, printed in backup manifests); reveals nothing of it. */
export function keyFingerprint(key: string): string {
  return createHmac('sha256', key).update('shuzhi-audit-key-id').digest('hex').slice(0, 16)
}

/** The set of audit keys: the current one signs new rows, previous ones only verify. */
export class AuditKeyring {
  readonly currentId: string
  readonly #keys = new Map<string, string>()

  constructor(current: string | undefined, previous: string[] = []) {
    if (!current || current.length < 16) {
      throw new Error(
        'AUDIT_KEY is not set (or shorter than 16 characters): the audit trail cannot be sealed. `npm start` writes one into .env; in production generate one with `openssl rand -base64 32`.'
      )
    }
    this.currentId = keyFingerprint(current)
    this.#keys.set(this.currentId, current)
    for (const key of previous) this.#keys.set(keyFingerprint(key), key)
  }

  get current() {
    return this.#keys.get(this.currentId)!
  }

  get(keyId: string) {
    return this.#keys.get(keyId)
  }

  get ids() {
    return [...this.#keys.keys()]
  }
}
