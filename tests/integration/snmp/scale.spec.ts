import { test } from '@japa/runner'
import SnmpClient from '#network_monitoring/snmp/client'
import DevicePoller from '#network_monitoring/snmp/device_poller'
import PollScheduler from '#network_monitoring/snmp/poll_scheduler'
import { startSnmpd } from '#network_monitoring/simulator/external_agents'
import { rawAgent, type RawAgent } from '#tests/helpers/snmp_wire'
import type { ExternalAgent } from '#network_monitoring/simulator/external_agents'
import type { PollResult } from '#network_monitoring/snmp/device_poller'

interface Device {
  id: number
  host: string
  port: number
  dead: boolean
  timeoutMs: number
  retries: number
}

const DEVICES = 5000
const TIMEOUT_MS = 400
const RETRIES = 1

test.group('snmp polling at scale', (group) => {
  let snmpd: ExternalAgent
  let startup: Error | null = null

  group.setup(async () => {
    // A missing snmpd must fail each test (a failed setup hook alone reports 0 tests).
    const started = await startSnmpd().catch((error: Error) => error)
    if (started instanceof Error) startup = started
    else snmpd = started
    return async () => {
      if (!startup) await snmpd.stop()
    }
  })
  group.each.setup(() => {
    if (startup) throw startup
  })

  test('5,000 devices with 10 % dead: every outcome recorded, a dead device costs its attempts and no more, live ones never wait', async ({
    assert,
  }) => {
    // Counted work, not wall time (the machine is shared): live devices all reach the one
    // snmpd; every tenth device points at a silent agent that counts what it receives.
    const holes: RawAgent[] = await Promise.all(
      Array.from({ length: 10 }, () => rawAgent(() => null))
    )
    const devices: Device[] = Array.from({ length: DEVICES }, (_, id) => ({
      id,
      host: '127.0.0.1',
      port: id % 10 === 3 ? holes[id % holes.length].port : snmpd.port,
      dead: id % 10 === 3,
      timeoutMs: TIMEOUT_MS,
      retries: RETRIES,
    }))
    const client = await SnmpClient.open({ timeoutMs: TIMEOUT_MS, retries: RETRIES })
    const poller = new DevicePoller(client)
    let inFlight = 0
    let maxInFlight = 0
    const polled = new Map<number, number>()
    const scheduler = new PollScheduler<Device, PollResult>({
      concurrency: 100,
      deviceTimeoutMs: 5000,
      poll: async (device, signal) => {
        polled.set(device.id, (polled.get(device.id) ?? 0) + 1)
        maxInFlight = Math.max(maxInFlight, ++inFlight)
        try {
          return await poller.poll(device, { signal })
        } finally {
          inFlight--
        }
      },
    })
    try {
      const cycle = await scheduler.runCycle(devices)
      assert.isFalse(cycle.skipped)
      if (cycle.skipped) return

      assert.equal(cycle.total, DEVICES)
      assert.equal(cycle.ok, 4500)
      assert.equal(cycle.failed, 500)
      // Bounded: each device polled once, the pool of 100 kept full (dead devices do not
      // serialise the cycle), so the cycle costs about dead × attempts × timeout / 100.
      assert.equal(polled.size, DEVICES)
      assert.isTrue([...polled.values()].every((count) => count === 1))
      assert.equal(maxInFlight, 100)

      const failed = cycle.outcomes.filter((outcome) => !outcome.ok)
      assert.isTrue(failed.every((outcome) => outcome.device.dead))
      assert.isTrue(failed.every((outcome) => outcome.error?.code === 'E_SNMP_TIMEOUT'))
      // A dead device costs its timeout × attempts: it waited them all out (timers never
      // fire early)…
      const deadDurations = failed.map((outcome) => outcome.durationMs)
      assert.isAtLeast(Math.min(...deadDurations), TIMEOUT_MS * (RETRIES + 1) - 10)
      // …and got exactly its attempts: one request and its retries, nothing more.
      const received = holes.reduce((sum, hole) => sum + hole.requests(), 0)
      assert.equal(received, 500 * (RETRIES + 1))
      // Live ones never wait for the dead: (almost) none of their requests timed out
      // and was sent again — every retransmission but a few went to a dead device.
      const liveRetransmits = client.stats.retransmits - 500 * RETRIES
      assert.isAtLeast(liveRetransmits, 0)
      assert.isAtMost(liveRetransmits, 4500 * 0.05)
      assert.isTrue(
        cycle.outcomes.every(
          (outcome) => !outcome.ok || (outcome.result?.interfaces.length ?? 0) > 0
        )
      )
      assert.equal(client.inFlight, 0)
    } finally {
      client.close()
      await Promise.all(holes.map((hole) => hole.close()))
    }
  }).timeout(90_000)

  test('a second cycle requested while one runs is skipped', async ({ assert }) => {
    const client = await SnmpClient.open({ timeoutMs: TIMEOUT_MS, retries: 0 })
    const poller = new DevicePoller(client)
    const scheduler = new PollScheduler<Device, PollResult>({
      concurrency: 10,
      poll: (device, signal) => poller.poll(device, { signal }),
    })
    const devices = Array.from({ length: 200 }, (_, id) => ({
      id,
      host: '127.0.0.1',
      port: snmpd.port,
      dead: false,
      timeoutMs: TIMEOUT_MS,
      retries: 0,
    }))
    try {
      const running = scheduler.runCycle(devices)
      assert.deepEqual(await scheduler.runCycle(devices), { skipped: true })
      const finished = await running
      assert.isFalse(finished.skipped)
      if (!finished.skipped) assert.equal(finished.ok, 200)
    } finally {
      client.close()
    }
  })
})
