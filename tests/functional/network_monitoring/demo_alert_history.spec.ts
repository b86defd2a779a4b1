import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Alert from '#network_monitoring/models/alert'
import AlertHandlingRecord from '#network_monitoring/models/alert_handling_record'
import { seedIdentity } from '#database/seeders/demo/identity'
import { seedNetwork } from '#database/seeders/demo/network'
import { DEMO_OUTAGES, seedAlertHistory } from '#database/seeders/demo/alert_history'
import { freeBasePort } from '#tests/helpers/network'

test.group('Demo data | a year of alert history', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('140 security events (木马 134, 恶意软件 2, 勒索 4) and outages over the year, once', async ({
    assert,
  }) => {
    await seedIdentity()
    await seedNetwork(() => {}, { basePort: freeBasePort() })
    const now = DateTime.fromISO('2026-11-29T12:00:00Z')
    const result = await seedAlertHistory(() => {}, now)
    assert.isNotNull(result)

    const rows: { category: string; n: number | string }[] = await db
      .from('alerts')
      .where('source', 'platform')
      .groupBy('category')
      .select('category')
      .count('* as n')
    const threats = Object.fromEntries(rows.map((row) => [row.category, Number(row.n)]))
    assert.deepEqual(threats, { trojan: 134, malware_other: 2, ransomware: 4 })

    const outages = await Alert.query()
      .where('category', 'software_hardware_fault')
      .whereNull('parent_alert_id')
    assert.lengthOf(outages, DEMO_OUTAGES)
    assert.isTrue(outages.every((alert) => alert.resolvedAt !== null))
    const linked = await Alert.query().whereNotNull('parent_alert_id')
    assert.isAbove(linked.length, 0, 'a town router outage has its villages linked')

    const all = await Alert.query()
    const yearAgo = now.minus({ days: 366 })
    assert.isTrue(all.every((a) => a.firstSeenAt > yearAgo && a.firstSeenAt < now))
    const months = new Set(all.map((a) => a.firstSeenAt.toFormat('yyyy-MM')))
    assert.isAtLeast(months.size, 12, 'spread over the whole year')
    // Three threats are still being handled; everything else has been acknowledged and handled.
    const live = all.filter((a) => a.state === 'open' || a.state === 'acknowledged')
    assert.deepEqual(live.map((a) => a.state).sort(), ['acknowledged', 'acknowledged', 'open'])
    const closedThreats = all.filter((a) => a.source === 'platform' && a.state === 'closed')
    assert.lengthOf(closedThreats, 137)
    for (const alert of closedThreats) {
      assert.isTrue(
        alert.acknowledgedAt! < alert.resolvedAt! && alert.resolvedAt! < alert.closedAt!
      )
    }
    const records = await AlertHandlingRecord.query().whereIn(
      'alert_id',
      closedThreats.map((a) => a.id)
    )
    assert.lengthOf(records, 137)

    assert.isNull(await seedAlertHistory(() => {}, now))
  }).timeout(120_000)
})
