/**
 * Polling benchmark: our poller (snmp-native, one socket, GETBULK streams)
 * against the agent's own ceiling and a LibreNMS-style baseline
 * (snmpbulkwalk processes), all against one snmpd serving a 24-port
 * ifTable/ifXTable from 24 ifb interfaces in a private network namespace.
 *
 *   npm run bench:poll                        # 342 and 2000 devices
 *   npm run bench:poll -- --devices 500 --concurrency 48
 *
 * Needs root (unshare --net, ip link, taskset) and Debian's snmpd + snmp
 * packages. Devices are distinct loopback addresses 127.1.x.y of the one
 * snmpd bound to 0.0.0.0 inside the namespace, so every device is a separate
 * target on the wire. snmpd gets the last CPU, our poller and the ceiling
 * client the others; the baseline's processes may use every CPU (generous
 * to the baseline). Ours and the ceiling alternate for --repeat rounds and
 * the medians are reported, because other work on a shared machine skews
 * single runs.
 */
import dgram from 'node:dgram'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import SnmpClient from '#network_monitoring/snmp/client'
import DevicePoller from '#network_monitoring/snmp/device_poller'
import PollScheduler from '#network_monitoring/snmp/poll_scheduler'
import { findExecutable, startSnmpd } from '#network_monitoring/simulator/external_agents'
import type { ExternalAgent } from '#network_monitoring/simulator/external_agents'
import type { PollResult } from '#network_monitoring/snmp/device_poller'
import type { SnmpTarget } from '#network_monitoring/snmp/client'

const NAMESPACE_FLAG = 'SHUZHI_BENCH_NETNS'
const PORT = 16100
const IFB_COUNT = 24

interface Args {
  devices: number[]
  concurrency: number
  /** Requests the ceiling client keeps in flight (default: the concurrency). */
  window: number | null
  baselineParallel: number
  maxGetbulkResponses: number | null
  skipBaseline: boolean
  repeat: number
  /** Seconds the baseline may run per device count; it stops launching devices after that. */
  baselineBudget: number
}

interface Row {
  /** Polls of all devices measured back to back. */
  cycles: number
  udpDrops: number
  maxMs: number | null
  mode: string
  devices: number
  wallSeconds: number
  okDevices: number
  devicesPerSecond: number
  p50: number | null
  p95: number | null
  pollerCpu: number
  agentCpu: number
  requestsPerDevice: number | null
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    devices: [342, 2000],
    concurrency: 128,
    window: null,
    baselineParallel: 8,
    maxGetbulkResponses: null,
    skipBaseline: false,
    repeat: 5,
    baselineBudget: 40,
  }
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1]
    if (argv[i] === '--devices') args.devices = value.split(',').map(Number)
    if (argv[i] === '--concurrency') args.concurrency = Number(value)
    if (argv[i] === '--window') args.window = Number(value)
    if (argv[i] === '--baseline-parallel') args.baselineParallel = Number(value)
    if (argv[i] === '--max-getbulk-responses') args.maxGetbulkResponses = Number(value)
    if (argv[i] === '--skip-baseline') args.skipBaseline = true
    if (argv[i] === '--repeat') args.repeat = Number(value)
    if (argv[i] === '--baseline-budget') args.baselineBudget = Number(value)
  }
  return args
}

/** Device n (0-based) → its own loopback address, all served by the one snmpd. */
function deviceHost(n: number) {
  const i = n + 1
  return `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** CPU seconds of this process's waited-for children (cutime + cstime). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[13]) + Number(fields[14])) / 100
}

/** Datagrams the namespace's UDP stack dropped (receive-buffer overflow and other input errors). */
function udpDrops(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'))
  const names = lines[0].split(/\s+/)
  const values = lines[1].split(/\s+/).map(Number)
  return values[names.indexOf('InErrors')] + values[names.indexOf('RcvbufErrors')]
}

function ownCpuSeconds(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { stdio: 'pipe' })
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.toString()}`)
  }
}

/** Re-runs this script inside a fresh network namespace (the host's interfaces are never touched). */
function reexecInNamespace(): Promise<number> {
  const unshare = findExecutable('unshare')
  if (!unshare) throw new Error('unshare (util-linux) not found')
  const script = fileURLToPath(import.meta.url)
  const child = spawn(
    unshare,
    ['--net', '--', process.execPath, ...process.execArgv, script, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, [NAMESPACE_FLAG]: '1' } }
  )
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)))
}

/** CPU pressure (PSI "some" avg10): how much other work competed for CPU lately. */
function cpuPressure(): string {
  try {
    const line = readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0]
    return `${line.match(/avg10=([\d.]+)/)?.[1] ?? '?'} %`
  } catch {
    return 'n/a'
  }
}

/**
 * Gives the agent the last CPU and this process (and the processes it
 * spawns) the others, so poller and agent do not preempt each other and
 * ours and the ceiling get the same split.
 */
function pinCpus(agentPid: number) {
  const cpus = availableParallelism()
  const all = `0-${cpus - 1}`
  if (cpus < 2) return { description: 'not pinned (1 CPU)', pollerCpus: all, all }
  const agentCpu = String(cpus - 1)
  const pollerCpus = cpus === 2 ? '0' : `0-${cpus - 2}`
  run('taskset', ['-a', '-p', '-c', agentCpu, String(agentPid)])
  run('taskset', ['-a', '-p', '-c', pollerCpus, String(process.pid)])
  return {
    description: `snmpd on CPU ${agentCpu}, poller and ceiling client on CPU ${pollerCpus}`,
    pollerCpus,
    all,
  }
}

/** Moves this process (and so the processes it spawns next) onto `cpus`. */
function setOwnCpus(cpus: string) {
  run('taskset', ['-a', '-p', '-c', cpus, String(process.pid)])
}

function prepareNamespace() {
  run('ip', ['link', 'set', 'lo', 'up'])
  for (let i = 0; i < IFB_COUNT; i++) {
    run('ip', ['link', 'add', `ifb${i}`, 'type', 'ifb'])
    run('ip', ['link', 'set', `ifb${i}`, 'up'])
  }
}

/** Back-to-back cycles per measurement, so a small county still runs for about two seconds. */
function cyclesFor(count: number) {
  return Math.max(1, Math.round(2000 / count))
}

async function measureOurs(agent: ExternalAgent, count: number, concurrency: number): Promise<Row> {
  const client = await SnmpClient.open({ timeoutMs: 2000, retries: 1 })
  const poller = new DevicePoller(client)
  const probe = await poller.poll({ host: deviceHost(0), port: PORT })
  if (!probe.ok) throw new Error(`probe poll failed: ${probe.error?.message}`)
  // Steady state: the device record remembers last poll's interface count.
  const expectedInterfaces = probe.interfaces.length
  const scheduler = new PollScheduler<SnmpTarget, PollResult>({
    concurrency,
    deviceTimeoutMs: 15_000,
    poll: (target, signal) => poller.poll(target, { signal, expectedInterfaces }),
  })
  const targets = Array.from({ length: count }, (_, n) => ({ host: deviceHost(n), port: PORT }))
  const cycles = cyclesFor(count)
  const durations: number[] = []
  let ok = 0
  let wallMs = 0
  const requestsBefore = client.stats.requests
  const dropsBefore = udpDrops()
  const cpuBefore = ownCpuSeconds()
  const agentBefore = agent.cpuSeconds()
  for (let i = 0; i < cycles; i++) {
    const cycle = await scheduler.runCycle(targets)
    if (cycle.skipped) throw new Error('cycle unexpectedly skipped')
    wallMs += cycle.durationMs
    ok += cycle.ok
    for (const outcome of cycle.outcomes) if (outcome.ok) durations.push(outcome.durationMs)
  }
  const pollerCpu = ownCpuSeconds() - cpuBefore
  const agentCpu = agent.cpuSeconds() - agentBefore
  const requests = client.stats.requests - requestsBefore
  client.close()
  return {
    udpDrops: udpDrops() - dropsBefore,
    maxMs: percentile(durations, 100),
    mode: 'ours (snmp-native, 1 socket)',
    devices: count,
    cycles,
    wallSeconds: wallMs / 1000,
    okDevices: ok,
    devicesPerSecond: ok / (wallMs / 1000),
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    pollerCpu,
    agentCpu,
    requestsPerDevice: requests / (count * cycles),
  }
}

/** The exact request PDUs one device poll sends, for the ceiling client to replay. */
async function recordPollRequests(expectedInterfaces: number): Promise<Buffer[]> {
  while (true) {
    const packets: Buffer[] = []
    const client = await SnmpClient.open({
      onRequest: (packet) => packets.push(Buffer.from(packet)),
    })
    await new DevicePoller(client).poll({ host: deviceHost(0), port: PORT }, { expectedInterfaces })
    client.close()
    // The replay rewrites the low 3 bytes of a 4-byte request-id; ids start at random.
    if (packets.every((packet) => requestIdOffset(packet).length === 4)) return packets
  }
}

/** Offset of the request-id INTEGER's value in an encoded message (walks the BER headers). */
function requestIdOffset(packet: Buffer): { offset: number; length: number } {
  const skipHeader = (pos: number) => {
    const first = packet[pos + 1]
    return pos + 2 + (first & 0x80 ? first & 0x7f : 0)
  }
  let pos = skipHeader(0)
  pos += 2 + packet[pos + 1]
  pos += 2 + packet[pos + 1]
  pos = skipHeader(pos)
  return { offset: pos + 2, length: packet[pos + 1] }
}

/**
 * The agent's ceiling: a minimal client that keeps `window` requests in
 * flight, replaying our poll's PDUs round-robin over the device addresses,
 * and does nothing with a reply but count it.
 */
async function measureCeiling(
  agent: ExternalAgent,
  templates: Buffer[],
  count: number,
  window: number
): Promise<Row> {
  const cycles = cyclesFor(count)
  const total = templates.length * count * cycles
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  socket.setRecvBufferSize(4 * 1024 * 1024)
  const shapes = templates.map((template) => ({ template, ...requestIdOffset(template) }))
  const inFlight = new Map<number, number>()
  let sent = 0
  let received = 0
  let lostCount = 0
  let nextId = 0
  const rtts: number[] = []

  const dropsBefore = udpDrops()
  const cpuBefore = ownCpuSeconds()
  const agentBefore = agent.cpuSeconds()
  const started = performance.now()
  await new Promise<void>((resolve) => {
    const send = () => {
      if (sent >= total) return
      const shape = shapes[sent % shapes.length]
      const host = deviceHost(Math.floor(sent / shapes.length) % count)
      sent++
      const id = nextId
      nextId = (nextId + 1) & 0xffffff
      const packet = Buffer.from(shape.template)
      packet.writeUIntBE(id, shape.offset + shape.length - 3, 3)
      inFlight.set(id, performance.now())
      socket.send(packet, PORT, host)
    }
    const lost = setInterval(() => {
      const now = performance.now()
      for (const [id, at] of inFlight) {
        if (now - at > 1000) {
          inFlight.delete(id)
          lostCount++
          received++
          send()
        }
      }
      if (received >= total) {
        clearInterval(lost)
        resolve()
      }
    }, 200)
    socket.on('message', (msg) => {
      const { offset, length } = requestIdOffset(msg)
      const id = msg.readUIntBE(offset + length - 3, 3)
      const at = inFlight.get(id)
      if (at === undefined) return
      inFlight.delete(id)
      rtts.push(performance.now() - at)
      received++
      if (received >= total) {
        clearInterval(lost)
        resolve()
      } else {
        send()
      }
    })
    for (let i = 0; i < window; i++) send()
  })
  const wallSeconds = (performance.now() - started) / 1000
  const pollerCpu = ownCpuSeconds() - cpuBefore
  const agentCpu = agent.cpuSeconds() - agentBefore
  socket.close()
  return {
    udpDrops: udpDrops() - dropsBefore,
    maxMs: percentile(rtts, 100),
    mode: `agent ceiling (raw GETBULK, window ${window})`,
    devices: count,
    cycles,
    wallSeconds,
    okDevices: count * cycles - Math.ceil(lostCount / templates.length),
    devicesPerSecond: (count * cycles) / wallSeconds,
    p50: percentile(rtts, 50),
    p95: percentile(rtts, 95),
    pollerCpu,
    agentCpu,
    requestsPerDevice: templates.length,
  }
}

/** LibreNMS-style: per device one snmpbulkwalk process for ifTable and one for ifXTable, N devices in parallel. */
async function measureBaseline(
  agent: ExternalAgent,
  count: number,
  parallel: number,
  budgetSeconds: number
): Promise<Row> {
  const binary = findExecutable('snmpbulkwalk')
  if (!binary) throw new Error('snmpbulkwalk not found (Debian: apt-get install snmp)')
  const state = mkdtempSync(join(tmpdir(), 'shuzhi-bench-snmp-'))
  const env = { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: state }
  const walk = (host: string, oid: string) =>
    new Promise<boolean>((resolve) => {
      const child = spawn(
        binary,
        [
          '-v2c',
          '-c',
          'public',
          '-Cr20',
          '-On',
          '-M',
          '/nonexistent',
          '-t',
          '2',
          '-r',
          '1',
          `${host}:${PORT}`,
          oid,
        ],
        { env, stdio: 'ignore' }
      )
      child.on('exit', (code) => resolve(code === 0))
    })
  const durations: number[] = []
  let ok = 0
  let next = 0
  const dropsBefore = udpDrops()
  const cpuBefore = childrenCpuSeconds()
  const agentBefore = agent.cpuSeconds()
  const started = performance.now()
  const deadline = performance.now() + budgetSeconds * 1000
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count && performance.now() < deadline) {
        const host = deviceHost(next++)
        const t0 = performance.now()
        const ifTable = await walk(host, '.1.3.6.1.2.1.2.2')
        const ifXTable = await walk(host, '.1.3.6.1.2.1.31.1.1')
        durations.push(performance.now() - t0)
        if (ifTable && ifXTable) ok++
      }
    })
  )
  const wallSeconds = (performance.now() - started) / 1000
  rmSync(state, { recursive: true, force: true })
  return {
    udpDrops: udpDrops() - dropsBefore,
    maxMs: percentile(durations, 100),
    mode: `baseline (snmpbulkwalk ×2, ${parallel} parallel)`,
    devices: durations.length,
    cycles: 1,
    wallSeconds,
    okDevices: ok,
    devicesPerSecond: ok / wallSeconds,
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    pollerCpu: childrenCpuSeconds() - cpuBefore,
    agentCpu: agent.cpuSeconds() - agentBefore,
    requestsPerDevice: null,
  }
}

function printTable(rows: Row[]) {
  const head = [
    'mode',
    'devices',
    'cycles',
    'ok',
    'wall s',
    'dev/s',
    'p50 ms',
    'p95 ms',
    'max ms',
    'poller CPU s',
    'snmpd CPU s',
    'snmpd CPU %',
    'req/dev',
    'UDP drops',
  ]
  const fmt = (n: number | null, digits = 1) => (n === null ? '—' : n.toFixed(digits))
  const lines = rows.map((row) => [
    row.mode,
    String(row.devices),
    String(row.cycles),
    String(row.okDevices),
    fmt(row.wallSeconds, 2),
    fmt(row.devicesPerSecond, 0),
    fmt(row.p50),
    fmt(row.p95),
    fmt(row.maxMs, 0),
    fmt(row.pollerCpu, 2),
    fmt(row.agentCpu, 2),
    fmt((row.agentCpu / row.wallSeconds) * 100, 0),
    fmt(row.requestsPerDevice, 2),
    String(row.udpDrops),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)))
  const render = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  console.log(render(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const line of lines) console.log(render(line))
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  if (!process.env[NAMESPACE_FLAG]) {
    process.exitCode = await reexecInNamespace()
    return
  }
  prepareNamespace()
  const extraConfig =
    args.maxGetbulkResponses === null ? [] : [`maxGetbulkResponses ${args.maxGetbulkResponses}`]
  const agent = await startSnmpd({ bindAddress: '0.0.0.0', port: PORT, extraConfig })
  const pinning = pinCpus(agent.pid)
  const benchStarted = performance.now()
  const pressureBefore = cpuPressure()
  try {
    const probeClient = await SnmpClient.open()
    const probe = await new DevicePoller(probeClient).poll({ host: deviceHost(0), port: PORT })
    probeClient.close()
    const interfaces = probe.interfaces.length
    const templates = await recordPollRequests(interfaces)
    console.log(
      `snmpd ${agent.pid} in a private netns: ${interfaces} interfaces (lo + ${IFB_COUNT} ifb); ` +
        `one poll = ${templates.length} GETBULK (${templates.map((t) => t.length).join('/')} bytes), ` +
        `maxGetbulkResponses ${args.maxGetbulkResponses ?? 'default (100)'}; concurrency/window ${args.concurrency}; ` +
        `${pinning.description}; medians of ${args.repeat} alternating rounds`
    )

    // A long-running poller is warm: JIT and heap sizing are not part of the measurement.
    await measureOurs(agent, 342, args.concurrency)
    await measureCeiling(agent, templates, 342, args.window ?? args.concurrency)

    const rows: Row[] = []
    const notes: string[] = []
    const median = (runs: Row[]) =>
      [...runs].sort((x, y) => x.devicesPerSecond - y.devicesPerSecond)[Math.floor(runs.length / 2)]
    const perRound = (runs: Row[]) => runs.map((row) => row.devicesPerSecond.toFixed(0)).join(', ')
    for (const count of args.devices) {
      // Alternate the two so drift on a shared machine hits both alike.
      const oursRuns: Row[] = []
      const ceilingRuns: Row[] = []
      for (let round = 0; round < args.repeat; round++) {
        oursRuns.push(await measureOurs(agent, count, args.concurrency))
        ceilingRuns.push(
          await measureCeiling(agent, templates, count, args.window ?? args.concurrency)
        )
      }
      const ours = median(oursRuns)
      const ceiling = median(ceilingRuns)
      rows.push(ours, ceiling)
      // Each round's two runs are adjacent in time, so their ratio is immune to slow drift.
      const ratios = oursRuns
        .map((row, i) => row.devicesPerSecond / ceilingRuns[i].devicesPerSecond)
        .sort((a, b) => a - b)
      const ratio =
        ratios.length % 2 === 1
          ? ratios[(ratios.length - 1) / 2]
          : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2
      let line = `${count} devices: ours/ceiling ${(ratio * 100).toFixed(0)} % (median of per-round ratios; target ≥ 90 %)`
      if (!args.skipBaseline) {
        setOwnCpus(pinning.all)
        const baseline = await measureBaseline(
          agent,
          count,
          args.baselineParallel,
          args.baselineBudget
        )
        setOwnCpus(pinning.pollerCpus)
        rows.push(baseline)
        line += `, ours/baseline ${(ours.devicesPerSecond / baseline.devicesPerSecond).toFixed(2)}× (target ≥ 2×)`
        if (baseline.devices < count) {
          line += ` [baseline stopped after ${baseline.devices} devices: ${args.baselineBudget} s budget]`
        }
      }
      notes.push(line)
      notes.push(`  dev/s per round: ours ${perRound(oursRuns)}; ceiling ${perRound(ceilingRuns)}`)
    }
    console.log()
    printTable(rows)
    console.log()
    for (const line of notes) console.log(line)
    console.log(
      `bench time ${((performance.now() - benchStarted) / 1000).toFixed(1)} s; ` +
        `CPU pressure from other work before the run (PSI some avg10): ${pressureBefore}`
    )
  } finally {
    await agent.stop()
  }
}

await main()
