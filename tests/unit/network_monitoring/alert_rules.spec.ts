import { test } from '@japa/runner'
import SimulatedDevice from '#network_monitoring/simulator/simulated_device'
import { buildCountyTopology } from '#network_monitoring/simulator/topology'
import { SIM_THREAT_BASE } from '#network_monitoring/alerts/rules/threat_map'
import { hourOf, observe, emptyProfile } from '#network_monitoring/alerts/rules/anomaly_baseline'
import {
  MemoryRuleBackend,
  engineFor,
  interfaceRecord,
  pollRecord,
  rates,
} from '#tests/helpers/alert_rules'
import type { PollRecord } from '#network_monitoring/services/poll_records'

const MINUTE = 60_000
const TROJAN = `${SIM_THREAT_BASE}.2`
const RANSOMWARE = `${SIM_THREAT_BASE}.4`

function failed(failures: number): Partial<PollRecord> {
  return {
    ok: false,
    status: 'down',
    previousStatus: failures > 1 ? 'down' : 'up',
    consecutiveFailures: failures,
    system: null,
    interfacesPolled: false,
  }
}

test.group('alert rules: unreachable', () => {
  test('a device is not down on its first miss; the second raises one 设备设施故障 signal', async ({
    assert,
  }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(7, 0, { parentDeviceId: 3 })
    await engine.handle([pollRecord(7, clock.ms)])
    await engine.handle([pollRecord(7, (clock.ms += MINUTE), failed(1))])
    assert.lengthOf(sink.raised, 0)

    await engine.handle([pollRecord(7, (clock.ms += MINUTE), failed(2))])
    assert.lengthOf(sink.raised, 1)
    const [signal] = sink.raised
    assert.equal(signal.rule, 'unreachable')
    assert.equal(signal.conditionKey, 'unreachable:device:7')
    assert.equal(signal.category, 'software_hardware_fault')
    assert.equal(signal.deviceId, 7)
    assert.equal(signal.siteId, 107)
    assert.equal(signal.occurredAt.getTime(), clock.ms)
    assert.equal(signal.details?.parentDeviceId, 3)

    // still down: the open alert stands, no new signal
    await engine.handle([pollRecord(7, (clock.ms += MINUTE), failed(3))])
    assert.lengthOf(sink.raised, 1)

    // it answers: recovered once
    await engine.handle([pollRecord(7, (clock.ms += MINUTE), { previousStatus: 'down' })])
    assert.deepEqual(sink.recovered, ['unreachable:device:7'])
    await engine.handle([pollRecord(7, (clock.ms += MINUTE))])
    assert.deepEqual(sink.recovered, ['unreachable:device:7'])
  })

  test('the number of failures is a setting', async ({ assert }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(1)
    backend.config.unreachable.values.failures = 4
    for (let failures = 1; failures <= 3; failures++) {
      await engine.handle([pollRecord(1, (clock.ms += MINUTE), failed(failures))])
    }
    assert.lengthOf(sink.raised, 0)
    await engine.handle([pollRecord(1, (clock.ms += MINUTE), failed(4))])
    assert.deepEqual(sink.rules(), ['unreachable'])
  })

  test('a disabled rule raises nothing', async ({ assert }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(1)
    backend.config.unreachable.enabled = false
    await engine.handle([pollRecord(1, (clock.ms += MINUTE), failed(5))])
    assert.lengthOf(sink.raised, 0)
  })

  test('a device inside a maintenance window raises nothing, even after many failures', async ({
    assert,
  }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(1)
    for (let failures = 1; failures <= 5; failures++) {
      await engine.handle([
        pollRecord(1, (clock.ms += MINUTE), {
          ...failed(failures),
          inMaintenance: true,
        }),
      ])
    }
    assert.lengthOf(sink.raised, 0)
  })

  test('after a restart an alert raised before it is still recovered', async ({ assert }) => {
    const backend = new MemoryRuleBackend()
    backend.addDevice(1)
    const first = engineFor(backend)
    await first.engine.handle([pollRecord(1, first.clock.ms, failed(2))])
    assert.lengthOf(first.sink.raised, 1)

    const second = engineFor(backend)
    await second.engine.handle([pollRecord(1, second.clock.ms + 5 * MINUTE, failed(3))])
    assert.lengthOf(second.sink.raised, 0, 'the restarted engine remembers it is raised')
    await second.engine.handle([
      pollRecord(1, second.clock.ms + 6 * MINUTE, { previousStatus: 'down' }),
    ])
    assert.deepEqual(second.sink.recovered, ['unreachable:device:1'])
  })

  test('when the sink fails, the next poll raises the signal again', async ({ assert }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(1)
    sink.failNext = true
    await assert.rejects(() => engine.handle([pollRecord(1, (clock.ms += MINUTE), failed(2))]))
    await engine.handle([pollRecord(1, (clock.ms += MINUTE), failed(3))])
    assert.deepEqual(sink.rules(), ['unreachable'])
  })
})

test.group('alert rules: reboot, interfaces, CPU', () => {
  test('uptime going back beyond the jitter is a reboot; a little less is jitter', async ({
    assert,
  }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(1)
    const at = (ticks: number) =>
      pollRecord(1, (clock.ms += MINUTE), {
        system: { sysDescr: null, sysObjectId: null, sysUpTimeTicks: ticks, sysName: null },
      })
    await engine.handle([at(1_000_000)])
    // 60 s later the uptime reads 10 s less than the last one: within the 30 s jitter
    await engine.handle([at(1_000_000 + 6000 - 7000)])
    assert.lengthOf(sink.raised, 0)
    // back to 2 minutes since boot: rebooted
    await engine.handle([at(12_000)])
    assert.deepEqual(sink.rules(), ['rebooted'])
    assert.equal(sink.raised[0].conditionKey, 'rebooted:device:1')
  })

  test('an interface admin up / oper down raises if_down; up again recovers it; admin down is quiet', async ({
    assert,
  }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(2, 3)
    const poll = (oper2: number, admin3: number) =>
      pollRecord(2, (clock.ms += MINUTE), {
        interfaces: [
          interfaceRecord(1),
          interfaceRecord(2, { operStatus: oper2 }),
          interfaceRecord(3, { adminStatus: admin3, operStatus: 2 }),
        ],
      })
    await engine.handle([poll(2, 2)])
    assert.lengthOf(sink.raised, 1)
    assert.equal(sink.raised[0].conditionKey, 'if_down:iface:2002')
    assert.equal(sink.raised[0].interfaceId, 2002)
    await engine.handle([poll(2, 2)])
    assert.lengthOf(sink.raised, 1)
    await engine.handle([poll(1, 2)])
    assert.deepEqual(sink.recovered, ['if_down:iface:2002'])
  })

  test('utilisation over X % needs K consecutive samples, and recovers below', async ({
    assert,
  }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(3, 1)
    backend.config.utilisation.values = { thresholdPercent: 80, samples: 3 }
    const poll = (inBps: number) =>
      pollRecord(3, (clock.ms += MINUTE), {
        interfaces: [interfaceRecord(1, { rates: rates(inBps, 1e6) })],
      })
    await engine.handle([poll(850e6)])
    await engine.handle([poll(850e6)])
    await engine.handle([poll(500e6)])
    await engine.handle([poll(850e6)])
    await engine.handle([poll(850e6)])
    assert.lengthOf(sink.raised, 0, 'never three in a row yet')
    await engine.handle([poll(900e6)])
    assert.deepEqual(sink.rules(), ['utilisation'])
    assert.equal(sink.raised[0].conditionKey, 'utilisation:iface:3001')
    await engine.handle([poll(100e6)])
    assert.deepEqual(sink.recovered, ['utilisation:iface:3001'])
  })

  test('error and discard rates over their thresholds raise if_errors', async ({ assert }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(4, 1)
    backend.config.if_errors.values.samples = 2
    const poll = (errors: number) =>
      pollRecord(4, (clock.ms += MINUTE), {
        interfaces: [interfaceRecord(1, { rates: { ...rates(1e6, 1e6), inErrorsPs: errors } })],
      })
    await engine.handle([poll(1)])
    await engine.handle([poll(20)])
    assert.lengthOf(sink.raised, 0)
    await engine.handle([poll(20)])
    assert.deepEqual(sink.rules(), ['if_errors'])
  })

  test('CPU high for K polls raises cpu once', async ({ assert }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(5)
    for (const load of [95, 96, 97, 98, 99]) {
      await engine.handle([pollRecord(5, (clock.ms += MINUTE), { cpuLoad: load })])
    }
    assert.deepEqual(sink.rules(), ['cpu'])
    assert.equal(sink.raised[0].details?.load, 97)
  })
})

test.group('alert rules: threat counters', () => {
  test('a counter increase raises one threat signal per device and type, its count the increase', async ({
    assert,
  }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(9, 0, { deviceType: 'firewall' })
    const poll = (trojan: number, ransomware: number) =>
      pollRecord(9, (clock.ms += MINUTE), {
        threatCounters: { [TROJAN]: trojan, [RANSOMWARE]: ransomware },
      })
    await engine.handle([poll(120, 3)])
    assert.lengthOf(sink.raised, 0, 'the first reading is the baseline')
    await engine.handle([poll(123, 3)])
    assert.lengthOf(sink.raised, 3, 'one signal per detection: the open alert counts 3')
    assert.lengthOf(new Set(sink.raised.map((s) => s.conditionKey)), 1)
    const [signal] = sink.raised
    assert.equal(signal.source, 'counter')
    assert.equal(signal.rule, 'threat_counter')
    assert.equal(signal.category, 'trojan')
    assert.equal(signal.rawType, 'trojanDetected')
    assert.equal(signal.conditionKey, 'threat_counter:trojan:device:9')
    assert.equal(signal.details?.count, 3)

    // the appliance rebooted: counters restart, nothing to report
    await engine.handle([poll(0, 0)])
    assert.lengthOf(sink.raised, 3)
    await engine.handle([poll(1, 1)])
    assert.deepEqual(
      sink.raised.slice(3).map((s) => [s.category, s.details?.count]),
      [
        ['trojan', 1],
        ['ransomware', 1],
      ]
    )
    assert.lengthOf(sink.recovered, 0, 'threats are never recovered by the rules')
  })

  test('a vendor-specific mapping wins over the generic one; unmapped counters are ignored', async ({
    assert,
  }) => {
    const { engine, backend, sink, clock } = engineFor()
    backend.addDevice(9, 0, { deviceType: 'firewall' })
    backend.threatDefs.push({
      vendorOid: '1.3.6.1.4.1.2011',
      counterOid: TROJAN,
      category: 'computer_virus',
      label: 'hwSecVirusCount',
    })
    const poll = (value: number) =>
      pollRecord(9, (clock.ms += MINUTE), {
        threatCounters: { [TROJAN]: value, '1.3.6.1.4.1.9.9.9': value },
      })
    await engine.handle([poll(1)])
    await engine.handle([poll(2)])
    assert.deepEqual(
      sink.raised.map((s) => [s.category, s.rawType]),
      [['computer_virus', 'hwSecVirusCount']]
    )
  })

  test('counter state survives a restart: no alert for what was already counted', async ({
    assert,
  }) => {
    const backend = new MemoryRuleBackend()
    backend.addDevice(9, 0, { deviceType: 'ips_ids' })
    const first = engineFor(backend)
    await first.engine.handle([pollRecord(9, first.clock.ms, { threatCounters: { [TROJAN]: 5 } })])
    const second = engineFor(backend)
    await second.engine.handle([
      pollRecord(9, second.clock.ms + MINUTE, { threatCounters: { [TROJAN]: 5 } }),
    ])
    await second.engine.handle([
      pollRecord(9, second.clock.ms + 2 * MINUTE, { threatCounters: { [TROJAN]: 6 } }),
    ])
    assert.deepEqual(
      second.sink.raised.map((s) => s.details?.count),
      [1]
    )
  })
})

/** A week of 1-minute polls of simulated devices, rates from their octet counters. */
function simulatedWeek(devices: SimulatedDevice[], startMs: number, minutes: number) {
  const batches: PollRecord[][] = []
  let before = devices.map((device) =>
    device.spec.interfaces.map((row) => [
      device.octets(row.ifIndex, 'in', startMs),
      device.octets(row.ifIndex, 'out', startMs),
    ])
  )
  for (let minute = 1; minute <= minutes; minute++) {
    const at = startMs + minute * MINUTE
    const batch: PollRecord[] = []
    const after = devices.map((device, d) => {
      const counters = device.spec.interfaces.map((row) => [
        device.octets(row.ifIndex, 'in', at),
        device.octets(row.ifIndex, 'out', at),
      ])
      batch.push(
        pollRecord(d + 1, at, {
          system: {
            sysDescr: null,
            sysObjectId: device.spec.sysObjectId,
            sysUpTimeTicks: device.uptimeTicks(at),
            sysName: device.spec.name,
          },
          interfaces: device.spec.interfaces.map((row, i) =>
            interfaceRecord(row.ifIndex, {
              adminStatus: row.adminUp ? 1 : 2,
              operStatus: device.operStatus(row.ifIndex, at),
              speedBps: row.speedBps,
              rates: rates(
                (Number(counters[i][0] - before[d][i][0]) * 8) / 60,
                (Number(counters[i][1] - before[d][i][1]) * 8) / 60,
                row.speedBps
              ),
            })
          ),
        })
      )
      return counters
    })
    before = after
    batches.push(batch)
  }
  return batches
}

test.group('alert rules: traffic anomaly', () => {
  test('a simulated week of the simulator’s daily curve raises nothing; a flood then raises one anomaly', async ({
    assert,
  }) => {
    const topology = buildCountyTopology(40)
    const specs = [topology[1], topology[4], topology[36], topology[37]]
    const startMs = Date.UTC(2026, 10, 1, 16, 0) // Monday 00:00 in Shanghai
    const devices = specs.map((spec) => new SimulatedDevice(spec, startMs))
    const { engine, backend, sink, clock } = engineFor()
    devices.forEach((device, d) => backend.addDevice(d + 1, device.spec.interfaces.length))

    const week = simulatedWeek(devices, startMs, 7 * 24 * 60)
    for (const batch of week) {
      clock.ms = batch[0].takenAtMs
      await engine.handle(batch)
    }
    assert.deepEqual(
      sink.raised.map((s) => `${s.rule} ${s.conditionKey}`),
      []
    )

    // Tuesday of the next week, 10:00 in Shanghai: a town router's port to a village floods at 8× for 5 minutes
    const next = simulatedWeek(devices, week.at(-1)![0].takenAtMs, 26 * 60 + 10)
    let flooded = 0
    for (const batch of next) {
      clock.ms = batch[0].takenAtMs
      if (hourOf(clock.ms) === 10 && flooded < 5) {
        const port = batch[1].interfaces[1]
        port.rates = rates(port.rates!.inBps! * 8, port.rates!.outBps!)
        flooded++
      }
      await engine.handle(batch)
    }
    assert.equal(flooded, 5)
    assert.deepEqual(
      sink.raised.map((s) => `${s.rule} ${s.conditionKey}`),
      ['anomaly anomaly:iface:2002']
    )
    assert.equal(sink.raised[0].details?.direction, 'in')
    assert.deepEqual(sink.recovered, ['anomaly:iface:2002'])
  }).timeout(120_000)

  test('a bucket judges nothing before it has learnt its samples', ({ assert }) => {
    const profile = emptyProfile()
    const settings = {
      deviations: 4,
      minRatio: 2,
      minExcessBps: 1e6,
      learningSamples: 3,
      alpha: 0.05,
    }
    const at = hourOf(Date.UTC(2026, 0, 1, 2))
    assert.equal(at, 10)
    assert.isFalse(observe(profile, at, 10e6, settings).ready)
    observe(profile, at, 10e6, settings)
    observe(profile, at, 10e6, settings)
    const verdict = observe(profile, at, 100e6, settings)
    assert.isTrue(verdict.ready)
    assert.isTrue(verdict.anomalous)
    assert.equal(verdict.expected, 10e6)
  })
})

test.group('alert rules: cost', () => {
  test('a batch of 500 records of a whole county evaluates without the sink or the database', async ({
    assert,
  }) => {
    const { engine, backend, clock } = engineFor()
    const records: PollRecord[] = []
    for (let id = 1; id <= 500; id++) {
      backend.addDevice(id, 8)
      records.push(
        pollRecord(id, clock.ms, {
          cpuLoad: 20,
          threatCounters: id % 50 === 0 ? { [TROJAN]: 1 } : undefined,
          interfaces: Array.from({ length: 8 }, (_, i) =>
            interfaceRecord(i + 1, { rates: rates(50e6, 10e6) })
          ),
        })
      )
    }
    await engine.prepare(records)
    const result = engine.evaluate(records)
    assert.lengthOf(result.signals, 0)
    assert.isAbove(result.evaluationMs, 0)
    console.log(
      `rules: 500 records × 8 interfaces evaluated in ${result.evaluationMs.toFixed(2)} ms`
    )
  })
})
