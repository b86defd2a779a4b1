import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import ace from '@adonisjs/core/services/ace'
import SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import PollJob from '#network_monitoring/jobs/poll_job'
import { PollStore } from '#network_monitoring/services/poll_store'
import DeviceState from '#network_monitoring/models/device_state'
import DeviceInterface from '#network_monitoring/models/device_interface'
import AuditEvent from '#core/audit/audit_event'
import SnmpPoll from '#commands/snmp_poll'
import {
  createDevice,
  createSiteTree,
  devicesFor,
  freeBasePort,
  recordingLogger,
} from '#tests/helpers/network'

const FAST = { snmpTimeoutMs: 300, snmpRetries: 0, snmpConcurrency: 8 }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A store whose database can be "unplugged": every call fails like a refused connection. */
class UnpluggableStore extends PollStore {
  down = false

  #check() {
    if (this.down) {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {
        code: 'ECONNREFUSED',
      })
    }
  }

  async loadTargets(nowMs?: number) {
    this.#check()
    return super.loadTargets(nowMs)
  }

  async loadSamples(ids: number[]) {
    this.#check()
    return super.loadSamples(ids)
  }

  async write(...args: Parameters<PollStore['write']>) {
    this.#check()
    return super.write(...args)
  }
}

test.group('Polling', (group) => {
  let simulator: SnmpSimulator
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.setup(async () => {
    simulator = await SnmpSimulator.start({ devices: 6, basePort: freeBasePort() })
    return () => simulator.stop()
  })
  group.each.teardown(() => simulator.clearFaults())

  test('a poll stores the latest state, one poll row, and rates from the second poll on', async ({
    assert,
  }) => {
    const { county } = await createSiteTree()
    const [core] = await devicesFor(simulator.endpoints.slice(0, 1), county, {
      deviceType: 'core_switch',
    })
    const job = new PollJob({ settings: FAST })
    try {
      const first = await job.tick()
      assert.isFalse(first.skipped)
      if (first.skipped) return
      assert.equal(first.due, 1)
      assert.equal(first.ok, 1)
      assert.equal(first.written, 1)
      const state = await DeviceState.findOrFail(core.id)
      assert.equal(state.status, 'up')
      assert.equal(state.sysName, 'xian-core-01')
      assert.include(state.sysDescr!, 'HUAWEI')
      assert.equal(state.interfaceCount, 48)
      assert.isAbove(state.cpuLoad!, 0)
      const interfaces = await DeviceInterface.query().where('device_id', core.id)
      assert.lengthOf(interfaces, 48)
      assert.isNull(interfaces[0].inBps)

      const early = await job.tick()
      assert.equal(!early.skipped && early.due, 0, 'not due again before its interval')

      await sleep(1100)
      const second = await job.tick({ force: true })
      assert.isFalse(second.skipped)
      const uplink = await DeviceInterface.query()
        .where('device_id', core.id)
        .where('if_index', 1)
        .firstOrFail()
      assert.isAbove(uplink.inBps!, 100e6)
      assert.equal(uplink.speedBps, 10e9)
      assert.match(uplink.lastInOctets!, /^\d+$/)
      const polls = await db.from('device_polls').where('device_id', core.id)
      assert.lengthOf(polls, 2)
      assert.isTrue(Boolean(polls[1].ok))
      const samples = await db.from('interface_samples').where('interface_id', uplink.id)
      assert.lengthOf(samples, 1)
    } finally {
      await job.close()
    }
  })

  test('a dead device goes down, is audited, and comes back up', async ({ assert }) => {
    const { town } = await createSiteTree()
    const devices = await devicesFor(simulator.endpoints.slice(4, 6), town)
    const job = new PollJob({ settings: FAST })
    try {
      await job.tick()
      simulator.setFaults(5, { down: true })
      const report = await job.tick({ force: true })
      assert.isFalse(report.skipped)
      if (report.skipped) return
      assert.equal(report.ok, 1)
      assert.equal(report.failed, 1)
      const dead = await DeviceState.findOrFail(devices[1].id)
      assert.equal(dead.status, 'down')
      assert.equal(dead.consecutiveFailures, 1)
      assert.equal(dead.lastErrorCode, 'E_SNMP_TIMEOUT')
      const alive = await DeviceState.findOrFail(devices[0].id)
      assert.equal(alive.status, 'up')
      await AuditEvent.query()
        .where('action', 'device.down')
        .where('target_id', String(devices[1].id))
        .firstOrFail()

      simulator.clearFaults(5)
      await job.tick({ force: true })
      const back = await DeviceState.findOrFail(devices[1].id)
      assert.equal(back.status, 'up')
      await AuditEvent.query().where('action', 'device.up').firstOrFail()
    } finally {
      await job.close()
    }
  })

  test('the database unavailable during a poll: results are buffered, logged, and written on the next tick', async ({
    assert,
  }) => {
    const { town } = await createSiteTree()
    const devices = await devicesFor(simulator.endpoints.slice(4, 6), town, {
      pollIntervalSeconds: 10,
    })
    const store = new UnpluggableStore()
    const logger = recordingLogger()
    const job = new PollJob({ settings: FAST, store, logger })
    try {
      await job.tick()
      store.down = true
      await sleep(1100)
      const during = await job.tick({ force: true })
      assert.isFalse(during.skipped)
      if (during.skipped) return
      assert.equal(during.ok, 2, 'the last known devices are still polled')
      assert.equal(during.written, 0)
      assert.equal(during.buffered, 2)
      assert.equal(job.buffered, 2)
      assert.isTrue(
        logger.lines.some(
          (line) =>
            line.level === 'warn' && line.message.includes('poll results buffered in memory')
        )
      )
      assert.lengthOf(
        await db.from('device_polls').whereIn(
          'device_id',
          devices.map((d) => d.id)
        ),
        2
      )

      await sleep(1100)
      const still = await job.tick({ force: true })
      assert.equal(!still.skipped && still.buffered, 4)
      assert.isTrue(logger.lines.some((line) => line.message.includes('still unavailable')))

      store.down = false
      await sleep(1100)
      const after = await job.tick({ force: true })
      assert.isFalse(after.skipped)
      if (after.skipped) return
      assert.equal(after.flushed, 4)
      assert.equal(after.written, 2)
      assert.equal(job.buffered, 0)
      assert.isTrue(logger.lines.some((line) => line.message.includes('wrote 4 buffered')))
      const polls = await db.from('device_polls').whereIn(
        'device_id',
        devices.map((d) => d.id)
      )
      assert.lengthOf(polls, 8, 'nothing was lost: 1 + 2 buffered + 1 per device')
      const samples = await db
        .from('interface_samples as s')
        .join('device_interfaces as i', 'i.id', 's.interface_id')
        .where('i.device_id', devices[0].id)
        .countDistinct('s.ts as n')
      assert.equal(Number(samples[0].n), 3, 'rates of the buffered polls were kept too')
      const mark = await db.from('monitoring_marks').where('name', 'rollup.dirty_from_ts').first()
      assert.exists(mark, 'late samples ask the rollup job to recompute their period')
    } finally {
      await job.close()
    }
  })

  test('the buffer is bounded and says what it dropped', async ({ assert }) => {
    const { town } = await createSiteTree()
    await devicesFor(simulator.endpoints.slice(4, 6), town)
    const store = new UnpluggableStore()
    const logger = recordingLogger()
    const job = new PollJob({ settings: { ...FAST, pollBufferMax: 3 }, store, logger })
    try {
      await job.tick()
      store.down = true
      await job.tick({ force: true })
      await job.tick({ force: true })
      assert.equal(job.buffered, 3)
      assert.isTrue(
        logger.lines.some((line) => line.level === 'error' && line.message.includes('buffer full'))
      )
    } finally {
      await job.close()
    }
  })

  test('a tick never overlaps the previous one', async ({ assert }) => {
    const { town } = await createSiteTree()
    await devicesFor(simulator.endpoints.slice(4, 5), town)
    simulator.setFaults(4, { delayMs: 100 })
    const logger = recordingLogger()
    const job = new PollJob({ settings: FAST, logger })
    try {
      const running = job.tick()
      const second = await job.tick()
      assert.isTrue(second.skipped)
      assert.isTrue(logger.lines.some((line) => line.message.includes('skipped')))
      const first = await running
      assert.equal(!first.skipped && first.ok, 1)
    } finally {
      await job.close()
    }
  })

  test('disabled devices are not polled; a v3 device without keys fails with E_SNMP_V3_CONFIG', async ({
    assert,
  }) => {
    const { town } = await createSiteTree()
    const [endpoint] = simulator.endpoints.slice(4, 5)
    await createDevice(town, {
      managementIp: endpoint.host,
      snmpPort: endpoint.port,
      isEnabled: false,
    })
    const v3 = await createDevice(town, {
      managementIp: endpoint.host,
      snmpPort: 9,
      snmpVersion: 'v3',
    })
    const job = new PollJob({ settings: FAST })
    try {
      const report = await job.tick()
      assert.equal(!report.skipped && report.due, 1)
      assert.equal(!report.skipped && report.failed, 1)
    } finally {
      await job.close()
    }
    const state = await DeviceState.findOrFail(v3.id)
    assert.equal(state.lastErrorCode, 'E_SNMP_V3_CONFIG')
  })

  test('node ace snmp:poll --once --device polls one device and prints it', async ({ assert }) => {
    const { town } = await createSiteTree()
    const devices = await devicesFor(simulator.endpoints.slice(4, 6), town)
    const command = await ace.create(SnmpPoll, ['--once', `--device=${devices[1].id}`])
    await command.exec()
    command.assertSucceeded()
    command.assertLogMatches(new RegExp(devices[1].name))
    const polled = await DeviceState.findOrFail(devices[1].id)
    assert.equal(polled.status, 'up')
    assert.isNull(await DeviceState.find(devices[0].id))
  })
})
