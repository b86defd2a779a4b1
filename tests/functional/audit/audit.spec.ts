import { test } from '@japa/runner'
import { assertNotIncludes } from '#tests/helpers/http'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import ace from '@adonisjs/core/services/ace'
import audit from '#core/audit/audit_service'
import AuditEvent from '#core/audit/audit_event'
import AuditVerify from '#commands/audit_verify'
import AuditPurge from '#commands/audit_purge'
import { createUser } from '#tests/helpers/identity'
import { countRows } from '#core/db_helpers'
import { backdate, seedEvents, useFreshCheckpointDir } from '#tests/helpers/audit'

async function runVerify() {
  const command = await ace.create(AuditVerify, [])
  await command.exec()
  return command
}

test.group('Audit trail integrity', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => useFreshCheckpointDir())

  test('audit:verify passes on an intact chain', async () => {
    await seedEvents(5)
    const command = await runVerify()
    command.assertSucceeded()
    command.assertLogMatches(/audit chain intact/)
  })

  test('audit:verify fails naming the row after a direct UPDATE', async () => {
    const events = await seedEvents(5)
    await db.from('audit_events').where('id', events[2].id).update({ actor_name: 'someone-else' })
    const command = await runVerify()
    command.assertFailed()
    command.assertLogMatches(new RegExp(`BROKEN at event #${events[2].id}: content was altered`))
  })

  test('audit:verify fails after a direct DELETE in the middle', async () => {
    const events = await seedEvents(5)
    await db.from('audit_events').where('id', events[2].id).delete()
    const command = await runVerify()
    command.assertFailed()
    command.assertLogMatches(
      new RegExp(`BROKEN at event #${events[3].id}: an earlier event was deleted`)
    )
  })

  test('audit:verify fails after the newest row is deleted', async () => {
    const events = await seedEvents(3)
    await db.from('audit_events').where('id', events[2].id).delete()
    const command = await runVerify()
    command.assertFailed()
    command.assertLogMatches(/the newest event\(s\) were deleted/)
  })

  test('a rewritten row with a recomputed own hash is detected at that row', async ({ assert }) => {
    const events = await seedEvents(4)
    const { chainHash } = await import('#core/audit/chain')
    const forged = events[1]
    forged.actorName = 'forger'
    const newHash = chainHash(forged.prevHash, forged.toChainedContent())
    await db
      .from('audit_events')
      .where('id', forged.id)
      .update({ actor_name: 'forger', hash: newHash })
    const result = await audit.verify()
    assert.isFalse(result.ok)
    assert.equal(!result.ok && result.badEventId, events[1].id)
    assert.equal(!result.ok && result.reason, 'content_altered')
  })

  test('audit:purge refuses anything younger than 180 days and deletes nothing', async ({
    assert,
  }) => {
    await seedEvents(3)
    const before = await countRows(AuditEvent.query().where('action', 'test.event'))
    const recent = DateTime.now().setZone('Asia/Shanghai').minus({ days: 179 }).toISODate()!
    const command = await ace.create(AuditPurge, ['--before', recent])
    await command.exec()
    command.assertFailed()
    command.assertLogMatches(/refused: logs are kept at least 180 days/)
    const after = await countRows(AuditEvent.query().where('action', 'test.event'))
    assert.equal(after, before)
    // the refused attempt itself is on the record, with the operator
    const refusal = await AuditEvent.query().where('action', 'audit.purge').firstOrFail()
    assert.equal(refusal.outcome, 'failure')
    assert.match(refusal.actorName!, /@.+\(ace audit:purge\)$/)
  })

  test('purging old events keeps the rest of the chain verifiable', async ({ assert }) => {
    await seedEvents(4)
    // age the first two events beyond retention
    const rows = await AuditEvent.query().orderBy('id')
    const old = DateTime.utc().minus({ days: 400 })
    await backdate((row, index) =>
      index < 2 ? old.plus({ minutes: index }).toISO()! : row.occurredAt
    )

    const cutoff = DateTime.utc().minus({ days: 200 }).setZone('Asia/Shanghai').toISODate()!
    const command = await ace.create(AuditPurge, ['--before', cutoff])
    await command.exec()
    command.assertSucceeded()
    assert.equal(await countRows(AuditEvent.query()), rows.length - 2 + 1)
    const result = await audit.verify()
    assert.isTrue(result.ok)
  })
})

test.group('Audit log pages', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => useFreshCheckpointDir())

  test('the auditor sees a filterable list and verifies integrity from the page', async ({
    client,
  }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    await audit.record({
      action: 'user.create',
      actorName: '王系统(admin)',
      details: { username: 'x' },
    })
    await audit.record({
      action: 'auth.login',
      outcome: 'failure',
      actorName: null,
      details: { reason: 'unknown_user' },
    })
    const page = await client.get('/audit?action=user.').loginAs(auditor)
    page.assertStatus(200)
    page.assertTextIncludes('user.create')
    assertNotIncludes(page, 'unknown_user')

    const total = await countEvents()
    const verify = await client.post('/audit/verify').loginAs(auditor).withCsrfToken().redirects(0)
    verify.assertFlashMessage('success', `完整性校验通过：共 ${total} 条记录，哈希链完整。`)
  })

  test('the auditor sees the failure when the chain was tampered with', async ({ client }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const events = await seedEvents(3)
    await db.from('audit_events').where('id', events[1].id).update({ details: '{"i":99}' })
    const verify = await client.post('/audit/verify').loginAs(auditor).withCsrfToken().redirects(0)
    verify.assertFlashMessage(
      'error',
      `完整性校验失败：第 ${events[1].id} 号记录的内容已被篡改（已校验 ${await countBefore(events[1].id)} 条）。`
    )
  })

  test('nobody can edit or delete audit rows through the app', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const [event] = await seedEvents(1)
    for (const method of ['put', 'patch', 'delete'] as const) {
      const response = await client[method](`/audit/${event.id}`).loginAs(admin).withCsrfToken()
      assert.oneOf(response.status(), [403, 404, 405])
    }
    const fresh = await AuditEvent.findOrFail(event.id)
    assert.equal(fresh.hash, event.hash)
  })

  test('the audit CSV export contains the filtered rows', async ({ client, assert }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    await audit.record({ action: 'unit.create', actorName: '导出测试', details: {} })
    const csv = await client.get('/audit?format=csv&actor=导出测试').loginAs(auditor)
    assert.include(csv.text(), '导出测试')
    assert.include(csv.text(), 'unit.create')
  })
})

async function countEvents() {
  return countRows(AuditEvent.query())
}

async function countBefore(id: number) {
  return countRows(AuditEvent.query().where('id', '<', id))
}
