import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import SnmpClient from '#network_monitoring/snmp/client'
import DevicePoller from '#network_monitoring/snmp/device_poller'
import { computeRates, sampleFromPoll } from '#network_monitoring/snmp/rates'
import SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import type SimulatedDevice from '#network_monitoring/simulator/simulated_device'
import { freeUdpPort } from '#network_monitoring/simulator/external_agents'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const APP_ROOT = new URL('../../../', import.meta.url).pathname

/** Average inbound bit/s the simulated interface really carried between two instants. */
function expectedBps(device: SimulatedDevice, ifIndex: number, fromMs: number, toMs: number) {
  const delta =
    (device.octets(ifIndex, 'in', toMs) - device.octets(ifIndex, 'in', fromMs) + 2n ** 64n) %
    2n ** 64n
  return (Number(delta) * 8 * 1000) / (toMs - fromMs)
}

/** Starts the simulator on a random free block of ports (retrying when a port is taken). */
async function startSimulator(devices: number) {
  let lastError: unknown
  for (let attempt = 0; attempt < 8; attempt++) {
    const basePort = 20000 + Math.floor(Math.random() * 40000)
    try {
      return await SnmpSimulator.start({ devices, basePort })
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}

test.group('snmp simulator: the county', (group) => {
  let simulator: SnmpSimulator
  let client: SnmpClient
  let poller: DevicePoller

  group.setup(async () => {
    simulator = await startSimulator(40)
    client = await SnmpClient.open({ timeoutMs: 1000, retries: 1 })
    poller = new DevicePoller(client)
    return async () => {
      client.close()
      await simulator.stop()
    }
  })
  group.each.teardown(() => simulator.clearFaults())

  test('one port per device, with the county topology', async ({ assert }) => {
    const endpoints = simulator.endpoints
    assert.lengthOf(endpoints, 40)
    assert.lengthOf(new Set(endpoints.map((endpoint) => endpoint.port)), 40)
    assert.equal(endpoints[5].port, simulator.basePort + 5)
    const picks = [0, 1, 2, 3, 4, 36]
    const results = await Promise.all(picks.map((id) => poller.poll(simulator.endpoint(id))))
    assert.deepEqual(
      results.map((result) => [result.ok, result.system?.sysName, result.interfaces.length]),
      [
        [true, 'xian-core-01', 48],
        [true, 'xian-fw-01', 8],
        [true, 'xian-fw-02', 8],
        [true, 'xian-ips-01', 6],
        [true, 'town-01-rtr', 8],
        [true, 'cun-001-sw', 4],
      ]
    )
    assert.include(results[0].system?.sysDescr ?? '', 'HUAWEI S12708')
    assert.include(results[2].system?.sysDescr ?? '', 'Sangfor')
    assert.include(results[3].system?.sysDescr ?? '', 'H3C')
    assert.lengthOf(results[0].cpuLoads, 2)
    assert.deepEqual(results[4].cpuLoads, [])
    assert.equal(results[0].interfaces[0].speedBps, 10e9)
    assert.equal(results[5].interfaces[0].alias, '上联-乡镇路由')
  })

  test('counters move at plausible rates between polls', async ({ assert }) => {
    const town = simulator.endpoint('town-02-rtr')
    const before = await poller.poll(town)
    await sleep(1500)
    const after = await poller.poll(town)
    const rates = computeRates(sampleFromPoll(before)!, sampleFromPoll(after)!)
    assert.isFalse(rates.reboot)
    const device = simulator.device('town-02-rtr')
    for (const row of rates.interfaces) {
      const expected = expectedBps(device, row.ifIndex, before.takenAtMs, after.takenAtMs)
      assert.closeTo(row.inBps!, expected, expected * 0.25 + 1, `ifIndex ${row.ifIndex}`)
      assert.closeTo(expected, device.spec.interfaces[row.ifIndex - 1].inBps, expected * 0.45 + 1)
    }
  })

  test('a counter wrap between two polls gives the right rate', async ({ assert }) => {
    simulator.setCountersNearWrap('cun-001-sw', 1)
    const endpoint = simulator.endpoint('cun-001-sw')
    const before = await poller.poll(endpoint)
    await sleep(1500)
    const after = await poller.poll(endpoint)
    const uplinkBefore = before.interfaces[0].inOctets!
    const uplinkAfter = after.interfaces[0].inOctets!
    assert.isTrue(uplinkBefore > 2n ** 64n - 10n ** 9n, `before: ${uplinkBefore}`)
    assert.isTrue(uplinkAfter < 10n ** 9n, `after: ${uplinkAfter}`)
    const rates = computeRates(sampleFromPoll(before)!, sampleFromPoll(after)!)
    const uplink = rates.interfaces[0]
    const device = simulator.device('cun-001-sw')
    const expected = expectedBps(device, 1, before.takenAtMs, after.takenAtMs)
    assert.isTrue(uplink.wrapped)
    assert.isFalse(uplink.discontinuity)
    assert.closeTo(uplink.inBps!, expected, expected * 0.25)
  })

  test('a reboot between two polls is flagged and yields no rates', async ({ assert }) => {
    const endpoint = simulator.endpoint('town-03-rtr')
    const before = await poller.poll(endpoint)
    simulator.reboot('town-03-rtr')
    await sleep(300)
    const after = await poller.poll(endpoint)
    assert.isBelow(after.system!.sysUpTimeTicks!, 100)
    assert.isTrue(after.interfaces[0].inOctets! < before.interfaces[0].inOctets!)
    const rates = computeRates(sampleFromPoll(before)!, sampleFromPoll(after)!)
    assert.isTrue(rates.reboot)
    assert.deepEqual(rates.interfaces, [])
  })

  test('a device that is down times out; a slow one answers late', async ({ assert }) => {
    simulator.setFaults(7, { down: true })
    simulator.setFaults(8, { delayMs: 300 })
    simulator.setFaults(9, { delayMs: 600 })
    const [down, slow, tooSlow] = await Promise.all([
      poller.poll({ ...simulator.endpoint(7), timeoutMs: 200, retries: 1 }),
      poller.poll({ ...simulator.endpoint(8), timeoutMs: 1000, retries: 0 }),
      poller.poll({ ...simulator.endpoint(9), timeoutMs: 200, retries: 1 }),
    ])
    assert.equal(down.error?.code, 'E_SNMP_TIMEOUT')
    assert.isAtLeast(simulator.dropped(7), 2)
    assert.isTrue(slow.ok)
    assert.isAtLeast(slow.durationMs, 300 * slow.requests)
    assert.equal(tooSlow.error?.code, 'E_SNMP_TIMEOUT')
  })

  test('garbage and truncated replies surface as malformed responses', async ({ assert }) => {
    simulator.setFaults(10, { garbage: 'junk' })
    simulator.setFaults(11, { garbage: 'truncated' })
    const [junk, truncated] = await Promise.all([
      poller.poll({ ...simulator.endpoint(10), timeoutMs: 300, retries: 1 }),
      poller.poll({ ...simulator.endpoint(11), timeoutMs: 2000, retries: 1 }),
    ])
    assert.equal(junk.error?.code, 'E_SNMP_MALFORMED_RESPONSE')
    assert.equal(truncated.error?.code, 'E_SNMP_MALFORMED_RESPONSE')
    // The truncated reply still names its request, so it fails without waiting for a timeout.
    assert.isBelow(truncated.durationMs, 1000)
  })

  test('an interface flap shows oper down while admin up, then up again', async ({ assert }) => {
    simulator.flapInterface('town-04-rtr', 2, 400)
    const during = await poller.poll(simulator.endpoint('town-04-rtr'))
    assert.equal(during.interfaces[1].operStatus, 2)
    assert.equal(during.interfaces[1].adminStatus, 1)
    await sleep(500)
    const afterwards = await poller.poll(simulator.endpoint('town-04-rtr'))
    assert.equal(afterwards.interfaces[1].operStatus, 1)
  })

  test('faults can be set by device id or name through the fault file', async ({ assert }) => {
    const dir = await mkdtemp(join(tmpdir(), 'shuzhi-faults-'))
    const file = join(dir, 'faults.json')
    try {
      await writeFile(file, JSON.stringify({ 'cun-002-sw': { down: true }, '12': { delayMs: 50 } }))
      assert.equal(await simulator.applyFaultFile(file), 2)
      assert.deepEqual(simulator.device(37).faults, {
        down: true,
        delayMs: undefined,
        garbage: undefined,
      })
      const down = await poller.poll({ ...simulator.endpoint(37), timeoutMs: 150, retries: 0 })
      assert.equal(down.error?.code, 'E_SNMP_TIMEOUT')

      await writeFile(file, '{}')
      await simulator.applyFaultFile(file)
      const up = await poller.poll(simulator.endpoint(37))
      assert.isTrue(up.ok)
      assert.deepEqual(simulator.device(12).faults, {})
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

test.group('snmp simulator: ace command', () => {
  test('node ace snmp:simulate serves devices until terminated', async ({ assert }) => {
    const port = await freeUdpPort()
    const child = spawn(
      process.execPath,
      ['ace', 'snmp:simulate', '--devices', '3', '--port', String(port), '--fault', '1=down'],
      { cwd: APP_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const client = await SnmpClient.open({ timeoutMs: 300, retries: 0 })
    try {
      const poller = new DevicePoller(client)
      let firewall = await poller.poll({ host: '127.0.0.1', port: port + 2 })
      for (let i = 0; i < 60 && !firewall.ok; i++) {
        await sleep(250)
        firewall = await poller.poll({ host: '127.0.0.1', port: port + 2 })
      }
      assert.isTrue(firewall.ok, output)
      assert.equal(firewall.system?.sysName, 'xian-fw-02')
      const down = await poller.poll({ host: '127.0.0.1', port: port + 1 })
      assert.equal(down.error?.code, 'E_SNMP_TIMEOUT')
      assert.include(output, '3 devices')
    } finally {
      client.close()
      child.kill('SIGTERM')
    }
    await exited
    assert.isNotNull(child.exitCode ?? child.signalCode)
  }).timeout(60_000)
})
