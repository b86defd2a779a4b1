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
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PollJournal } from '#network_monitoring/services/poll_journal'
import { OIDS } from '#network_monitoring/snmp/device_poller'
import { rawAgent, switchMib, tableAgent } from '#tests/helpers/snmp_wire'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { formatDateTime } from '#start/view'
import {
  createDevice,
  createSiteTree,
  devicesFor,
  freeBasePort,
  recordingLogger,
} from '#tests/helpers/network'

const FAST = { snmpTimeoutMs: 300, snmpRetries: 0, snmpConcurrency: 8 }

/** Real time plus an offset tests move forward (the simulator and the job both read it). */
const clock = {
  offset: 0,
  now: () => Date.now() + clock.offset,
  advance: (ms: number) => (clock.offset += ms),
}

/** A journal file of its own (never the app's tmp/poll_journal.ndjson). */
function tempJournal() {
  return new PollJournal(join(mkdtempSync(join(tmpdir(), 'poll-journal-')), 'journal.ndjson'))
}

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
    simulator = await SnmpSimulator.start({ devices: 6, basePort: freeBasePort(), now: clock.now })
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
    const job = new PollJob({ settings: FAST, now: clock.now })
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

      clock.advance(1100)
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
    const job = new PollJob({ settings: FAST, now: clock.now })
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
    const job = new PollJob({
      settings: FAST,
      store,
      logger,
      now: clock.now,
      journal: tempJournal(),
    })
    try {
      await job.tick()
      store.down = true
      clock.advance(1100)
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

      clock.advance(1100)
      const still = await job.tick({ force: true })
      assert.equal(!still.skipped && still.buffered, 4)
      assert.isTrue(logger.lines.some((line) => line.message.includes('still unavailable')))

      store.down = false
      clock.advance(1100)
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
    const job = new PollJob({
      settings: { ...FAST, pollBufferMax: 3 },
      store,
      logger,
      now: clock.now,
      journal: tempJournal(),
    })
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
    const job = new PollJob({ settings: FAST, logger, now: clock.now })
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
    const job = new PollJob({ settings: FAST, now: clock.now })
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

test.group('Polling: hostile and half-dead networks', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('genErr on the CPU column: the device stays up, the device page explains the module error', async ({
    assert,
    client,
  }) => {
    const agent = await tableAgent(switchMib(3, { cpu: [10] }), {
      error: (request) => {
        const at = request.oids.findIndex((oid) => oid.startsWith(OIDS.hrProcessorLoad))
        return at >= 0 ? { status: 5, index: at + 1 } : null
      },
    })
    const { town } = await createSiteTree()
    const device = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agent.port })
    const job = new PollJob({ settings: FAST, now: clock.now, journal: tempJournal() })
    try {
      const report = await job.tick()
      assert.equal(!report.skipped && report.ok, 1)
      const state = await DeviceState.findOrFail(device.id)
      assert.equal(state.status, 'up')
      assert.equal(state.interfaceCount, 3)
      assert.deepEqual(
        state.moduleErrors.map((error) => [error.module, error.code]),
        [['cpu', 'E_SNMP_ERROR_STATUS']]
      )
      assert.isNull(await AuditEvent.query().where('action', 'device.down').first())
      const admin = await createUser({ roles: ['netadmin'] })
      const page = await client.get(`/monitoring/devices/${device.id}`).loginAs(admin)
      page.assertStatus(200)
      page.assertTextIncludes('模块错误')
      page.assertTextIncludes('设备报告错误：设备内部错误（genErr）')
      page.assertTextIncludes('E_SNMP_ERROR_STATUS')
    } finally {
      await job.close()
      await agent.close()
    }
  })

  test('a dead device: the page says 超时无响应 with the raw code in small print', async ({
    assert,
    client,
  }) => {
    const { town } = await createSiteTree()
    const device = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: 9 })
    const job = new PollJob({ settings: FAST, now: clock.now, journal: tempJournal() })
    try {
      await job.tick()
    } finally {
      await job.close()
    }
    const state = await DeviceState.findOrFail(device.id)
    assert.equal(state.status, 'down')
    const admin = await createUser({ roles: ['netadmin'] })
    const page = await client.get(`/monitoring/devices/${device.id}`).loginAs(admin)
    page.assertTextIncludes('超时无响应')
    assert.match(
      page.text(),
      /<small class="poll-error-code[^"]*"[^>]*>[^<]*E_SNMP_TIMEOUT<\/small>/
    )
  })

  test('a known-down device gets one cheap GET; it is polled in full once it answers', async ({
    assert,
  }) => {
    const agent = await tableAgent(switchMib(2), { delayMs: 0 })
    const hole = await rawAgent(() => null)
    const { town } = await createSiteTree()
    const device = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agent.port })
    await DeviceState.create({
      deviceId: device.id,
      status: 'down',
      consecutiveFailures: 3,
      interfaceCount: 0,
    } as Partial<DeviceState>)
    const job = new PollJob({
      settings: { ...FAST, snmpTimeoutMs: 1000, snmpProbeTimeoutMs: 100 },
      now: clock.now,
      journal: tempJournal(),
    })
    try {
      // a known-down device nobody answers for: a silent agent counting what it gets
      const dead = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: hole.port })
      await DeviceState.create({
        deviceId: dead.id,
        status: 'down',
        consecutiveFailures: 3,
        interfaceCount: 0,
      } as Partial<DeviceState>)
      const first = await job.tick({ deviceIds: [dead.id] })
      assert.isFalse(first.skipped)
      if (first.skipped) return
      assert.equal(first.probedDown, 1)
      // one GET without retry (at the probe timeout), not a full GETBULK poll with retries
      assert.deepEqual(
        hole.received.map((request) => request.pduType),
        [0]
      )
      assert.include(first.records[0].errorMessage!, 'probe:')
      const second = await job.tick({ deviceIds: [device.id], force: true })
      assert.equal(!second.skipped && second.ok, 1)
      const state = await DeviceState.findOrFail(device.id)
      assert.equal(state.status, 'up')
      assert.equal(state.interfaceCount, 2)
      // the probe (GET) then the full GETBULK stream
      assert.deepEqual(
        agent.received.slice(0, 2).map((request) => request.pduType),
        [0, 5]
      )
    } finally {
      await job.close()
      await agent.close()
      await hole.close()
    }
  })

  test('another process holding the tick lock: this tick is skipped', async ({ assert }) => {
    const { town } = await createSiteTree()
    await createDevice(town, { managementIp: '127.0.0.1', snmpPort: 9 })
    const logger = recordingLogger()
    const { default: locks } = await import('@adonisjs/lock/services/main')
    const held = locks.createLock('snmp:poll:tick', '10s')
    assert.isTrue(await held.acquireImmediately())
    const job = new PollJob({ settings: FAST, logger, now: clock.now, journal: tempJournal() })
    try {
      const report = await job.tick({ force: true })
      assert.isTrue(report.skipped)
      assert.isTrue(logger.lines.some((line) => line.message.includes('tick lock')))
    } finally {
      await held.release()
      await job.close()
    }
    const again = new PollJob({ settings: FAST, now: clock.now, journal: tempJournal() })
    try {
      const report = await again.tick({ force: true })
      assert.isFalse(report.skipped)
    } finally {
      await again.close()
    }
  })

  test('stopped mid-tick: the devices in flight are not recorded as down', async ({ assert }) => {
    const agent = await tableAgent(switchMib(2), { delayMs: 400 })
    const { town } = await createSiteTree()
    const device = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agent.port })
    const job = new PollJob({
      settings: { ...FAST, snmpTimeoutMs: 2000 },
      now: clock.now,
      journal: tempJournal(),
    })
    try {
      const running = job.tick()
      // wait until the first request is out, then stop the app's poller
      while (agent.requests() === 0) await new Promise((resolve) => setImmediate(resolve))
      await job.close()
      const report = await running
      assert.isFalse(report.skipped)
      if (report.skipped) return
      assert.equal(report.interrupted, 1)
      assert.equal(report.failed, 0)
      assert.isNull(await DeviceState.find(device.id))
      assert.lengthOf(await db.from('device_polls').where('device_id', device.id), 0)
      assert.isNull(await AuditEvent.query().where('action', 'device.down').first())
    } finally {
      await agent.close()
    }
  })

  test('results waiting for the database survive a restart (journal) and are replayed in order', async ({
    assert,
  }) => {
    const { town } = await createSiteTree()
    const agent = await tableAgent(switchMib(2))
    const device = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agent.port })
    const journal = tempJournal()
    const store = new UnpluggableStore()
    const first = new PollJob({ settings: FAST, store, now: clock.now, journal })
    try {
      await first.tick()
      store.down = true
      clock.advance(1100)
      await first.tick({ force: true })
      clock.advance(1100)
      await first.tick({ force: true })
      assert.equal(first.buffered, 2)
    } finally {
      await first.close() // the process "restarts": its memory is gone
    }
    assert.lengthOf(await journal.load(), 2)

    clock.advance(1100)
    const second = new PollJob({ settings: FAST, now: clock.now, journal })
    try {
      const report = await second.tick({ force: true })
      assert.isFalse(report.skipped)
      if (report.skipped) return
      assert.equal(report.flushed, 2)
      const polls = await db.from('device_polls').where('device_id', device.id).orderBy('ts')
      assert.lengthOf(polls, 4, 'first poll, two journaled, this one')
      assert.isTrue(polls.every((poll, i) => i === 0 || poll.ts > polls[i - 1].ts))
      assert.lengthOf(await journal.load(), 0)
    } finally {
      await second.close()
      await agent.close()
    }
  })

  test('a full buffer shows on the board while it lasts, and what it cost afterwards', async ({
    assert,
    client,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const agent = await tableAgent(switchMib(1))
    await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agent.port })
    const store = new UnpluggableStore()
    const job = new PollJob({
      settings: { ...FAST, pollBufferMax: 1 },
      store,
      now: clock.now,
      journal: tempJournal(),
    })
    try {
      await job.tick()
      store.down = true
      for (let n = 0; n < 3; n++) {
        clock.advance(1100)
        await job.tick({ force: true })
      }
      assert.equal(job.dropped, 2)
      // the poller's writes are refused, the board still reads: it says so, in Chinese
      const full = await client.get('/monitoring/board').loginAs(admin)
      full.assertTextIncludes('轮询结果缓冲区已满：1 条待写入（上限 1 条')
      full.assertTextIncludes('已丢弃最早的 2 条轮询结果')
      const json = await client.get('/monitoring/board.json').loginAs(admin)
      assert.include(json.body().bufferNotice, '已丢弃最早的 2 条')

      store.down = false
      clock.advance(1100)
      await job.tick({ force: true })
      const event = await AuditEvent.query()
        .where('action', 'monitoring.poll_buffer_overflow')
        .firstOrFail()
      assert.include(event.details, '"dropped":2')
      // written: the live banner is gone, the loss stays visible for a day
      const after = await client.get('/monitoring/board').loginAs(admin)
      assertNotIncludes(after, '待写入')
      after.assertTextIncludes('过去 24 小时内因缓冲区已满丢失了 2 条轮询结果')
      const audit = await client.get('/audit').loginAs(await createUser({ roles: ['auditor'] }))
      audit.assertTextIncludes('轮询结果缓冲区已满，丢弃了最早的结果')
    } finally {
      await job.close()
      await agent.close()
    }
  })

  test('a device that went down during a database outage is recorded with the time it went down', async ({
    assert,
    client,
  }) => {
    const { town } = await createSiteTree()
    const agent = await tableAgent(switchMib(2))
    const device = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agent.port })
    const store = new UnpluggableStore()
    const job = new PollJob({ settings: FAST, store, now: clock.now, journal: tempJournal() })
    const revived = await tableAgent(switchMib(2))
    try {
      await job.tick()
      store.down = true
      await agent.close()
      clock.advance(60_000)
      const outage = await job.tick({ force: true })
      assert.isFalse(outage.skipped)
      if (outage.skipped) return
      const wentDownAt = outage.records[0].takenAtMs
      assert.equal(outage.records[0].status, 'down')
      // the database comes back twenty minutes later
      clock.advance(20 * 60_000)
      store.down = false
      device.snmpPort = revived.port
      await device.save()
      const later = await job.tick({ force: true })
      assert.equal(!later.skipped && later.flushed, 1)

      const event = await AuditEvent.query()
        .where('action', 'device.down')
        .where('target_id', String(device.id))
        .firstOrFail()
      const details = JSON.parse(event.details)
      assert.equal(details.at, new Date(wentDownAt).toISOString())
      assert.isTrue(details.writtenLate)
      const polls = await db.from('device_polls').where('device_id', device.id).orderBy('ts')
      assert.deepEqual(
        polls.map((poll) => Boolean(poll.ok)),
        [true, false, true]
      )
      assert.equal(Number(polls[1].ts), Math.floor(wentDownAt / 1000))
      const back = await AuditEvent.query()
        .where('action', 'device.up')
        .where('target_id', String(device.id))
        .firstOrFail()
      assert.isAbove(Date.parse(JSON.parse(back.details).at) - wentDownAt, 20 * 60_000 - 1)

      // the audit trail shows when it happened beside when it was written
      const auditor = await createUser({ roles: ['auditor'] })
      const page = await client.get('/audit').loginAs(auditor)
      page.assertTextIncludes(`发生时间：${formatDateTime(new Date(wentDownAt).toISOString())}`)
      page.assertTextIncludes('数据库恢复后补写：是')
    } finally {
      await job.close()
      await revived.close()
    }
  })

  test('a reboot that renumbers ports: rows follow their port, vanished ones are gone', async ({
    assert,
  }) => {
    const before = await tableAgent(
      switchMib(3, { inOctets: (i) => BigInt(i) * 1_000_000_000n, upTime: 900_000 })
    )
    // after the reboot: GE0/0/1 answers at ifIndex 2, GE0/0/2 at ifIndex 1, GE0/0/3 is gone
    const after = await tableAgent(
      switchMib(2, {
        ifIndex: (i) => (i === 1 ? 2 : 1),
        inOctets: (i) => BigInt(i) * 1_000_000_000n + 100n,
        upTime: 906_000,
      })
    )
    const { town } = await createSiteTree()
    const device = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: before.port })
    const job = new PollJob({ settings: FAST, now: clock.now, journal: tempJournal() })
    try {
      await job.tick()
      const rows = await DeviceInterface.query().where('device_id', device.id)
      const idOf = new Map(rows.map((row) => [row.name, row.id]))
      device.snmpPort = after.port
      await device.save()
      clock.advance(60_000)
      await job.tick({ force: true })
      const now = await db
        .from('device_interfaces')
        .where('device_id', device.id)
        .select('id', 'if_index', 'name', 'gone_at', 'in_bps')
      const byName = new Map(now.map((row) => [row.name, row]))
      assert.equal(byName.get('GE0/0/1').id, idOf.get('GE0/0/1'), 'history stays with its port')
      assert.equal(Number(byName.get('GE0/0/1').if_index), 2)
      assert.equal(byName.get('GE0/0/2').id, idOf.get('GE0/0/2'))
      assert.equal(Number(byName.get('GE0/0/2').if_index), 1)
      assert.isNull(byName.get('GE0/0/1').gone_at)
      assert.isNotNull(byName.get('GE0/0/3').gone_at, 'the vanished port is marked gone')
      assert.isTrue(
        now.every((row) => row.in_bps === null),
        'no rate across a renumbering'
      )
    } finally {
      await job.close()
      await before.close()
      await after.close()
    }
  })

  test("a write refused because of one device's data does not stop the others", async ({
    assert,
  }) => {
    const { town } = await createSiteTree()
    const agent = await tableAgent(switchMib(1))
    const good = await createDevice(town, { managementIp: '127.0.0.1', snmpPort: agent.port })
    const job = new PollJob({ settings: FAST, now: clock.now, journal: tempJournal() })
    let records: import('#network_monitoring/services/poll_records').PollRecord[] = []
    try {
      const report = await job.tick()
      if (!report.skipped) records = report.records
    } finally {
      await job.close()
      await agent.close()
    }
    const store = new PollStore()
    const bad = {
      ...records[0],
      deviceId: good.id,
      takenAtMs: records[0].takenAtMs + 5000,
      status: null as never,
    }
    const fine = { ...records[0], takenAtMs: records[0].takenAtMs + 10_000 }
    const written = await store.write([bad, fine])
    assert.equal(written, 2, 'the batch is done with, not retried forever')
    const polls = await db.from('device_polls').where('device_id', good.id)
    assert.lengthOf(
      polls,
      3,
      'the refused record still leaves its poll row; the next one is stored'
    )
  })
})
