import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import audit from '#core/audit/audit_service'
import UserRole from '#identity/models/user_role'
import { createUser } from '#tests/helpers/identity'
import { createDevice, createSiteTree } from '#tests/helpers/network'
import { unreachable } from '#tests/helpers/alerts'
import { alertSink } from '#network_monitoring/alerts/contract'

test.group('等保 evidence page', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the auditor sees live figures per control, including a forbidden role pair', async ({
    client,
  }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    await audit.record({ actorName: 'test', action: 'audit.verify', details: { checked: 42 } })
    const page = await client.get('/compliance').loginAs(auditor)
    page.assertStatus(200)
    page.assertTextIncludes('等保测评佐证')
    page.assertTextIncludes('校验 42 条')
    page.assertTextIncludes('哈希链完整')
    page.assertTextIncludes('未清理 180 天内的日志')
    page.assertTextIncludes('无违规兼任')
    page.assertTextIncludes('近30天没有告警记录')

    // a row written behind the application's back: the page shows it at once
    const bad = await createUser({ roles: ['sysadmin'], username: 'both_hats' })
    await UserRole.create({ userId: bad.id, role: 'netadmin' })
    const again = await client.get('/compliance').loginAs(auditor)
    again.assertTextIncludes('both_hats：')
    again.assertTextIncludes('1 个账号违规兼任')
  })

  test('alert response times appear once alerts exist', async ({ client }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const now = Date.now()
    const sql = (minutesAgo: number) =>
      new Date(now - minutesAgo * 60_000).toISOString().slice(0, 19).replace('T', ' ')
    const { town } = await createSiteTree('佐证')
    const a = await createDevice(town)
    const b = await createDevice(town)
    await alertSink().raise([
      unreachable(a, new Date(now - 60 * 60_000)),
      unreachable(b, new Date(now - 40 * 60_000)),
    ])
    const [first, second] = await db.from('alerts').orderBy('id').select('id')
    await db
      .from('alerts')
      .where('id', first.id)
      .update({ first_seen_at: sql(60), acknowledged_at: sql(50), resolved_at: sql(30) })
    await db
      .from('alerts')
      .where('id', second.id)
      .update({ first_seen_at: sql(40), acknowledged_at: sql(20) })
    const page = await client.get('/compliance').loginAs(auditor)
    page.assertTextIncludes('近30天告警 2 条；MTTA 15 分钟；MTTR 30 分钟')
  })

  test('only the auditor opens it', async ({ client }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const response = await client.get('/compliance').loginAs(admin)
    response.assertStatus(403)
  })
})
