import { test } from '@japa/runner'
import { buildCountyTopology } from '#network_monitoring/simulator/topology'
import {
  hasThreatCounters,
  THREATS_PER_YEAR,
  ThreatCounters,
} from '#network_monitoring/simulator/threat_counters'
import type { SimThreatKind } from '#network_monitoring/alerts/rules/threat_map'

/**
 * Issue #11: the simulator's firewalls, IPS and 防病毒网关 raise their threat counters by
 * themselves, in the seeds' proportions (木马 134, 恶意软件 2, 勒索 4 a year), over an injected
 * clock — no waiting.
 */

const DAY = 86_400_000
const YEAR = 365 * DAY
const T0 = Date.UTC(2026, 0, 1)
const KINDS: SimThreatKind[] = ['trojan', 'malware', 'ransomware']

function appliances() {
  return buildCountyTopology().filter((spec) => hasThreatCounters(spec.kind))
}

test.group('Simulator | threat counters over a simulated year', () => {
  test('the county has firewalls, an IPS and an anti-virus gateway with counters', ({ assert }) => {
    const kinds = new Set(appliances().map((spec) => spec.kind))
    assert.deepEqual([...kinds].sort(), ['av_gateway', 'firewall', 'ips'])
    assert.isFalse(hasThreatCounters('core_switch'))
    assert.isFalse(hasThreatCounters('village_switch'))
  })

  test('ten simulated years average about 134 / 2 / 4 detections a year across the appliances', ({
    assert,
  }) => {
    const years = 10
    const totals: Record<string, number> = {}
    for (const spec of appliances()) {
      const counters = new ThreatCounters(spec.id, spec.kind, T0)
      for (const kind of KINDS) {
        totals[kind] =
          (totals[kind] ?? 0) + counters.value(kind, T0 + years * YEAR) - counters.value(kind, T0)
      }
    }
    for (const kind of KINDS) {
      const expected = THREATS_PER_YEAR[kind]! * years
      // Poisson: within 4 standard deviations of the seeds' yearly figure
      const tolerance = 4 * Math.sqrt(expected)
      assert.closeTo(
        totals[kind],
        expected,
        tolerance,
        `${kind}: ${totals[kind]} in ${years} years`
      )
    }
    assert.deepEqual(THREATS_PER_YEAR, { trojan: 134, malware: 2, ransomware: 4 })
    // the proportions hold: trojans dominate, ransomware above malware on average
    assert.isAbove(totals.trojan, 10 * (totals.malware + totals.ransomware))
  })

  test('one simulated year, read daily: counters never decrease and grow in bursts, not at once', ({
    assert,
  }) => {
    let yearTotal = 0
    for (const spec of appliances()) {
      const counters = new ThreatCounters(spec.id, spec.kind, T0)
      for (const kind of KINDS) {
        let previous = counters.value(kind, T0)
        const start = previous
        let daysWithDetections = 0
        for (let day = 1; day <= 365; day++) {
          const value = counters.value(kind, T0 + day * DAY)
          assert.isAtLeast(value, previous, `${spec.name} ${kind} went down on day ${day}`)
          if (value > previous) daysWithDetections++
          previous = value
        }
        yearTotal += previous - start
        if (kind === 'trojan') {
          assert.isAtLeast(daysWithDetections, 5, `${spec.name}: trojans spread over the year`)
        }
      }
    }
    assert.closeTo(yearTotal, 140, 4 * Math.sqrt(140))
  })

  test('a clock read out of order never moves a counter back; the same device gives the same counts', ({
    assert,
  }) => {
    const [spec] = appliances()
    const counters = new ThreatCounters(spec.id, spec.kind, T0)
    const late = counters.value('trojan', T0 + YEAR)
    const early = counters.value('trojan', T0 + YEAR / 2)
    assert.isAtMost(early, late)
    assert.equal(counters.value('trojan', T0 + YEAR), late)
    const again = new ThreatCounters(spec.id, spec.kind, T0)
    assert.equal(again.value('trojan', T0 + YEAR), late, 'deterministic per device')
  })
})
