import { test } from '@japa/runner'
import SnmpClient from '#network_monitoring/snmp/client'
import DevicePoller from '#network_monitoring/snmp/device_poller'
import PollScheduler from '#network_monitoring/snmp/poll_scheduler'
import { freeUdpPort, startSnmpd } from '#network_monitoring/simulator/external_agents'
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

  test('5,000 devices with 10 % dead: the cycle finishes in bounded time, every outcome recorded', async ({
    assert,
  }) => {
    // Live devices all reach the one snmpd; every tenth device points at a port nobody serves.
    const deadPorts = await Promise.all(Array.from({ length: 10 }, () => freeUdpPort()))
    const devices: Device[] = Array.from({ length: DEVICES }, (_, id) => ({
      id,
      host: '127.0.0.1',
      port: id % 10 === 3 ? deadPorts[id % deadPorts.length] : snmpd.port,
      dead: id % 10 === 3,
      timeoutMs: TIMEOUT_MS,
      retries: RETRIES,
    }))
    const client = await SnmpClient.open({ timeoutMs: TIMEOUT_MS, retries: RETRIES })
    const poller = new DevicePoller(client)
    const scheduler = new PollScheduler<Device, PollResult>({
      concurrency: 100,
      deviceTimeoutMs: 5000,
      poll: (device, signal) => poller.poll(device, { signal }),
    })
    try {
      const cycle = await scheduler.runCycle(devices)
      assert.isFalse(cycle.skipped)
      if (cycle.skipped) return

      assert.equal(cycle.total, DEVICES)
      assert.equal(cycle.ok, 4500)
      assert.equal(cycle.failed, 500)
      assert.isBelow(cycle.durationMs, 40_000)

      const failed = cycle.outcomes.filter((outcome) => !outcome.ok)
      assert.isTrue(failed.every((outcome) => outcome.device.dead))
      assert.isTrue(failed.every((outcome) => outcome.error?.code === 'E_SNMP_TIMEOUT'))
      // A dead device costs its timeout × attempts and not much more…
      const deadDurations = failed.map((outcome) => outcome.durationMs)
      assert.isAtLeast(Math.min(...deadDurations), TIMEOUT_MS * (RETRIES + 1) - 10)
      assert.isBelow(Math.max(...deadDurations), TIMEOUT_MS * (RETRIES + 1) + 1500)
      // …and the live ones never wait for it.
      const live = cycle.outcomes
        .filter((outcome) => outcome.ok)
        .map((outcome) => outcome.durationMs)
        .sort((a, b) => a - b)
      assert.isBelow(live[Math.floor(live.length * 0.95)], TIMEOUT_MS * (RETRIES + 1))
      assert.isTrue(
        cycle.outcomes.every(
          (outcome) => !outcome.ok || (outcome.result?.interfaces.length ?? 0) > 0
        )
      )
      assert.equal(client.inFlight, 0)
    } finally {
      client.close()
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
