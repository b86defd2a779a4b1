/**
 * `npm test` brings up its own peers. The integration suite talks to real SNMP
 * agents (net-snmp's snmpd, snmpsim) and the browser suite drives Chromium;
 * before the runner starts, this checks that the peers the selected suites
 * need are installed. When one is missing and we are root (or sudo works
 * without a password) it installs it with apt, showing apt's progress;
 * otherwise it stops at once with one line naming the exact command — never
 * a dozen scattered test failures.
 */
import { accessSync, constants, readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { delimiter, join, relative, sep } from 'node:path'

export interface Peer {
  /** What the user is told is missing. */
  name: string
  /** Debian package that provides it. */
  pkg: string
  /** Suite that needs it. */
  suite: 'integration' | 'browser'
  /** Full path when installed, else null. */
  locate(): string | null
}

const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin']

/** An executable on PATH or in the sbin directories (not on a normal user's PATH), or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(delimiter), ...SBIN_DIRS].filter(Boolean)) {
    if (isExecutable(join(dir, name))) return join(dir, name)
  }
  return null
}

function isExecutable(file: string) {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Where the browser suite finds Chromium (tests/bootstrap.ts). */
const APT_CHROMIUM = '/usr/bin/chromium'

export function chromiumPath() {
  return process.env.CHROMIUM_PATH ?? APT_CHROMIUM
}

export const PEERS: Peer[] = [
  { name: 'snmpd', pkg: 'snmpd', suite: 'integration', locate: () => findOnPath('snmpd') },
  {
    name: 'snmpsimd',
    pkg: 'snmpsim',
    suite: 'integration',
    locate: () => findOnPath('snmpsimd') ?? findOnPath('snmpsimd.py'),
  },
  {
    name: 'chromium',
    pkg: 'chromium',
    suite: 'browser',
    locate: () => (isExecutable(chromiumPath()) ? chromiumPath() : null),
  },
]

const SUITES = ['unit', 'functional', 'integration', 'browser']
/** Runner flags that take a value (`--files x`); everything else without a dash is a suite name. */
const FLAGS_WITH_VALUE = new Set([
  '--files',
  '--tests',
  '--groups',
  '--tags',
  '--timeout',
  '--retries',
  '--reporters',
])

function specFiles(root: string, suite: string): string[] {
  try {
    return readdirSync(join(root, 'tests', suite), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.spec.ts'))
      .map((file) =>
        relative(root, join(root, 'tests', suite, file))
          .split(sep)
          .join('/')
      )
  } catch {
    return []
  }
}

/**
 * The suites among integration/browser that `argv` (the runner's arguments)
 * will run: named suites, or the suites holding a file `--files` matches
 * (the end of its path), or all of them.
 */
export function suitesToRun(argv: string[], root: string): Set<string> {
  const named: string[] = []
  const files: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] = arg.split('=', 2)
    if (FLAGS_WITH_VALUE.has(flag)) {
      const value = inline ?? argv[++i]
      if (flag === '--files' && value) files.push(value)
    } else if (!arg.startsWith('-') && SUITES.includes(arg)) {
      named.push(arg)
    }
  }
  const peerSuites = ['integration', 'browser']
  if (named.length > 0) return new Set(named.filter((suite) => peerSuites.includes(suite)))
  if (files.length === 0) return new Set(peerSuites)
  const wanted = new Set<string>()
  for (const suite of peerSuites) {
    const candidates = specFiles(root, suite)
    const hit = files.some((pattern) => {
      const bare = pattern.replace(/(\.spec)?\.ts$/, '')
      return candidates.some((file) => file.replace(/\.spec\.ts$/, '').endsWith(bare))
    })
    if (hit) wanted.add(suite)
  }
  return wanted
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

function sudoWorks() {
  if (!findOnPath('sudo')) return false
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0
}

/** The one line printed when we cannot install: Chinese, then English, with the exact command. */
export function missingLine(missing: Peer[], asRoot: boolean) {
  const names = missing.map((peer) => peer.name)
  const command = `${asRoot ? '' : 'sudo '}apt-get install -y ${[...new Set(missing.map((peer) => peer.pkg))].join(' ')}`
  const chromium = missing.some((peer) => peer.name === 'chromium') && process.env.CHROMIUM_PATH
  const where = chromium ? `（CHROMIUM_PATH=${process.env.CHROMIUM_PATH} 不可执行）` : ''
  const whereEn = chromium ? ` (CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not executable)` : ''
  return (
    `[数治] 测试缺少 ${names.join('、')}${where}，请先运行：${command} ｜ ` +
    `Tests need ${names.join(', ')}${whereEn}; install with: ${command}`
  )
}

function apt(args: string[], viaSudo: boolean) {
  const command = viaSudo ? 'sudo' : 'apt-get'
  const fullArgs = viaSudo ? ['-n', 'apt-get', ...args] : args
  console.log(`[数治] ${command} ${fullArgs.join(' ')}`)
  const result = spawnSync(command, fullArgs, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  return result.status === 0
}

/**
 * Makes sure the peers of the suites `argv` selects are installed. Returns
 * true when the runner may start; false after printing the one line.
 */
export function ensureTestPeers(argv: string[], root: string): boolean {
  const suites = suitesToRun(argv, root)
  const needed = PEERS.filter((peer) => suites.has(peer.suite))
  let missing = needed.filter((peer) => !peer.locate())
  if (missing.length === 0) return true

  const asRoot = isRoot()
  const canInstall =
    findOnPath('apt-get') !== null &&
    // a Chromium of the user's own elsewhere is not ours to install; /usr/bin/chromium is apt's
    !(missing.some((peer) => peer.name === 'chromium') && chromiumPath() !== APT_CHROMIUM) &&
    (asRoot || sudoWorks())
  if (canInstall) {
    const packages = [...new Set(missing.map((peer) => peer.pkg))]
    console.log(
      `[数治] 测试缺少 ${missing.map((peer) => peer.name).join('、')}，正在用 apt 安装 ${packages.join(' ')} ｜ ` +
        `installing the missing test peers with apt: ${packages.join(' ')}`
    )
    const lockWait = ['-o', 'DPkg::Lock::Timeout=300']
    const ok =
      apt(['update', ...lockWait], !asRoot) &&
      apt(['install', '-y', '--no-install-recommends', ...lockWait, ...packages], !asRoot)
    missing = needed.filter((peer) => !peer.locate())
    if (ok && missing.length === 0) return true
  }
  console.error(missingLine(missing, asRoot))
  return false
}
