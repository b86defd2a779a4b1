import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import ace from '@adonisjs/core/services/ace'
import audit from '#core/audit/audit_service'
import AuditEvent from '#core/audit/audit_event'
import { GENESIS_HASH, chainHash, sealHash } from '#core/audit/chain'
import AuditVerify from '#commands/audit_verify'
import { createUser } from '#tests/helpers/identity'
import { backdate, seedEvents, useFreshCheckpointDir } from '#tests/helpers/audit'

/**
 * The forgeries of issue #10 §1, as a DBA with full write access to the
 * database (but not to AUDIT_KEY nor the checkpoint directory) would do them.
 * Each one passed `audit:verify` with the old unkeyed chain.
 */
async function verifyCommand() {
  const command = await ace.create(AuditVerify, [])
  await command.exec()
  return command
}

/** What a forger without AUDIT_KEY can compute: the plain SHA-256 link, or an HMAC under a guess. */
function forgerHash(prev: string, row: AuditEvent, content = row.toChainedContent()) {
  return row.keyId
    ? sealHash('guessed-key-0123456789', row.keyId, prev, content)
    : chainHash(prev, content)
}

async function moveHead(lastId: number | null, lastHash: string) {
  await db
    .from('audit_chain_heads')
    .where('id', 1)
    .update({ last_event_id: lastId, last_hash: lastHash })
}

test.group('Audit forgeries a DBA could try', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => useFreshCheckpointDir())

  test('(a) deleting the newest row and moving the chain head is detected', async ({ assert }) => {
    const events = await seedEvents(5)
    await audit.checkpoint('test')
    const newest = await AuditEvent.query().orderBy('id', 'desc').firstOrFail()
    await db.from('audit_events').where('id', newest.id).delete()
    const tail = await AuditEvent.query().orderBy('id', 'desc').firstOrFail()
    await moveHead(tail.id, tail.hash)

    const result = await audit.verify()
    assert.isFalse(result.ok)
    assert.equal(!result.ok && result.reason, 'behind_checkpoint')
    assert.isAbove(events.length, 0)
    const command = await verifyCommand()
    command.assertFailed()
    command.assertLogMatches(/chain ends before the newest signed checkpoint/)
  })

  test('(b) editing a middle row and recomputing every later hash is detected', async ({
    assert,
    client,
  }) => {
    const events = await seedEvents(5)
    await audit.checkpoint('test')
    const rows = await AuditEvent.query().orderBy('id')
    const head = await db.from('audit_chain_heads').where('id', 1).first()
    let prev = head.anchor_hash
    for (const row of rows) {
      const content = row.toChainedContent()
      if (row.id === events[2].id) content.actorName = 'someone-else'
      const hash = forgerHash(prev, row, content)
      await db
        .from('audit_events')
        .where('id', row.id)
        .update({ actor_name: content.actorName, prev_hash: prev, hash })
      prev = hash
    }
    await moveHead(rows[rows.length - 1].id, prev)

    const result = await audit.verify()
    assert.isFalse(result.ok)
    assert.equal(!result.ok && result.reason, 'content_altered')
    assert.equal(!result.ok && result.badEventId, rows[0].id)

    // the auditor's 校验完整性 button says so too
    const auditor = await createUser({ roles: ['auditor'] })
    const response = await client
      .post('/audit/verify')
      .loginAs(auditor)
      .withCsrfToken()
      .redirects(0)
    response.assertFlashMessage(
      'error',
      `完整性校验失败：第 ${rows[0].id} 号记录的内容已被篡改（已校验 0 条）。`
    )
  })

  test('(c) inserting a fully recomputed forged row is detected', async ({ assert }) => {
    await seedEvents(3)
    const tail = await AuditEvent.query().orderBy('id', 'desc').firstOrFail()
    const content = {
      ...tail.toChainedContent(),
      action: 'user.create',
      details: JSON.stringify({ username: 'ghost' }),
    }
    const hash = forgerHash(tail.hash, tail, content)
    await db.table('audit_events').insert({
      occurred_at: content.occurredAt,
      actor_id: content.actorId,
      actor_name: content.actorName,
      ip: content.ip,
      action: content.action,
      target_type: content.targetType,
      target_id: content.targetId,
      outcome: content.outcome,
      details: content.details,
      key_id: tail.keyId,
      prev_hash: tail.hash,
      hash,
    })
    const forged = await AuditEvent.query().where('action', 'user.create').firstOrFail()
    await moveHead(forged.id, hash)

    const result = await audit.verify()
    assert.isFalse(result.ok)
    assert.equal(!result.ok && result.reason, 'content_altered')
    assert.equal(!result.ok && result.badEventId, forged.id)
  })

  test('(d) deleting every row and resetting the head is detected', async ({ assert }) => {
    await seedEvents(4)
    await audit.checkpoint('test')
    await db.from('audit_events').delete()
    await moveHead(null, GENESIS_HASH)
    await db
      .from('audit_chain_heads')
      .where('id', 1)
      .update({ anchor_hash: GENESIS_HASH, anchor_event_id: null })

    const result = await audit.verify()
    assert.isFalse(result.ok)
    assert.equal(!result.ok && result.reason, 'behind_checkpoint')
    const command = await verifyCommand()
    command.assertFailed()
    command.assertLogMatches(/BROKEN.*chain ends before the newest signed checkpoint/)
  })

  test('(e) deleting the oldest young rows and moving the anchor is detected', async ({
    assert,
  }) => {
    const events = await seedEvents(6)
    await audit.checkpoint('test')
    // 10 days old: well inside the 180-day retention
    await db.from('audit_events').where('id', '<=', events[2].id).delete()
    await db
      .from('audit_chain_heads')
      .where('id', 1)
      .update({ anchor_hash: events[2].hash, anchor_event_id: events[2].id })

    const result = await audit.verify()
    assert.isFalse(result.ok)
    assert.equal(!result.ok && result.reason, 'anchor_moved')
  })

  test('a checkpoint file edited to match a truncated chain fails its signature', async ({
    assert,
  }) => {
    await seedEvents(3)
    const { file } = (await audit.checkpoint('test')) as { file: string }
    const { readFile, writeFile, chmod } = await import('node:fs/promises')
    const parsed = JSON.parse(await readFile(file, 'utf8'))
    const payload = JSON.parse(parsed.payload)
    payload.count = 1
    parsed.payload = JSON.stringify(payload)
    await chmod(file, 0o644)
    await writeFile(file, JSON.stringify(parsed))

    const result = await audit.verify()
    assert.isFalse(result.ok)
    assert.equal(!result.ok && result.reason, 'checkpoint_forged')
  })

  test('rows sealed with a rotated-out key verify with AUDIT_PREVIOUS_KEYS, not without', async ({
    assert,
  }) => {
    const oldKey = audit.settings.key!
    await seedEvents(2)
    const newKey = randomBytes(32).toString('base64url')
    try {
      audit.configure({ key: newKey, previousKeys: [oldKey] })
      await seedEvents(2, 'test.after_rotation')
      const rows = await AuditEvent.query().orderBy('id')
      assert.notEqual(rows[0].keyId, rows[rows.length - 1].keyId)
      const rotated = await audit.verify()
      assert.isTrue(rotated.ok)

      audit.configure({ key: newKey, previousKeys: [] })
      const result = await audit.verify()
      assert.equal(!result.ok && result.reason, 'unknown_key')
    } finally {
      audit.configure({ key: oldKey, previousKeys: [] })
    }
  })

  test('audit:verify is consistent with the checkpoint after a legitimate purge', async ({
    assert,
  }) => {
    await seedEvents(4)
    const old = DateTime.utc().minus({ days: 400 })
    await backdate((row, index) =>
      index < 2 ? old.plus({ minutes: index }).toISO()! : row.occurredAt
    )
    await audit.checkpoint('test')
    await audit.purgeBefore(DateTime.utc().minus({ days: 200 }))
    const result = await audit.verify()
    assert.isTrue(result.ok)
    assert.equal(result.ok && result.checkpoint?.reason, 'purge')
  })
})

test.group('Audit forgery by the least-privilege account (f)', (group) => {
  let cleanup: () => Promise<void>
  let saved: { head: any; maxId: number }
  group.each.setup(async () => {
    cleanup = await useFreshCheckpointDir()
    const head = await db.from('audit_chain_heads').where('id', 1).first()
    const max = await db.from('audit_events').max('id as id').first()
    saved = { head, maxId: Number(max?.id ?? 0) }
    return async () => {
      // committed rows: put the trail back as it was for the other tests
      await db.from('audit_events').where('id', '>', saved.maxId).delete()
      await db.from('audit_chain_heads').where('id', 1).update(saved.head)
      await cleanup()
    }
  })

  test('(f) an INSERT/SELECT-only account appends a made-up event with a valid-looking hash', async ({
    assert,
  }) => {
    await seedEvents(3, 'test.least_privilege')
    await audit.checkpoint('test')
    const tail = await AuditEvent.query().orderBy('id', 'desc').firstOrFail()
    const content = {
      ...tail.toChainedContent(),
      occurredAt: DateTime.utc().toISO()!,
      action: 'auth.login',
      actorName: '审计员(auditor)',
      details: '{}',
    }
    const row = {
      occurred_at: content.occurredAt,
      actor_id: null,
      actor_name: content.actorName,
      ip: '10.0.0.9',
      action: content.action,
      target_type: null,
      target_id: null,
      outcome: 'success',
      details: content.details,
      key_id: tail.keyId,
      prev_hash: tail.hash,
      hash: forgerHash(tail.hash, tail, { ...content, ip: '10.0.0.9', actorId: null }),
    }

    const socket = process.env.MARIADB_TEST_SOCKET
    if (db.connection().dialect.name === 'mysql' && socket) {
      // A real INSERT/SELECT-only account, as the README recommends.
      const run = promisify(execFile)
      const database = process.env.DB_DATABASE!
      const password = randomBytes(12).toString('hex')
      const admin = ['--socket', socket, '-u', process.env.MARIADB_TEST_ADMIN ?? 'root']
      await run('mariadb', [
        ...admin,
        '-e',
        `DROP USER IF EXISTS 'appendonly'@'127.0.0.1';
         CREATE USER 'appendonly'@'127.0.0.1' IDENTIFIED BY '${password}';
         GRANT INSERT, SELECT ON \`${database}\`.audit_events TO 'appendonly'@'127.0.0.1';
         GRANT SELECT ON \`${database}\`.audit_chain_heads TO 'appendonly'@'127.0.0.1';`,
      ])
      const mysql = await import('mysql2/promise')
      const connection = await mysql.createConnection({
        host: '127.0.0.1',
        port: Number(process.env.DB_PORT),
        user: 'appendonly',
        password,
        database,
      })
      try {
        await connection.query('INSERT INTO audit_events SET ?', [row])
        // it cannot move the head, nor touch anything else
        await assert.rejects(() =>
          connection.query('UPDATE audit_chain_heads SET last_hash = ? WHERE id = 1', [row.hash])
        )
        await assert.rejects(() => connection.query('DELETE FROM audit_events'))
      } finally {
        await connection.end()
        await run('mariadb', [...admin, '-e', `DROP USER 'appendonly'@'127.0.0.1'`])
      }
    } else {
      // SQLite has no accounts: the same INSERT, through the file.
      await db.table('audit_events').insert(row)
    }

    const result = await audit.verify()
    assert.isFalse(result.ok)
    assert.equal(!result.ok && result.reason, 'content_altered')
    const forged = await AuditEvent.query().where('ip', '10.0.0.9').firstOrFail()
    assert.equal(!result.ok && result.badEventId, forged.id)
  })
})
