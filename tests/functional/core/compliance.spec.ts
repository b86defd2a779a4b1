import { monitorEventLoopDelay } from 'node:perf_hooks'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import audit from '#core/audit/audit_service'
import UserRole from '#identity/models/user_role'
import { createUser } from '#tests/helpers/identity'
import { createDevice, createSiteTree } from '#tests/helpers/network'
import { unreachable } from '#tests/helpers/alerts'
import { alertSink } from '#network_monitoring/alerts/contract'
import { clearDashboardCache } from '#network_monitoring/alerts/alert_queries'

test.group('等保 evidence page', (group) => {
  group.each.setup(() => {
    // the alert figures come from the 告警态势 aggregate, cached for 30 s
    clearDashboardCache()
    return testUtils.db().wrapInGlobalTransaction()
  })

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

  test('the page does not hold the server with 50,000 alerts in the month (figures from one SQL aggregate)', async ({
    client,
    assert,
  }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const now = Date.now()
    const sql = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
    const rows = Array.from({ length: 50_000 }, (_, i) => {
      const first = now - ((i % 28) + 1) * 86_400_000
      return {
        condition_key: `bulk:${i}`,
        state: 'closed',
        category_group: 'harmful_program',
        category: 'trojan',
        grade: 4,
        computed_grade: 4,
        source: 'push',
        rule: 'push',
        first_seen_at: sql(first),
        last_seen_at: sql(first),
        acknowledged_at: sql(first + 10 * 60_000),
        resolved_at: sql(first + 40 * 60_000),
        created_at: sql(now),
        updated_at: sql(now),
      }
    })
    for (let i = 0; i < rows.length; i += 500) {
      await db.table('alerts').multiInsert(rows.slice(i, i + 500))
    }
    // the longest stretch the event loop was held while the page was built
    const delay = monitorEventLoopDelay({ resolution: 10 })
    delay.enable()
    const page = await client.get('/compliance').loginAs(auditor)
    delay.disable()
    page.assertTextIncludes('近30天告警 50000 条；MTTA 10 分钟；MTTR 40 分钟')
    // it loaded and diffed every row in JavaScript: about 3 s here, the whole server waiting
    assert.isBelow(delay.max / 1e6, 1000)
  }).timeout(60_000)

  test('only the auditor opens it', async ({ client }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const response = await client.get('/compliance').loginAs(admin)
    response.assertStatus(403)
  })
})
