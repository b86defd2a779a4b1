import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import audit from '#core/audit/audit_service'
import AuditEvent from '#core/audit/audit_event'
import { sealHash } from '#core/audit/chain'

/**
 * Points the audit service at a fresh checkpoint directory for one test
 * (tests roll their rows back, so checkpoints must not outlive them).
 * Returns the cleanup to run on teardown.
 */
export async function useFreshCheckpointDir() {
  const previous = audit.settings.checkpointDir
  const dir = await mkdtemp(join(tmpdir(), 'shuzhi-cp-'))
  audit.configure({ checkpointDir: dir })
  return async () => {
    audit.configure({ checkpointDir: previous })
    await rm(dir, { recursive: true, force: true })
  }
}

export async function seedEvents(count: number, action = 'test.event') {
  for (let i = 0; i < count; i++) {
    await audit.record({ action, actorName: `tester${i}`, ip: '127.0.0.1', details: { i } })
  }
  return AuditEvent.query().where('action', action).orderBy('id')
}

/**
 * Legitimately rewrites the whole chain with other occurred_at values (as if
 * written back then), sealed with the real key: the test's stand-in for time.
 */
export async function backdate(times: (row: AuditEvent, index: number) => string) {
  const head = await db.from('audit_chain_heads').where('id', 1).first()
  const rows = await AuditEvent.query().orderBy('id')
  let prev = head.anchor_hash
  for (const [index, row] of rows.entries()) {
    const occurredAt = times(row, index)
    const content = { ...row.toChainedContent(), occurredAt }
    const hash = sealHash(audit.keyring.current, audit.keyring.currentId, prev, content)
    await db
      .from('audit_events')
      .where('id', row.id)
      .update({ occurred_at: occurredAt, prev_hash: prev, hash, key_id: audit.keyring.currentId })
    prev = hash
  }
  await db.from('audit_chain_heads').where('id', 1).update({ last_hash: prev })
  return AuditEvent.query().orderBy('id')
}
