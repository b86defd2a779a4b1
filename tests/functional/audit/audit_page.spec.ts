import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import audit from '#core/audit/audit_service'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { useFreshCheckpointDir } from '#tests/helpers/audit'

test.group('Audit log page for the auditor', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => useFreshCheckpointDir())

  test('actions are a dropdown of Chinese names, targets show names, details Beijing time', async ({
    client,
    assert,
  }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const target = await createUser({ username: 'zhaoliu', fullName: '赵六' })
    await audit.record({
      action: 'user.update',
      actorName: '王系统(admin)',
      targetType: 'user',
      targetId: target.id,
      details: { before: { fullName: '赵 六' }, after: { fullName: '赵六' } },
    })
    await audit.record({
      action: 'review.api_token.create',
      actorName: '王系统(admin)',
      details: { name: '对接', expiresAt: '2026-03-01T16:30:00.000Z' },
    })
    await audit.record({ action: 'auth.login', outcome: 'failure', details: { reason: 'x' } })

    const page = await client.get('/audit').loginAs(auditor)
    page.assertStatus(200)
    const html = page.text()
    assert.match(html, /<select name="action"[^>]*>/)
    assert.match(html, /<option value="auth\.login"[^>]*>登录<\/option>/)
    assert.match(html, /<option value="user\.update"[^>]*>修改用户<\/option>/)
    assert.include(html, '用户：赵六(zhaoliu)')
    assertNotIncludes(page, `user#${target.id}`)
    // 16:30 UTC is 00:30 the next day in Beijing
    assert.include(html, '2026-03-02 00:30:00')
    assertNotIncludes(page, '2026-03-01T16:30:00.000Z')

    const filtered = await client.get('/audit?action=auth.login').loginAs(auditor)
    filtered.assertTextIncludes('登录')
    assertNotIncludes(filtered, '修改用户</td>')
  })

  test('the CSV says 成功/失败 with Chinese action names and target names', async ({
    client,
    assert,
  }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const target = await createUser({ username: 'sunqi', fullName: '孙七' })
    await audit.record({
      action: 'user.disable',
      actorName: 'CSV测试',
      targetType: 'user',
      targetId: target.id,
    })
    await audit.record({ action: 'auth.login', actorName: 'CSV测试', outcome: 'failure' })
    const csv = await client.get('/audit?format=csv&actor=CSV测试').loginAs(auditor)
    const text = csv.text()
    assert.include(text, '停用用户')
    assert.include(text, '用户：孙七(sunqi)')
    assert.include(text, '成功')
    assert.include(text, '失败')
    assert.notInclude(text, ',success,')
    assert.notInclude(text, ',failure,')
  })
})

test.group('Audit CSV export at scale', (group) => {
  // Committed rows (a rollback of 100,000 inserts is far slower), removed afterwards.
  group.each.setup(() => async () => {
    await db.from('audit_events').where('action', 'test.bulk').delete()
  })

  test('the CSV export streams every matching row, beyond 100,000', async ({ client, assert }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const total = 100_050
    const row = {
      occurred_at: '2026-01-01T00:00:00.000Z',
      actor_id: null,
      actor_name: '批量导出',
      ip: null,
      action: 'test.bulk',
      target_type: null,
      target_id: null,
      outcome: 'success',
      details: '{}',
      key_id: null,
      prev_hash: '0'.repeat(64),
      hash: '0'.repeat(64),
    }
    for (let i = 0; i < total; i += 400) {
      await db
        .table('audit_events')
        .multiInsert(Array.from({ length: Math.min(400, total - i) }, () => row))
    }
    const csv = await client.get('/audit?format=csv&action=test.bulk').loginAs(auditor)
    csv.assertStatus(200)
    const lines = csv.text().split('\r\n').filter(Boolean)
    assert.equal(lines.length, total + 1)
  }).timeout(120000)
})
