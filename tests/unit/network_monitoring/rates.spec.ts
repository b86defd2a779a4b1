import { test } from '@japa/runner'
import {
  computeRates,
  counterDelta,
  counterRate,
  detectReboot,
  sampleFromPoll,
} from '#network_monitoring/snmp/rates'
import type { CounterSample, InterfaceCounters } from '#network_monitoring/snmp/rates'

const MBPS = 1e6
const TWO_32 = 2n ** 32n
const TWO_64 = 2n ** 64n

function iface(overrides: Partial<InterfaceCounters> = {}): InterfaceCounters {
  return {
    ifIndex: 1,
    speedBps: 1000 * MBPS,
    inOctets: 0n,
    outOctets: 0n,
    octetsCounterBits: 64,
    inErrors: 0,
    outErrors: 0,
    inDiscards: 0,
    outDiscards: 0,
    ...overrides,
  }
}

function sample(
  takenAtMs: number,
  sysUpTimeTicks: number | null,
  interfaces: InterfaceCounters[]
): CounterSample {
  return { takenAtMs, sysUpTimeTicks, interfaces }
}

test.group('rates: counter wraps', () => {
  test('a 32-bit octet counter that wrapped yields the unwrapped rate', ({ assert }) => {
    // 4,294,967,000 → 12,500,704 in 10 s: 296 octets up to the wrap, 12,500,704 after it.
    const before = sample(0, 100_000, [
      iface({ inOctets: 4_294_967_000n, octetsCounterBits: 32, speedBps: 100 * MBPS }),
    ])
    const after = sample(10_000, 101_000, [
      iface({ inOctets: 12_500_704n, octetsCounterBits: 32, speedBps: 100 * MBPS }),
    ])
    const [rates] = computeRates(before, after).interfaces
    assert.isTrue(rates.wrapped)
    assert.isFalse(rates.discontinuity)
    assert.closeTo(rates.inBps!, ((296 + 12_500_704) * 8) / 10, 1e-6)
    assert.closeTo(rates.inUtilisation!, rates.inBps! / (100 * MBPS), 1e-12)
  })

  test('a 64-bit counter wrapping at 2^64 keeps full precision', ({ assert }) => {
    const start = TWO_64 - 1_000n
    const before = sample(0, 500, [iface({ inOctets: start, outOctets: 5n })])
    const after = sample(1_000, 600, [iface({ inOctets: 124_000n, outOctets: 5n })])
    const [rates] = computeRates(before, after).interfaces
    assert.isTrue(rates.wrapped)
    assert.equal(rates.inBps, (1_000 + 124_000) * 8)
    assert.equal(rates.outBps, 0)
  })

  test('counterDelta unwraps exactly once per width', ({ assert }) => {
    assert.deepEqual(counterDelta(10n, 25n, 32), { delta: 15n, wrapped: false })
    assert.deepEqual(counterDelta(TWO_32 - 5n, 5n, 32), { delta: 10n, wrapped: true })
    assert.deepEqual(counterDelta(TWO_64 - 1n, 0n, 64), { delta: 1n, wrapped: true })
  })

  test('error and discard counters (Counter32) unwrap too', ({ assert }) => {
    const before = sample(0, 0, [iface({ inErrors: 4_294_967_290 })])
    const after = sample(2_000, 200, [iface({ inErrors: 10 })])
    const [rates] = computeRates(before, after).interfaces
    assert.equal(rates.inErrorsPerSec, 8)
    assert.isTrue(rates.wrapped)
  })
})

test.group('rates: reboot', () => {
  test('sysUpTime going back means reboot: no rates at all', ({ assert }) => {
    const before = sample(0, 8_640_000, [iface({ inOctets: 9_000_000_000n })])
    const after = sample(300_000, 3_000, [iface({ inOctets: 1_000n })])
    const result = computeRates(before, after)
    assert.isTrue(result.reboot)
    assert.deepEqual(result.interfaces, [])
  })

  test('an uptime shorter than the interval is a reboot even when it grew', ({ assert }) => {
    // 10 s of uptime at the first poll, 100 s at the second one five minutes later.
    assert.isTrue(detectReboot(sample(0, 1_000, []), sample(300_000, 10_000, [])).reboot)
  })

  test('TimeTicks rolling over at 2^32 after 497 days is not a reboot', ({ assert }) => {
    const nearEnd = 2 ** 32 - 2_000
    const result = detectReboot(sample(0, nearEnd, []), sample(60_000, 4_000, []))
    assert.deepEqual(result, { reboot: false, uptimeWrapped: true })
  })

  test('normal progress and clock jitter are not reboots', ({ assert }) => {
    assert.isFalse(detectReboot(sample(0, 50_000, []), sample(60_000, 56_000, [])).reboot)
    assert.isFalse(detectReboot(sample(0, 50_000, []), sample(60_000, 55_800, [])).reboot)
    assert.isFalse(detectReboot(sample(0, null, []), sample(60_000, 1, [])).reboot)
  })
})

test.group('rates: discontinuities', () => {
  test('a jump beyond what the interface speed allows is discarded, not reported', ({ assert }) => {
    // 100 Mbit/s for 10 s is at most 125 MB; 5 GB is a counter reset or a swapped card.
    const before = sample(0, 0, [iface({ speedBps: 100 * MBPS, inOctets: 1_000n })])
    const after = sample(10_000, 1_000, [iface({ speedBps: 100 * MBPS, inOctets: 5_000_001_000n })])
    const [rates] = computeRates(before, after).interfaces
    assert.isNull(rates.inBps)
    assert.isTrue(rates.discontinuity)
  })

  test('a 64-bit counter reset to a small value is a discontinuity, never a negative rate', ({
    assert,
  }) => {
    const before = sample(0, 0, [iface({ inOctets: 8_000_000_000_000n })])
    const after = sample(60_000, 6_000, [iface({ inOctets: 4_000n })])
    const [rates] = computeRates(before, after).interfaces
    assert.isNull(rates.inBps)
    assert.isTrue(rates.discontinuity)
  })

  test('switching between 64- and 32-bit counters gives no octet rate', ({ assert }) => {
    const before = sample(0, 0, [iface({ inOctets: 10n, octetsCounterBits: 64 })])
    const after = sample(1_000, 100, [iface({ inOctets: 20n, octetsCounterBits: 32 })])
    const [rates] = computeRates(before, after).interfaces
    assert.isNull(rates.inBps)
    assert.isTrue(rates.discontinuity)
  })

  test('rates are never negative, whatever the counters do', ({ assert }) => {
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 500; i++) {
      const bits = random() < 0.5 ? 32 : 64
      const max = bits === 32 ? 2 ** 32 : 2 ** 53
      const a = BigInt(Math.floor(random() * max))
      const b = BigInt(Math.floor(random() * max))
      const rate = counterRate(a, b, bits, 1 + random() * 300, 1e12)
      if (rate.perSecond !== null) assert.isAtLeast(rate.perSecond, 0)
    }
  })

  test('an interface without speed is bounded by the configured ceiling', ({ assert }) => {
    const before = sample(0, 0, [iface({ speedBps: 0, inOctets: 0n })])
    const after = sample(1_000, 100, [iface({ speedBps: 0, inOctets: 200_000_000n })])
    const loose = computeRates(before, after).interfaces[0]
    assert.equal(loose.inBps, 1.6e9)
    assert.isNull(loose.inUtilisation)
    const tight = computeRates(before, after, { unknownSpeedBps: 1e9 }).interfaces[0]
    assert.isNull(tight.inBps)
  })

  test('interfaces that appear or vanish between polls get no rates', ({ assert }) => {
    const before = sample(0, 0, [iface({ ifIndex: 1 }), iface({ ifIndex: 2 })])
    const after = sample(1_000, 100, [iface({ ifIndex: 2 }), iface({ ifIndex: 3 })])
    assert.deepEqual(
      computeRates(before, after).interfaces.map((rates) => rates.ifIndex),
      [2]
    )
  })
})

test.group('rates: false wraps, resets and renumbering (issue #8)', () => {
  test('a 32-bit counter going back by 1,000 bytes is a reset, not 573 Mbit/s', ({ assert }) => {
    const before = sample(0, 0, [iface({ inOctets: 3_000_000_000n, octetsCounterBits: 32 })])
    const after = sample(60_000, 6_000, [
      iface({ inOctets: 2_999_999_000n, octetsCounterBits: 32 }),
    ])
    const [rates] = computeRates(before, after).interfaces
    assert.isNull(rates.inBps)
    assert.isTrue(rates.discontinuity)
  })

  test('"clear counters" is no error rate of 1.4e7/s, and discards the whole row', ({ assert }) => {
    const before = sample(0, 0, [
      iface({ speedBps: 10e9, inErrors: 5_000, inOctets: 1_000_000n, outOctets: 2_000_000n }),
    ])
    const after = sample(300_000, 30_000, [
      iface({ speedBps: 10e9, inErrors: 0, inOctets: 9_000_000n, outOctets: 9_000_000n }),
    ])
    const [rates] = computeRates(before, after).interfaces
    assert.isNull(rates.inErrorsPerSec)
    assert.isNull(rates.inBps, 'one reset counter on the row: no delta of that row is trusted')
    assert.isNull(rates.outBps)
    assert.isTrue(rates.discontinuity)
  })

  test('sysUpTime jitter of a few ticks is not a reboot', ({ assert }) => {
    assert.isFalse(detectReboot(sample(0, 500_000, []), sample(60_000, 499_997, [])).reboot)
    assert.isFalse(detectReboot(sample(0, 500_000, []), sample(60_000, 500_000, [])).reboot)
    // …but a restart after the previous poll still is
    assert.isTrue(detectReboot(sample(0, 500_000, []), sample(60_000, 3_000, [])).reboot)
  })

  test('an ifIndex now naming another port gives no rate (no invented 133 Mbit/s)', ({
    assert,
  }) => {
    const before = sample(0, 100_000, [
      iface({ ifIndex: 1, name: 'GE0/0/1', inOctets: 1_000_000_000n }),
      iface({ ifIndex: 2, name: 'GE0/0/2', inOctets: 2_000_000_000n }),
    ])
    const after = sample(60_000, 106_000, [
      iface({ ifIndex: 1, name: 'GE0/0/2', inOctets: 2_000_000_100n }),
      iface({ ifIndex: 2, name: 'GE0/0/1', inOctets: 1_000_000_100n }),
    ])
    const result = computeRates(before, after)
    assert.deepEqual(
      result.interfaces.map((row) => [row.ifIndex, row.inBps, row.renumbered]),
      [
        [1, null, true],
        [2, null, true],
      ]
    )
  })
})

test.group('rates: samples from polls', () => {
  test('a failed poll gives no sample', ({ assert }) => {
    assert.isNull(
      sampleFromPoll({
        ok: false,
        takenAtMs: 0,
        durationMs: 1,
        requests: 1,
        responses: 0,
        error: { code: 'E_SNMP_TIMEOUT', message: 'timeout' },
        moduleErrors: [],
        modules: {},
        system: null,
        interfaces: [],
        cpuLoads: [],
      })
    )
  })

  test('an answered poll whose interfaces module failed gives no sample', ({ assert }) => {
    assert.isNull(
      sampleFromPoll({
        ok: true,
        takenAtMs: 0,
        durationMs: 1,
        requests: 1,
        responses: 1,
        moduleErrors: [{ module: 'interfaces', code: 'E_SNMP_ERROR_STATUS', message: 'genErr' }],
        modules: { system: 'ok', interfaces: 'failed', cpu: 'ok' },
        system: { sysDescr: null, sysObjectId: null, sysUpTimeTicks: 5, sysName: null },
        interfaces: [],
        cpuLoads: [],
      })
    )
  })
})
