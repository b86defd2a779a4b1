import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { boardAlerts, clearDashboardCache } from '#network_monitoring/alerts/alert_queries'
import { createDevice, createSite } from '#tests/helpers/network'

const STAMP = '2026-03-01 02:00:00'

function alertRow(
  n: number,
  values: { state: string; grade: number; siteId: number; deviceId: number | null }
) {
  return {
    condition_key: `board:${n}`,
    open_key: values.state === 'open' || values.state === 'acknowledged' ? `board:${n}` : null,
    state: values.state,
    category_group: 'malware',
    category: 'trojan',
    grade: values.grade,
    computed_grade: values.grade,
    device_id: values.deviceId,
    site_id: values.siteId,
    source: 'platform',
    rule: 'platform',
    summary_text: '检测到木马病毒外联',
    count: 1,
    sites_affected: 1,
    first_seen_at: STAMP,
    last_seen_at: STAMP,
    is_flapping: false,
    created_at: STAMP,
    updated_at: STAMP,
  }
}

test.group('Status board | live alerts at scale', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('counts per town and worst grade per device come from GROUP BY, not from every live alert', async ({
    assert,
  }) => {
    const county = await createSite('county')
    const town = await createSite('town', undefined, county)
    const villages = [
      await createSite('village', undefined, town),
      await createSite('village', undefined, town),
    ]
    const router = await createDevice(town, { deviceType: 'access_router' })
    const switches = [await createDevice(villages[0]), await createDevice(villages[1])]
    const core = await createDevice(county)

    const rows = []
    let n = 0
    // 2,000 live alerts in the town (router and both villages), grade IV except one III …
    for (let i = 0; i < 2000; i++) {
      const device = [router, ...switches][i % 3]
      rows.push(
        alertRow(n++, {
          state: i % 2 ? 'open' : 'acknowledged',
          grade: i === 1001 ? 3 : 4,
          siteId: device.siteId,
          deviceId: device.id,
        })
      )
    }
    // … 500 at the county, one of them 特别重大 I; and alerts that are not live.
    for (let i = 0; i < 500; i++) {
      rows.push(
        alertRow(n++, {
          state: 'open',
          grade: i === 7 ? 1 : 4,
          siteId: county.id,
          deviceId: core.id,
        })
      )
    }
    for (const state of ['suppressed', 'resolved', 'closed']) {
      for (let i = 0; i < 300; i++) {
        rows.push(alertRow(n++, { state, grade: 1, siteId: town.id, deviceId: router.id }))
      }
    }
    for (let i = 0; i < rows.length; i += 200) {
      await db.table('alerts').multiInsert(rows.slice(i, i + 200))
    }

    // Written straight into the table (no alert change was emitted): forget cached figures.
    clearDashboardCache()
    let rowsRead = 0
    const knex = db.connection().getWriteClient()
    const count = (response: unknown) => {
      if (Array.isArray(response)) rowsRead += response.length
    }
    knex.on('query-response', count)
    let board
    try {
      board = await boardAlerts(8)
    } finally {
      knex.off('query-response', count)
    }

    assert.equal(board.total, 2500)
    assert.deepEqual(board.groups[String(town.id)], { count: 2000, worst: 3 })
    assert.deepEqual(board.groups.county, { count: 500, worst: 1 })
    assert.equal(board.devices[String(core.id)], 1)
    assert.equal(board.devices[String(router.id)], 4)
    assert.equal(board.devices[String(switches[0].id)], 4)
    // alert 1001 (the III) is on [router, village 1, village 2][1001 % 3]: village 2
    assert.equal(board.devices[String(switches[1].id)], 3)
    assert.lengthOf(board.latest, 8)
    const newest = await db
      .from('alerts')
      .whereIn('state', ['open', 'acknowledged'])
      .max('id as id')
      .first()
    assert.equal(board.newestId, Number(newest.id))
    assert.equal(board.latest[0].id, Number(newest.id))
    assert.isBelow(rowsRead, 100, `the board read ${rowsRead} rows for 2,500 live alerts`)
  })
})
