import { test } from '@japa/runner'
import SnmpClient from '#network_monitoring/snmp/client'
import DevicePoller, { OIDS } from '#network_monitoring/snmp/device_poller'
import { computeRates, sampleFromPoll } from '#network_monitoring/snmp/rates'
import { startSnmpd, startSnmpsim } from '#network_monitoring/simulator/external_agents'
import type { ExternalAgent } from '#network_monitoring/simulator/external_agents'

const FIXTURES = new URL('../../fixtures/snmprec', import.meta.url).pathname

/**
 * Starts a real agent for a group; a missing binary becomes the error every
 * test of the group fails with (a failed setup hook alone reports 0 tests).
 */
function realAgent(start: () => Promise<ExternalAgent>) {
  let started: ExternalAgent | Error = new Error('agent not started')
  return {
    async setup() {
      started = await start().catch((error: Error) => error)
    },
    async teardown() {
      if (!(started instanceof Error)) await started.stop()
    },
    /** The running agent, or the reason it is not running. */
    ensure(): ExternalAgent {
      if (started instanceof Error) throw started
      return started
    },
  }
}

test.group('snmp against net-snmp snmpd', (group) => {
  const peer = realAgent(() => startSnmpd())
  let client: SnmpClient
  let snmpd: ExternalAgent

  group.setup(async () => {
    await peer.setup()
    client = await SnmpClient.open({ timeoutMs: 500, retries: 1 })
    return async () => {
      client.close()
      await peer.teardown()
    }
  })
  group.each.setup(() => {
    snmpd = peer.ensure()
  })

  test('GETBULK stream returns sysUpTime and the ifTable in a few requests', async ({ assert }) => {
    const target = { host: snmpd.host, port: snmpd.port }
    const walk = await client.walkTables(target, [OIDS.ifDescr, OIDS.ifOperStatus], {
      scalars: [OIDS.sysUpTime],
    })
    assert.equal(walk.scalars[0]?.oid, '1.3.6.1.2.1.1.3.0')
    assert.isAbove(walk.scalars[0]?.value as number, 0)
    const descr = walk.columns.get(OIDS.ifDescr)!
    assert.include(descr.values, 'lo')
    assert.deepEqual(walk.columns.get(OIDS.ifOperStatus)!.indexes, descr.indexes)
    // Every row of both columns arrives, yet in far fewer requests than rows.
    assert.isBelow(walk.requests, descr.length + 1)
  })

  test('a bulk walk of ifTable matches a GETNEXT (v1) walk of it', async ({ assert }) => {
    const bulk = await client.bulkWalk({ host: snmpd.host, port: snmpd.port }, OIDS.ifDescr, {
      maxRepetitions: 3,
    })
    const next = await client.bulkWalk(
      { host: snmpd.host, port: snmpd.port, version: '1' },
      OIDS.ifDescr
    )
    assert.isAbove(bulk.length, 0)
    assert.deepEqual(
      bulk.map((vb) => [vb.oid, vb.value]),
      next.map((vb) => [vb.oid, vb.value])
    )
  })

  test('the device poller reads system, interfaces and 64-bit counters', async ({ assert }) => {
    const result = await new DevicePoller(client).poll({ host: snmpd.host, port: snmpd.port })
    assert.isTrue(result.ok, result.error?.message)
    assert.isString(result.system?.sysDescr)
    assert.match(result.system!.sysObjectId!, /^1\.3\.6\.1\.4\.1\.8072/)
    const lo = result.interfaces.find((row) => row.descr === 'lo')!
    assert.equal(lo.type, 24)
    assert.equal(lo.octetsCounterBits, 64)
    assert.typeOf(lo.inOctets, 'bigint')
    assert.equal(lo.adminStatus, 1)
  })

  test('wrong community is a timeout error, and the client keeps working', async ({ assert }) => {
    const started = performance.now()
    const error = await client
      .get({ host: snmpd.host, port: snmpd.port, community: 'not-public' }, ['1.3.6.1.2.1.1.3.0'])
      .catch((failure) => failure)
    assert.equal(error.code, 'E_SNMP_TIMEOUT')
    assert.isAtLeast(performance.now() - started, 950)
    const poll = await new DevicePoller(client).poll({
      host: snmpd.host,
      port: snmpd.port,
      community: 'not-public',
      timeoutMs: 200,
      retries: 0,
    })
    assert.isFalse(poll.ok)
    assert.equal(poll.error?.code, 'E_SNMP_TIMEOUT')
    const [upTime] = await client.get({ host: snmpd.host, port: snmpd.port }, ['1.3.6.1.2.1.1.3.0'])
    assert.isAbove(upTime.value as number, 0)
  })
})

test.group('snmp against snmpsim devices', (group) => {
  const peer = realAgent(() => startSnmpsim({ dataDir: FIXTURES, probeCommunity: 'county-core' }))
  let client: SnmpClient
  let poller: DevicePoller
  const device = (community: string) => ({
    host: peer.ensure().host,
    port: peer.ensure().port,
    community,
  })

  group.setup(async () => {
    await peer.setup()
    client = await SnmpClient.open({ timeoutMs: 1000, retries: 1 })
    poller = new DevicePoller(client)
    return async () => {
      client.close()
      await peer.teardown()
    }
  })
  group.each.setup(() => {
    peer.ensure()
  })

  test('each data file is a distinct device', async ({ assert }) => {
    const results = await Promise.all(
      ['county-core', 'town-router', 'village-legacy', 'firewall-sangfor'].map((community) =>
        poller.poll(device(community))
      )
    )
    assert.deepEqual(
      results.map((r) => [r.ok, r.system?.sysName, r.interfaces.length]),
      [
        [true, 'xian-core-01', 6],
        [true, 'town-07-rtr', 4],
        [true, 'cun-088-sw', 3],
        [true, 'xian-fw-02', 2],
      ]
    )
    assert.equal(results[2].system?.sysUpTimeTicks, 5555)
    assert.include(results[1].system?.sysDescr ?? '', 'H3C')
  })

  test('the core switch: HC counters beyond 2^53, 10G speed, CPU load, Chinese ifAlias', async ({
    assert,
  }) => {
    const result = await poller.poll(device('county-core'))
    const [first, , third, fourth] = result.interfaces
    assert.equal(first.inOctets, 18446744073709551000n)
    assert.equal(third.inOctets, 9007199254740993n)
    assert.equal(fourth.inOctets, 4294967296n)
    assert.equal(first.octetsCounterBits, 64)
    assert.equal(first.speedBps, 10e9)
    assert.equal(fourth.speedBps, 1e9)
    assert.equal(first.alias, '至-出口防火墙01')
    assert.equal(result.interfaces[4].operStatus, 2)
    assert.deepEqual(result.cpuLoads, [23, 41])
  })

  test('a device answering noSuchObject for ifXTable falls back to 32-bit counters', async ({
    assert,
  }) => {
    const [missing] = await client.get(device('village-legacy'), ['1.3.6.1.2.1.31.1.1.1.1.1'])
    assert.equal(missing.exception, 'noSuchObject')

    const before = await poller.poll(device('village-legacy'))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const after = await poller.poll(device('village-legacy'))
    assert.isTrue(before.ok && after.ok)
    assert.isTrue(
      after.interfaces.every((row) => row.octetsCounterBits === 32 && row.name === null)
    )
    assert.isTrue(after.requests >= 2)
    // snmpsim's numeric variation moves ifInOctets at 125,000 × ifIndex octets/s (and wraps).
    const rates = computeRates(sampleFromPoll(before)!, sampleFromPoll(after)!)
    for (const row of rates.interfaces) {
      assert.closeTo(row.inBps!, row.ifIndex * 1e6, row.ifIndex * 1e6 * 0.25)
    }
  })

  test('an agent failing bulk requests with noSuchName is walked with GETNEXT', async ({
    assert,
  }) => {
    const result = await poller.poll(device('firewall-sangfor'))
    assert.isTrue(result.ok, result.error?.message)
    assert.deepEqual(
      result.interfaces.map((row) => [row.name, row.alias, row.inOctets]),
      [
        ['eth0', '外网-电子政务外网上联', 88000000000n],
        ['eth1', '内网-县核心', 5000n],
      ]
    )
    assert.deepEqual(result.cpuLoads, [])
  })

  test('an unknown community (no data file) times out', async ({ assert }) => {
    const result = await poller.poll({ ...device('no-such-device'), timeoutMs: 300, retries: 0 })
    assert.isFalse(result.ok)
    assert.equal(result.error?.code, 'E_SNMP_TIMEOUT')
  })
})
