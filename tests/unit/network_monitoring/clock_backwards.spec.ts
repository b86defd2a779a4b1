import { test } from '@japa/runner'
import { computeRates } from '#network_monitoring/snmp/rates'
import type { CounterSample } from '#network_monitoring/snmp/rates'
import { engineFor, interfaceRecord, pollRecord, rates } from '#tests/helpers/alert_rules'

/**
 * Issue #11 bad input: the server clock jumps backwards between two polls. No rates come of
 * that interval (a negative interval is no rate), it is no reboot, and the rules' state
 * (streaks, uptime) is neither reset nor advanced by it.
 */

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0)

function sample(takenAtMs: number, ticks: number, inOctets: bigint): CounterSample {
  return {
    takenAtMs,
    sysUpTimeTicks: ticks,
    interfaces: [
      {
        ifIndex: 1,
        speedBps: 1e9,
        inOctets,
        outOctets: inOctets,
        octetsCounterBits: 64,
        inErrors: 0,
        outErrors: 0,
        inDiscards: 0,
        outDiscards: 0,
      },
    ],
  }
}

test.group('clock jump backwards between polls', () => {
  test('the poller computes no rates across a backwards interval and sees no reboot', ({
    assert,
  }) => {
    const before = sample(T0, 1_000_000, 10_000_000n)
    // one minute of device uptime and traffic later, but the server clock now reads an hour earlier
    const after = sample(T0 - HOUR, 1_006_000, 10_000_000n + 7_500_000_000n / 8n)
    const result = computeRates(before, after)
    assert.isFalse(result.reboot, 'a clock going back is not the device rebooting')
    assert.isBelow(result.intervalSeconds, 0)
    assert.deepEqual(result.interfaces, [], 'no rate from a negative interval')

    // the same interval read the right way round gives the rate (the sample itself is fine)
    const forward = computeRates(before, { ...after, takenAtMs: T0 + MINUTE })
    assert.isFalse(forward.reboot)
    assert.closeTo(forward.interfaces[0].inBps!, 125e6, 1e6)

    // a zero interval (the clock stood still) is no rate either
    assert.deepEqual(computeRates(before, { ...after, takenAtMs: T0 }).interfaces, [])
  })

  test('rules: a backwards poll raises no reboot, and a utilisation streak is neither reset nor advanced', async ({
    assert,
  }) => {
    const { engine, backend, sink } = engineFor()
    backend.addDevice(7, 1)
    backend.config.utilisation.values = { thresholdPercent: 80, samples: 3 }
    let ticks = 5_000_000
    const poll = (at: number, inBps: number | null) => {
      ticks += 6000 // the device's uptime keeps going, one minute per poll
      return pollRecord(7, at, {
        system: {
          sysDescr: 'test',
          sysObjectId: '1.3.6.1.4.1.2011.2.23.629',
          sysUpTimeTicks: ticks,
          sysName: 'dev-7',
        },
        interfaces: [interfaceRecord(1, { rates: inBps === null ? null : rates(inBps, 1e6) })],
      })
    }
    await engine.handle([poll(T0, 900e6)])
    await engine.handle([poll(T0 + MINUTE, 900e6)])
    assert.lengthOf(sink.raised, 0, 'two samples over 80 % of three needed')

    // The clock jumps back an hour: the poller gives no rates for this poll (see above).
    await engine.handle([poll(T0 + MINUTE - HOUR, null)])
    assert.deepEqual(sink.raised, [], 'no reboot, no utilisation alert')
    assert.deepEqual(sink.recovered, [], 'nothing recovered either')

    // Polls go on from the jumped clock: the third high sample completes the streak.
    await engine.handle([poll(T0 + 2 * MINUTE - HOUR, 900e6)])
    assert.deepEqual(sink.rules(), ['utilisation'])

    // And the clock corrected forward again (NTP) is no reboot either.
    await engine.handle([poll(T0 + 3 * MINUTE, 900e6)])
    assert.notInclude(sink.rules(), 'rebooted')
  })

  test('rules: a real reboot after the jump is still seen', async ({ assert }) => {
    const { engine, backend, sink } = engineFor()
    backend.addDevice(8)
    const at = (ms: number, ticks: number) =>
      pollRecord(8, ms, {
        system: { sysDescr: null, sysObjectId: null, sysUpTimeTicks: ticks, sysName: null },
      })
    await engine.handle([at(T0, 9_000_000)])
    await engine.handle([at(T0 - HOUR, 9_006_000)])
    assert.lengthOf(sink.raised, 0)
    // next minute on the jumped clock the uptime reads 20 s: it restarted
    await engine.handle([at(T0 - HOUR + MINUTE, 2_000)])
    assert.deepEqual(sink.rules(), ['rebooted'])
  })
})
