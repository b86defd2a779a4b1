import dgram from 'node:dgram'
import { spawn } from 'node:child_process'
import { accessSync, constants, readFileSync } from 'node:fs'
import { chown, cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { delimiter, join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import SnmpClient from '#network_monitoring/snmp/client'

/** A real SNMP agent process (net-snmp's snmpd or snmpsim) started for tests and benchmarks. */
export interface ExternalAgent {
  pid: number
  host: string
  port: number
  /** Seconds of CPU (user + system) the process has used so far. */
  cpuSeconds(): number
  /** What the process printed (last 64 KiB). */
  output(): string
  stop(): Promise<void>
}

export interface SnmpdOptions {
  /** UDP port (default: a free one). */
  port?: number
  /** 127.0.0.1 (default), or 0.0.0.0 to answer on every 127.x.y.z. */
  bindAddress?: string
  community?: string
  /** More snmpd.conf lines, e.g. "maxGetbulkResponses 1000". */
  extraConfig?: string[]
  readyTimeoutMs?: number
}

export interface SnmpsimOptions {
  /** Directory of .snmprec files; each file's name (without extension) is a community. */
  dataDir: string
  /** A community whose data file answers sysUpTime.0 — used to detect readiness. */
  probeCommunity: string
  port?: number
  host?: string
  readyTimeoutMs?: number
}

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin']

/** Full path of an executable from PATH (plus the sbin directories), or null. */
export function findExecutable(...names: string[]): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SBIN_DIRS].filter(Boolean)
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {
        continue
      }
    }
  }
  return null
}

/** A UDP port nobody listens on right now (bound and released). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, host, () => resolve())
  })
  const port = socket.address().port
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

/** Numeric id of a user or group from /etc/passwd or /etc/group (Debian's nobody/nogroup: 65534). */
function systemId(file: string, name: string): number {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith(`${name}:`))
    const id = Number(line?.split(':')[2])
    return Number.isInteger(id) ? id : 65534
  } catch {
    return 65534
  }
}

/** CPU seconds of a process from /proc/<pid>/stat (utime + stime, USER_HZ = 100 on Linux). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

const running = new Set<ChildProcess>()
let reaperInstalled = false

/** Agents must not outlive a crashed test or benchmark process. */
function track(child: ChildProcess) {
  running.add(child)
  child.once('exit', () => running.delete(child))
  if (reaperInstalled) return
  reaperInstalled = true
  process.once('exit', () => {
    for (const leftover of running) leftover.kill('SIGKILL')
  })
}

function supervise(child: ChildProcess, host: string, port: number, cleanup: () => Promise<void>) {
  track(child)
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-65536)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.once('error', (error) => {
      output += `\n${error.message}`
      resolve()
    })
  })
  const agent: ExternalAgent = {
    pid: child.pid ?? -1,
    host,
    port,
    cpuSeconds: () => (child.pid === undefined ? 0 : processCpuSeconds(child.pid)),
    output: () => output,
    stop: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
        await exited
        clearTimeout(timer)
      }
      await cleanup()
    },
  }
  return { agent, exited }
}

async function waitUntilAnswering(
  agent: ExternalAgent,
  community: string,
  exited: Promise<void>,
  timeoutMs: number,
  what: string
) {
  const client = await SnmpClient.open({ timeoutMs: 300, retries: 0 })
  let gone = false
  exited.then(() => (gone = true))
  const deadline = Date.now() + timeoutMs
  try {
    while (Date.now() < deadline && !gone) {
      try {
        await client.get({ host: agent.host, port: agent.port, community }, ['1.3.6.1.2.1.1.3.0'])
        return
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  } finally {
    client.close()
  }
  const output = agent.output()
  await agent.stop()
  throw new Error(
    `${what} did not answer on ${agent.host}:${agent.port} within ${timeoutMs} ms:\n${output}`
  )
}

/**
 * Starts net-snmp's snmpd in the foreground with a throwaway config and state
 * directory (never /var/lib/snmp), tuned for load: large receive buffer and
 * no per-request connection logging.
 */
export async function startSnmpd(options: SnmpdOptions = {}): Promise<ExternalAgent> {
  const binary = findExecutable('snmpd')
  if (!binary) throw new Error('snmpd not found on PATH (Debian: apt-get install snmpd)')
  const bindAddress = options.bindAddress ?? '127.0.0.1'
  const port =
    options.port ?? (await freeUdpPort(bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress))
  const community = options.community ?? 'public'
  const dir = await mkdtemp(join(tmpdir(), 'shuzhi-snmpd-'))
  const config = join(dir, 'snmpd.conf')
  await writeFile(
    config,
    [
      `rocommunity ${community} default`,
      'dontLogTCPWrappersConnects yes',
      '[snmp] serverRecvBuf 4194304',
      ...(options.extraConfig ?? []),
      '',
    ].join('\n')
  )
  const child = spawn(
    binary,
    ['-f', '-Lo', '-C', '-c', config, '-M', '/nonexistent', `udp:${bindAddress}:${port}`],
    {
      env: { ...process.env, MIBS: '', SNMP_PERSISTENT_DIR: join(dir, 'state') },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  )
  const host = bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress
  const { agent, exited } = supervise(child, host, port, () =>
    rm(dir, { recursive: true, force: true })
  )
  await waitUntilAnswering(agent, community, exited, options.readyTimeoutMs ?? 10_000, 'snmpd')
  return agent
}

/**
 * Starts snmpsim (snmpsimd) serving the .snmprec files of `dataDir`. The
 * files are copied to a private directory the unprivileged process user can
 * read, with a writable index cache next to them.
 */
export async function startSnmpsim(options: SnmpsimOptions): Promise<ExternalAgent> {
  const binary = findExecutable('snmpsimd', 'snmpsimd.py')
  if (!binary) throw new Error('snmpsimd not found on PATH (Debian: apt-get install snmpsim)')
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? (await freeUdpPort(host))
  const dir = await mkdtemp(join(tmpdir(), 'shuzhi-snmpsim-'))
  const dataDir = join(dir, 'data')
  const cacheDir = join(dir, 'cache')
  await cp(options.dataDir, dataDir, { recursive: true })
  await mkdir(cacheDir, { recursive: true })

  const args = [
    `--data-dir=${dataDir}`,
    `--cache-dir=${cacheDir}`,
    `--agent-udpv4-endpoint=${host}:${port}`,
    '--logging-method=stderr',
  ]
  if (userInfo().uid === 0) {
    // snmpsim refuses to run as root; it drops to nobody, who must own its files.
    const uid = systemId('/etc/passwd', 'nobody')
    const gid = systemId('/etc/group', 'nogroup')
    for (const path of [dir, dataDir, cacheDir]) await chown(path, uid, gid)
    for (const file of await readdir(dataDir, { recursive: true })) {
      await chown(join(dataDir, String(file)), uid, gid)
    }
    args.push('--process-user=nobody', '--process-group=nogroup')
  }
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const { agent, exited } = supervise(child, host, port, () =>
    rm(dir, { recursive: true, force: true })
  )
  await waitUntilAnswering(
    agent,
    options.probeCommunity,
    exited,
    options.readyTimeoutMs ?? 30_000,
    'snmpsimd'
  )
  return agent
}
