import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import type SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import { alertSink } from '#network_monitoring/alerts/contract'
import { unreachable } from '#tests/helpers/alerts'
import {
  alertsOf,
  e2eJob,
  pollAll,
  resetRules,
  seedTownOne,
  startE2eSimulator,
  testClock,
} from '#tests/helpers/alert_rules_e2e'

const clock = testClock()

test.group('Alert rules | end to end with the simulator and the alert store', (group) => {
  let simulator: SnmpSimulator
  group.each.setup(() => {
    resetRules()
    return testUtils.db().wrapInGlobalTransaction()
  })
  group.setup(async () => {
    simulator = await startE2eSimulator(clock.now)
    return () => simulator.stop()
  })
  group.each.teardown(() => simulator.clearFaults())

  test('a town router going down raises one 设备设施故障 alert; its villages are linked to it; recovery resolves them', async ({
    assert,
  }) => {
    const { router, villages } = await seedTownOne(simulator)
    const job = e2eJob(clock.now)
    try {
      await pollAll(job)
      assert.lengthOf(await alertsOf([router, ...villages]), 0)

      simulator.setFaults('town-01-rtr', { down: true })
      clock.advance(60_000)
      await pollAll(job)
      assert.lengthOf(await alertsOf([router, ...villages]), 0, 'not down on the first miss')

      clock.advance(60_000)
      await pollAll(job)
      const alerts = await alertsOf([router, ...villages])
      const parent = alerts.find((row) => row.device_id === router.id)
      assert.exists(parent)
      assert.equal(parent.category_group, 'facility_fault')
      assert.equal(parent.category, 'software_hardware_fault')
      assert.equal(parent.rule, 'unreachable')
      const live = alerts.filter((row) => row.state === 'open' || row.state === 'acknowledged')
      assert.deepEqual(
        live.map((row) => row.device_id),
        [router.id],
        'one open alert for one cause'
      )
      const children = alerts.filter((row) => row.device_id !== router.id)
      assert.lengthOf(children, villages.length)
      for (const child of children) {
        assert.equal(child.state, 'suppressed')
        assert.equal(child.parent_alert_id, parent.id)
      }

      simulator.clearFaults('town-01-rtr')
      clock.advance(60_000)
      await pollAll(job)
      const after = await alertsOf([router, ...villages])
      for (const row of after)
        assert.equal(row.state, 'resolved', `alert of device ${row.device_id}`)
    } finally {
      await job.close()
    }
  })

  test('a threat counter increase on a firewall raises a 特洛伊木马 alert counting the detections', async ({
    assert,
  }) => {
    const { firewall } = await seedTownOne(simulator)
    const job = e2eJob(clock.now)
    try {
      await pollAll(job)
      clock.advance(60_000)
      await pollAll(job)
      assert.lengthOf(await alertsOf([firewall]), 0, 'the first reading is only the baseline')

      simulator.detectThreat('xian-fw-01', 'trojan', 2)
      clock.advance(60_000)
      await pollAll(job)
      const [alert, ...more] = await alertsOf([firewall])
      assert.lengthOf(more, 0)
      assert.equal(alert.category_group, 'malware')
      assert.equal(alert.category, 'trojan')
      assert.equal(alert.source, 'counter')
      assert.equal(alert.raw_type, 'trojanDetected')
      assert.equal(alert.count, 2)
      // a critical device (the firewall): 较大 III under GB/T 20986-2023 §6
      assert.equal(alert.grade, 3)
      assert.equal(alert.state, 'open')

      simulator.detectThreat('xian-fw-01', 'trojan', 1)
      clock.advance(60_000)
      await pollAll(job)
      const [same, ...none] = await alertsOf([firewall])
      assert.lengthOf(none, 0, 'the same threat on the same device updates one alert')
      assert.equal(same.count, 3)

      const states = await db.from('alert_rule_states').where('state_key', `device:${firewall.id}`)
      assert.lengthOf(states, 1, 'the last counter values are kept for a restart')
    } finally {
      await job.close()
    }
  })

  for (const order of ['parent first', 'children first']) {
    test(`a town router and its villages recovering in one batch (${order}) resolve once each`, async ({
      assert,
    }) => {
      const { router, villages } = await seedTownOne(simulator)
      const at = new Date(clock.now() - 5 * 60_000)
      await alertSink().raise([unreachable(router, at), ...villages.map((v) => unreachable(v, at))])
      const keys = [router, ...villages].map((device) => `unreachable:device:${device.id}`)
      if (order === 'children first') keys.reverse()
      await alertSink().recover(keys, new Date(clock.now()))
      const rows = await alertsOf([router, ...villages])
      assert.lengthOf(rows, villages.length + 1)
      for (const row of rows)
        assert.equal(row.state, 'resolved', `alert of device ${row.device_id}`)
      const events = await db
        .from('alert_events')
        .whereIn(
          'alert_id',
          rows.map((row) => row.id)
        )
        .where('type', 'resolved')
      assert.lengthOf(events, rows.length, 'one resolved event per alert')
    })
  }
})
