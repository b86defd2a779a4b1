/**
 * Alert-rule cost: how long the rule engine's synchronous evaluation of one
 * committed batch of 500 poll records holds the event loop (target < 20 ms),
 * over the simulated county's device mix (core 48 ports, towns 8, villages 4…),
 * with every rule enabled and baselines warm. Memory backend and a recording
 * sink: the database and the alert store are measured by bench:cycle/bench:alerts.
 *
 *   npm run bench:rules                 # 500 records, 200 batches
 *   npm run bench:rules -- --records 2000 --batches 50
 */
import { loadavg } from 'node:os'
import { buildCountyTopology } from '#network_monitoring/simulator/topology'
import { SIM_THREAT_BASE } from '#network_monitoring/alerts/rules/threat_map'
import type { PollRecord } from '#network_monitoring/services/poll_records'
import { engineFor, interfaceRecord, pollRecord, rates } from '#tests/helpers/alert_rules'

function flag(name: string, fallback: number) {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? Number(process.argv[at + 1]) : fallback
}

const RECORDS = flag('records', 500)
const BATCHES = flag('batches', 200)
const WARMUP = 30

const topology = buildCountyTopology(Math.max(RECORDS, 40))
const { engine, backend, clock } = engineFor()
for (const spec of topology.slice(0, RECORDS)) {
  backend.addDevice(spec.id + 1, spec.interfaces.length, {
    deviceType: spec.kind === 'firewall' ? 'firewall' : 'access_switch',
  })
}

function batch(minute: number): PollRecord[] {
  return topology.slice(0, RECORDS).map((spec) =>
    pollRecord(spec.id + 1, clock.ms, {
      cpuLoad: spec.cpus > 0 ? 20 + (minute % 7) : null,
      system: {
        sysDescr: null,
        sysObjectId: spec.sysObjectId,
        sysUpTimeTicks: 1_000_000 + minute * 6000,
        sysName: spec.name,
      },
      threatCounters:
        spec.kind === 'firewall' || spec.kind === 'ips' || spec.kind === 'av_gateway'
          ? { [`${SIM_THREAT_BASE}.2`]: 100 + Math.floor(minute / 40) }
          : undefined,
      interfaces: spec.interfaces.map((row) =>
        interfaceRecord(row.ifIndex, {
          adminStatus: row.adminUp ? 1 : 2,
          operStatus: row.adminUp ? 1 : 2,
          speedBps: row.speedBps,
          rates: rates(
            row.inBps * (1 + 0.3 * Math.sin(minute / 3 + row.ifIndex)),
            row.outBps * (1 + 0.3 * Math.cos(minute / 4 + row.ifIndex)),
            row.speedBps
          ),
        })
      ),
    })
  )
}

const times: number[] = []
const cpuTimes: number[] = []
let signals = 0
for (let minute = 0; minute < WARMUP + BATCHES; minute++) {
  clock.ms += 60_000
  const records = batch(minute)
  await engine.prepare(records)
  const cpuBefore = process.cpuUsage()
  const result = engine.evaluate(records)
  const cpu = process.cpuUsage(cpuBefore)
  await engine.flush()
  signals += result.signals.length
  if (minute >= WARMUP) {
    times.push(result.evaluationMs)
    cpuTimes.push((cpu.user + cpu.system) / 1000)
  }
}
const quantile = (values: number[], q: number) =>
  values.toSorted((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]
const at = (q: number) => quantile(times, q)
const cpuAt = (q: number) => quantile(cpuTimes, q)
const interfaces = topology.slice(0, RECORDS).reduce((n, spec) => n + spec.interfaces.length, 0)
console.log(
  `bench:rules — ${RECORDS} records (${interfaces} interfaces) per batch, ${BATCHES} batches after ${WARMUP} warm-up`
)
console.log(
  `evaluation per batch, wall clock: median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${at(1).toFixed(2)} ms (target < 20 ms); signals ${signals}`
)
console.log(
  `evaluation per batch, CPU time (other processes excluded): median ${cpuAt(0.5).toFixed(2)} ms, p95 ${cpuAt(0.95).toFixed(2)} ms, max ${cpuAt(1).toFixed(2)} ms`
)
console.log(`load average while measuring: ${loadavg()[0].toFixed(1)}`)
