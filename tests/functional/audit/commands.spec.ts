import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import ace from '@adonisjs/core/services/ace'
import audit from '#core/audit/audit_service'
import AuditEvent from '#core/audit/audit_event'
import AuditPurge from '#commands/audit_purge'
import AuditVerify from '#commands/audit_verify'
import AuditCheckpoint from '#commands/audit_checkpoint'
import { backdate, seedEvents, useFreshCheckpointDir } from '#tests/helpers/audit'

test.group('Audit commands', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => useFreshCheckpointDir())

  test('audit:purge deletes by occurred_at: a young row with a lower id stops it, nothing young goes', async ({
    assert,
  }) => {
    const events = await seedEvents(8)
    const old = DateTime.utc().minus({ days: 400 })
    // rows 0–2 old, row 3 recent (20 days), rows 4–5 carry a wrong old timestamp, 6–7 recent
    await backdate((row, index) => {
      if (index <= 2 || index === 4 || index === 5) return old.plus({ minutes: index }).toISO()!
      if (index === 3) return DateTime.utc().minus({ days: 20 }).toISO()!
      return row.occurredAt
    })
    const cutoff = DateTime.utc().minus({ days: 200 }).setZone('Asia/Shanghai').toISODate()!
    const command = await ace.create(AuditPurge, ['--before', cutoff])
    await command.exec()
    command.assertSucceeded()
    command.assertLogMatches(/3 audit events recorded before/)
    command.assertLogMatches(/2 older-looking events were kept/)

    const left = await AuditEvent.query().where('action', 'test.event').orderBy('id')
    assert.deepEqual(
      left.map((e) => e.id),
      events.slice(3).map((e) => e.id)
    )
    const young = await AuditEvent.query().where(
      'occurred_at',
      '>=',
      DateTime.utc().minus({ days: 180 }).toISO()!
    )
    assert.isAtLeast(young.length, 3)
    const result = await audit.verify()
    assert.isTrue(result.ok)
  })

  test('audit:purge records the operator and writes a signed checkpoint', async ({ assert }) => {
    await seedEvents(3)
    const old = DateTime.utc().minus({ days: 400 })
    await backdate((row, index) => (index < 2 ? old.toISO()! : row.occurredAt))
    const cutoff = DateTime.utc().minus({ days: 200 }).setZone('Asia/Shanghai').toISODate()!
    const command = await ace.create(AuditPurge, ['--before', cutoff])
    await command.exec()
    command.assertSucceeded()

    const purge = await AuditEvent.query().where('action', 'audit.purge').firstOrFail()
    assert.match(purge.actorName!, /^.+@.+ \(ace audit:purge\)$/)
    assert.match(String(purge.detailsObject.operator), /@/)
    const scan = await audit.newestCheckpoint()
    assert.isTrue(scan.ok)
    assert.equal(scan.ok && scan.newest?.payload.reason, 'purge')
    assert.equal(scan.ok && scan.newest?.payload.lastId, purge.id)
  })

  test('audit:verify and audit:checkpoint record the operator', async ({ assert }) => {
    await seedEvents(2)
    const checkpoint = await ace.create(AuditCheckpoint, [])
    await checkpoint.exec()
    checkpoint.assertSucceeded()
    checkpoint.assertLogMatches(/checkpoint written/)
    const verify = await ace.create(AuditVerify, [])
    await verify.exec()
    verify.assertSucceeded()
    verify.assertLogMatches(/consistent with the signed checkpoint/)

    for (const action of ['audit.checkpoint', 'audit.verify']) {
      const event = await AuditEvent.query().where('action', action).firstOrFail()
      assert.match(event.actorName!, /@.+\(ace audit:(checkpoint|verify)\)$/)
    }
  })

  test('audit:checkpoint refuses to bless a broken chain', async ({ assert }) => {
    const events = await seedEvents(3)
    const { default: db } = await import('@adonisjs/lucid/services/db')
    await db.from('audit_events').where('id', events[1].id).update({ details: '{"i":42}' })
    const command = await ace.create(AuditCheckpoint, [])
    await command.exec()
    command.assertFailed()
    command.assertLogMatches(/no checkpoint written/)
    const scan = await audit.newestCheckpoint()
    assert.isTrue(scan.ok && scan.newest === null)
  })
})
