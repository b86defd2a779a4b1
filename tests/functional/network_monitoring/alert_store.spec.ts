import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Alert from '#network_monitoring/models/alert'
import AlertEvent from '#network_monitoring/models/alert_event'
import DeviceState from '#network_monitoring/models/device_state'
import MaintenanceWindow from '#network_monitoring/models/maintenance_window'
import AuditEvent from '#core/audit/audit_event'
import { AlertStore } from '#network_monitoring/alerts/alert_store'
import { alertSink, onAlertChanges, type AlertChange } from '#network_monitoring/alerts/contract'
import { createDevice, createSite, createSiteTree } from '#tests/helpers/network'
import { threat, unreachable } from '#tests/helpers/alerts'

const MIN = 60_000

function listen() {
  const heard: AlertChange[] = []
  const stop = onAlertChanges(async (changes) => {
    heard.push(...changes)
  })
  return { heard, stop }
}

test.group('Alert store (AlertSink)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the store is registered at boot as the alert sink', ({ assert }) => {
    assert.instanceOf(alertSink(), AlertStore)
  })

  test('a signal raises one open, classified and graded alert, with timeline and audit', async ({
    assert,
  }) => {
    const { town } = await createSiteTree()
    const device = await createDevice(town, { criticality: 'critical' })
    const { heard, stop } = listen()
    const outcome = await alertSink().raise([unreachable(device)])
    stop()
    assert.deepInclude(outcome, { created: 1, updated: 0, duplicates: 0, suppressed: 0 })
    const alert = await Alert.query().where('device_id', device.id).firstOrFail()
    assert.equal(alert.state, 'open')
    assert.equal(alert.categoryGroup, 'facility_fault')
    assert.equal(alert.category, 'software_hardware_fault')
    assert.equal(alert.grade, 3, 'critical device → 较大 III')
    assert.equal(alert.siteId, town.id)
    assert.equal(alert.summaryKey, 'alerts.summary.unreachable')
    assert.deepEqual(alert.summaryParams, { device: device.name, failures: 2 })
    const events = await AlertEvent.query().where('alert_id', alert.id)
    assert.deepEqual(
      events.map((e) => e.type),
      ['raised']
    )
    const audited = await AuditEvent.query()
      .where('action', 'alert.raise')
      .where('target_id', String(alert.id))
    assert.lengthOf(audited, 1)
    assert.deepEqual(
      heard.map((c) => [c.type, c.alertId, c.grade]),
      [['raised', alert.id, 3]]
    )
  })

  test('repeats of a condition update the one open alert (count, last seen)', async ({
    assert,
  }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    const t0 = new Date('2026-03-01T02:00:00Z')
    await alertSink().raise([unreachable(device, t0)])
    const { heard, stop } = listen()
    const outcome = await alertSink().raise([
      unreachable(device, new Date(t0.getTime() + MIN)),
      unreachable(device, new Date(t0.getTime() + 2 * MIN)),
    ])
    stop()
    assert.deepInclude(outcome, { created: 0, updated: 1 })
    const alerts = await Alert.query().where('device_id', device.id)
    assert.lengthOf(alerts, 1)
    assert.equal(alerts[0].count, 3)
    assert.equal(alerts[0].firstSeenAt.toMillis(), t0.getTime())
    assert.equal(alerts[0].lastSeenAt.toMillis(), t0.getTime() + 2 * MIN)
    assert.deepEqual(
      heard.map((c) => c.type),
      ['updated']
    )
  })

  test('a condition repeating every minute is summarised in the timeline and the audit trail, not written per repeat', async ({
    assert,
  }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    const t0 = new Date('2026-03-01T02:00:00Z')
    for (let minute = 0; minute < 30; minute++) {
      await alertSink().raise([unreachable(device, new Date(t0.getTime() + minute * MIN))])
    }
    const alert = await Alert.query().where('device_id', device.id).firstOrFail()
    assert.equal(alert.count, 30, 'the alert keeps the exact count')
    assert.equal(alert.lastSeenAt.toMillis(), t0.getTime() + 29 * MIN)
    const updates = await AlertEvent.query().where('alert_id', alert.id).where('type', 'updated')
    assert.deepEqual(
      updates.map((e) => (e.details as { count: number }).count),
      [2, 10],
      'the timeline notes the first repeat and each tenfold count'
    )
    const audited = await AuditEvent.query()
      .where('action', 'alert.update')
      .where('target_id', String(alert.id))
    assert.lengthOf(audited, 2, 'one audit row per milestone, not one per raise() call')

    await alertSink().recover(
      [`unreachable:device:${device.id}`],
      new Date(t0.getTime() + 31 * MIN)
    )
    const resolved = await AuditEvent.query()
      .where('action', 'alert.resolve')
      .where('target_id', String(alert.id))
      .firstOrFail()
    assert.equal(resolved.detailsObject.count, 30, 'the resolve row sums up')
  })

  test('a clock jump backwards never moves last seen back', async ({ assert }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    const t0 = new Date('2026-03-01T02:00:00Z')
    await alertSink().raise([unreachable(device, t0)])
    await alertSink().raise([unreachable(device, new Date(t0.getTime() - 30 * MIN))])
    const alert = await Alert.query().where('device_id', device.id).firstOrFail()
    assert.equal(alert.lastSeenAt.toMillis(), t0.getTime())
    assert.equal(alert.count, 2)
  })

  test('a replayed sender event id stores nothing new, also inside one batch', async ({
    assert,
  }) => {
    const first = await alertSink().raise([threat('evt-1'), threat('evt-1')])
    assert.deepInclude(first, { created: 1, duplicates: 1 })
    const again = await alertSink().raise([threat('evt-1'), threat('evt-2')])
    assert.deepInclude(again, { created: 0, updated: 1, duplicates: 1 })
    const third = await alertSink().raise([threat('evt-2')])
    assert.deepInclude(third, { updated: 0, duplicates: 1 })
    const alert = await Alert.query().where('category', 'trojan').firstOrFail()
    assert.equal(alert.count, 2)
    assert.equal(alert.externalId, 'evt-1')
    assert.equal(alert.rawType, '木马病毒')
  })

  test('an unknown category is kept as 其他 with the raw type', async ({ assert }) => {
    await alertSink().raise([
      threat('evt-x', { category: 'quantum-foo', rawType: null, conditionKey: 'platform:x' }),
    ])
    const alert = await Alert.query().where('condition_key', 'platform:x').firstOrFail()
    assert.equal(alert.category, 'other')
    assert.equal(alert.categoryGroup, 'other_event')
    assert.equal(alert.rawType, 'quantum-foo')
  })

  test('a device in a maintenance window: its signal is suppressed and counted', async ({
    assert,
  }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    const now = DateTime.utc()
    await MaintenanceWindow.create({
      deviceId: device.id,
      startsAt: now.minus({ hours: 1 }),
      endsAt: now.plus({ hours: 1 }),
      reason: '换设备',
    })
    const outcome = await alertSink().raise([
      unreachable(device, now.toJSDate()),
      unreachable(device, now.plus({ hours: 2 }).toJSDate()),
    ])
    assert.deepInclude(outcome, { created: 1, suppressed: 1 })
  })

  test('recovery auto-resolves a fault alert; a threat needs a human', async ({ assert }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    const t0 = new Date('2026-03-01T02:00:00Z')
    await alertSink().raise([unreachable(device, t0), threat('evt-9')])
    const { heard, stop } = listen()
    const resolved = await alertSink().recover(
      [`unreachable:device:${device.id}`, 'platform:trojan:10.1.1.1'],
      new Date(t0.getTime() + 5 * MIN)
    )
    stop()
    assert.equal(resolved, 1)
    const fault = await Alert.query().where('device_id', device.id).firstOrFail()
    assert.equal(fault.state, 'resolved')
    assert.isNull(fault.resolvedById)
    assert.equal(fault.minutesToResolve, 5)
    const threatAlert = await Alert.query().where('category', 'trojan').firstOrFail()
    assert.equal(threatAlert.state, 'open')
    assert.deepEqual(
      heard.map((c) => [c.type, c.alertId]),
      [['resolved', fault.id]]
    )
    // The condition comes back: a new alert, not the resolved one reopened.
    await alertSink().raise([unreachable(device, new Date(t0.getTime() + 60 * MIN))])
    assert.lengthOf(await Alert.query().where('device_id', device.id), 2)
  })

  test('a town router down: its villages are suppressed and linked, one alert for one cause', async ({
    assert,
  }) => {
    const county = await createSite('county')
    const town = await createSite('town', undefined, county)
    const villages = [
      await createSite('village', undefined, town),
      await createSite('village', undefined, town),
    ]
    const router = await createDevice(town, { deviceType: 'access_router' })
    const children = [
      await createDevice(villages[0], { parentDeviceId: router.id }),
      await createDevice(villages[1], { parentDeviceId: router.id }),
    ]
    const t0 = new Date('2026-03-01T02:00:00Z')
    // One village noticed first, then the router and the other village in one batch.
    await alertSink().raise([unreachable(children[0], t0)])
    const { heard, stop } = listen()
    const outcome = await alertSink().raise([unreachable(children[1], t0), unreachable(router, t0)])
    stop()
    assert.equal(outcome.linked, 2)
    const parent = await Alert.query().where('device_id', router.id).firstOrFail()
    assert.equal(parent.state, 'open')
    assert.equal(parent.sitesAffected, 3)
    const linked = await Alert.query().where('parent_alert_id', parent.id).orderBy('device_id')
    assert.deepEqual(
      linked.map((a) => [a.deviceId, a.state]),
      children.map((c) => [c.id, 'suppressed'])
    )
    assert.deepEqual(
      heard.filter((c) => c.type === 'raised').map((c) => c.alertId),
      [parent.id],
      'only the cause is news'
    )
    // Later signals of a village stay behind the parent.
    await alertSink().raise([unreachable(children[0], new Date(t0.getTime() + MIN))])
    assert.lengthOf(
      await Alert.query().whereIn('device_id', [router.id, ...children.map((c) => c.id)]),
      3
    )

    // The router recovers: a village still down becomes its own alert, the other resolves.
    await DeviceState.createMany([
      { deviceId: children[0].id, status: 'down', consecutiveFailures: 3 },
      { deviceId: children[1].id, status: 'up', consecutiveFailures: 0 },
    ])
    await alertSink().recover(
      [`unreachable:device:${router.id}`],
      new Date(t0.getTime() + 10 * MIN)
    )
    const after = await Alert.query()
      .whereIn('id', [parent.id, ...linked.map((a) => a.id)])
      .orderBy('id')
    const byDevice = new Map(after.map((a) => [a.deviceId, a.state]))
    assert.equal(byDevice.get(router.id), 'resolved')
    assert.equal(byDevice.get(children[0].id), 'open')
    assert.equal(byDevice.get(children[1].id), 'resolved')
  })

  test('the grade follows the scope and the duration: 10 villages linked → III, down 4 hours → III on the minute tick', async ({
    assert,
  }) => {
    const county = await createSite('county')
    const town = await createSite('town', undefined, county)
    const router = await createDevice(town, { deviceType: 'access_router' })
    const villages = []
    for (let i = 0; i < 10; i++) {
      const site = await createSite('village', undefined, town)
      villages.push(await createDevice(site, { parentDeviceId: router.id }))
    }
    const t0 = new Date('2026-03-01T02:00:00Z')
    const { heard, stop } = listen()
    await alertSink().raise([unreachable(router, t0)])
    let parent = await Alert.query().where('device_id', router.id).firstOrFail()
    assert.equal(parent.grade, 4, 'one town site: 一般 IV')
    // The villages notice one after another, each in a later poll.
    for (const [i, village] of villages.entries()) {
      await alertSink().raise([unreachable(village, new Date(t0.getTime() + (i + 1) * 1000))])
    }
    await parent.refresh()
    assert.equal(parent.sitesAffected, 11)
    assert.equal(parent.grade, 3, '11 sites affected: 较大 III')
    assert.include(
      heard.filter((c) => c.type === 'reclassified').map((c) => c.alertId),
      parent.id,
      'the notifier hears of the new grade'
    )
    stop()
    const timeline = await AlertEvent.query()
      .where('alert_id', parent.id)
      .where('type', 'reclassified')
    assert.lengthOf(timeline, 1)

    // A lone village router down for hours, nothing else happening: the minute tick regrades.
    const lonely = await createDevice(await createSite('town', undefined, county))
    await alertSink().raise([unreachable(lonely, t0)])
    const store = alertSink() as AlertStore
    assert.equal(await store.regradeLive(new Date(t0.getTime() + 3 * 60 * MIN)), 0)
    let alert = await Alert.query().where('device_id', lonely.id).firstOrFail()
    assert.equal(alert.grade, 4)
    assert.equal(await store.regradeLive(new Date(t0.getTime() + 4 * 60 * MIN + MIN)), 1)
    alert = await Alert.query().where('device_id', lonely.id).firstOrFail()
    assert.equal(alert.grade, 3, 'down over 4 hours: 较大 III')
    assert.equal(alert.lastSeenAt.toMillis(), t0.getTime(), 'the tick is not a signal')
    parent = await Alert.query().where('device_id', router.id).firstOrFail()
    assert.equal(parent.grade, 3)
  })

  test('a flapping condition is marked 抖动 and not re-raised or re-resolved per flap', async ({
    assert,
  }) => {
    const store = new AlertStore()
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    const key = `unreachable:device:${device.id}`
    const t0 = new Date('2026-03-01T02:00:00Z').getTime()
    for (let i = 0; i < 10; i++) {
      await store.raise([unreachable(device, new Date(t0 + 2 * i * MIN))])
      await store.recover([key], new Date(t0 + (2 * i + 1) * MIN))
    }
    const alerts = await Alert.query().where('device_id', device.id).orderBy('id')
    assert.isBelow(alerts.length, 5, 'flaps after the first few do not raise new alerts')
    const last = alerts[alerts.length - 1]
    assert.isTrue(last.isFlapping)
    assert.equal(last.state, 'open', 'not resolved per flap')
    // It calms down: the window moves on and the alert resolves (the condition is OK).
    const settled = await store.settleFlapping(new Date(t0 + 60 * MIN))
    assert.equal(settled, 1)
    await last.refresh()
    assert.equal(last.state, 'resolved')
    assert.isFalse(last.isFlapping)
  })

  test('10,000 signals of one condition make one alert', async ({ assert }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    const t0 = Date.now()
    const signals = Array.from({ length: 10_000 }, (_, i) =>
      unreachable(device, new Date(t0 + i * 10))
    )
    const started = Date.now()
    await Promise.all([
      alertSink().raise(signals.slice(0, 5000)),
      alertSink().raise(signals.slice(5000)),
    ])
    const elapsed = Date.now() - started
    const alerts = await Alert.query().where('device_id', device.id)
    assert.lengthOf(alerts, 1)
    assert.equal(alerts[0].count, 10_000)
    assert.isBelow(elapsed, 10_000)
    const timeline = await db.from('alert_events').where('alert_id', alerts[0].id).count('* as n')
    assert.isAtMost(Number(timeline[0].n), 3, 'one timeline entry per batch, not per signal')
  })
})
