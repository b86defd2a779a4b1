/**
 * Reports benchmark (issue #13 "Done when"), on throwaway SQLite databases, no .env needed:
 *
 * 1. the time of `node ace report:annual` for a year with 1,000 decided projects (target < 3 s),
 *    run as an operator runs it (a child process); the figure compared with the target is the
 *    command's own measurement of the report (queries, layout, font subsetting, file write),
 *    the process time with the app boot is printed beside it;
 * 2. the 工作台 to-do centre (GET /) with 50,000 projects over nine years in every lifecycle
 *    state, with review and acceptance panels, seats, score sheets, acceptance requests and
 *    evaluations: the real app and HTTP server in this process, N logged-in users of each role
 *    (reviewer, applicant, expert) requesting at once, first with no change, then with a
 *    project changing every second; p50/p95/max, CPU per request and the longest event-loop
 *    stall against p95 < 200 ms and stall < 100 ms.
 *
 *   npm run bench:reports
 *   npm run bench:reports -- --projects 5000 --runs 5 --skip-dashboard
 *   npm run bench:reports -- --skip-annual --users 16 --seconds 15 --query-times
 *   npm run bench:reports -- --skip-annual --profile /tmp/dashboard.cpuprofile
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const root = fileURLToPath(new URL('../', import.meta.url))

/** The part of better-sqlite3 (untyped here) the seeding uses. */
interface Sqlite {
  prepare(sql: string): { run(...values: unknown[]): { lastInsertRowid: number | bigint } }
  transaction(work: () => void): () => void
  close(): void
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => Sqlite
const TARGET_MS = 3000
const YEAR = 2026
const UNITS = [
  '县公安局',
  '县教育局',
  '县卫生健康委员会',
  '县城市管理局',
  '县住房和城乡建设局',
  '县自然资源和规划局',
  '县人力资源和社会保障局',
  '县医疗保障局',
  '县水利局',
  '县交通运输局',
  '县民政局',
  '县应急管理局',
  '县司法局',
  '县市场监督管理局',
  '县农业农村局',
  '县文化广电旅游体育局',
  '县财政局',
  '县审计局',
  '县统计局',
  '县退役军人事务局',
]
const CATEGORIES = ['new', 'upgrade', 'operation', 'service']

interface Args {
  projects: number
  runs: number
  keep: boolean
  dashboardProjects: number
  users: number
  seconds: number
  changeEvery: number
  skipAnnual: boolean
  skipDashboard: boolean
  /** Writes a V8 CPU profile of the 工作台 load phases to this file (.cpuprofile). */
  profile: string | null
  /** Prints the SQLite statements of the 工作台 load phases by total time. */
  queryTimes: boolean
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    projects: 1000,
    runs: 3,
    keep: false,
    dashboardProjects: 50_000,
    users: 8,
    seconds: 8,
    changeEvery: 1000,
    skipAnnual: false,
    skipDashboard: false,
    profile: null,
    queryTimes: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const value = () => Number(argv[++i])
    if (argv[i] === '--projects') args.projects = value()
    else if (argv[i] === '--runs') args.runs = value()
    else if (argv[i] === '--keep') args.keep = true
    else if (argv[i] === '--dashboard-projects') args.dashboardProjects = value()
    else if (argv[i] === '--users') args.users = value()
    else if (argv[i] === '--seconds') args.seconds = value()
    else if (argv[i] === '--change-every') args.changeEvery = value()
    else if (argv[i] === '--skip-annual') args.skipAnnual = true
    else if (argv[i] === '--skip-dashboard') args.skipDashboard = true
    else if (argv[i] === '--profile') args.profile = argv[++i]
    else if (argv[i] === '--query-times') args.queryTimes = true
    else throw new Error(`unknown argument ${argv[i]}`)
  }
  return args
}

/** A deterministic stream, so every run builds the same year. */
function random(start: number) {
  let state = start >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function seed(path: string, projects: number) {
  const sqlite = new Database(path)
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
  const next = random(20260101)
  const unitIds: number[] = []
  const insertUnit = sqlite.prepare(
    'insert into units (code, name, kind, is_active, created_at, updated_at) values (?, ?, ?, 1, ?, ?)'
  )
  const insertProject = sqlite.prepare(
    `insert into projects (code, unit_id, year, title, category, state, return_count, requested_fen,
       approved_fen, similarity_flagged, final_score_hundredths, conclusion, submitted_at, decided_at,
       created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, 0, ?, ?, 0, ?, ?, ?, ?, ?, ?)`
  )
  sqlite.transaction(() => {
    UNITS.forEach((name, i) => {
      unitIds.push(
        Number(insertUnit.run(`BENCH${i}`, name, 'department', now, now).lastInsertRowid)
      )
    })
    for (let i = 1; i <= projects; i++) {
      const requested = Math.round((20 + next() * 980) * 10_000) * 100
      const declined = next() < 0.1
      const approved = declined ? 0 : Math.round(requested * (0.6 + next() * 0.35))
      insertProject.run(
        `XM${YEAR}-${String(i).padStart(4, '0')}`,
        unitIds[i % unitIds.length],
        YEAR,
        `${UNITS[i % UNITS.length]}信息化建设项目第${i}期（含等保三级测评与数据共享交换接入）`,
        CATEGORIES[i % CATEGORIES.length],
        declined ? 'declined' : 'approved',
        requested,
        declined ? null : approved,
        declined ? 5500 : 8500,
        declined ? 'fail' : 'pass',
        now,
        now,
        now,
        now
      )
    }
  })()
  sqlite.close()
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function percentile(values: number[], p: number) {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '—')

function throwawayEnv(dir: string, port: number) {
  return {
    TZ: 'UTC',
    NODE_ENV: 'production',
    // a fresh clone may have no .env yet: the bench gives its throwaway app everything it needs
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: port ? `http://127.0.0.1:${port}` : 'http://127.0.0.1',
    APP_KEY: randomBytes(32).toString('base64url'),
    AUDIT_KEY: randomBytes(32).toString('base64url'),
    AUDIT_CHECKPOINT_DIR: join(dir, 'audit-checkpoints'),
    LOG_LEVEL: 'warn',
    DB_CONNECTION: 'sqlite',
    SQLITE_PATH: join(dir, 'bench.sqlite3'),
    LIMITER_STORE: 'memory',
    SNMP_SIMULATOR: 'false',
    SCHEDULER_ENABLED: 'false',
  }
}

function migrate(env: NodeJS.ProcessEnv) {
  const child = spawnSync(process.execPath, ['ace', 'migration:run', '--force'], {
    cwd: root,
    env,
    encoding: 'utf8',
  })
  if (child.status !== 0) throw new Error(`migration failed:\n${child.stdout}${child.stderr}`)
}

/** Part 1: `node ace report:annual` for a year of `projects` decided projects. */
function annual(args: Args) {
  const dir = mkdtempSync(join(tmpdir(), 'shuzhi-bench-reports-'))
  const env = { ...process.env, ...throwawayEnv(dir, 0) }
  console.log(`report:annual — ${args.projects} projects, SQLite`)
  try {
    migrate(env)
    seed(env.SQLITE_PATH, args.projects)
    const renders: number[] = []
    const processes: number[] = []
    for (let run = 1; run <= args.runs; run++) {
      const out = join(dir, `annual-${run}.pdf`)
      const started = performance.now()
      const child = spawnSync(
        process.execPath,
        ['ace', 'report:annual', '--year', String(YEAR), '--out', out],
        { cwd: root, env, encoding: 'utf8' }
      )
      const wall = performance.now() - started
      if (child.status !== 0)
        throw new Error(`report:annual failed:\n${child.stdout}${child.stderr}`)
      const match = /\((\d+) pages, (\d+) ms, of which loading the font (\d+) ms\)/.exec(
        child.stdout
      )
      if (!match) throw new Error(`unexpected output: ${child.stdout}`)
      renders.push(Number(match[2]))
      processes.push(wall)
      console.log(
        `  run ${run}: report ${match[2]} ms (font loading ${match[3]} ms), ${match[1]} pages, ${(statSync(out).size / 1024).toFixed(0)} KiB; ` +
          `whole process (app boot included) ${wall.toFixed(0)} ms`
      )
    }
    const report = median(renders)
    return {
      line:
        `report:annual (${args.projects} projects): median ${report} ms — target < ${TARGET_MS} ms: ${report < TARGET_MS ? 'met' : 'NOT met'}` +
        ` (process with boot: median ${median(processes).toFixed(0)} ms)`,
    }
  } finally {
    if (args.keep) console.log(`  kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

// ---- part 2: the 工作台 (to-do centre) at 50,000 projects --------------------------------------

/** Every lifecycle state; recent years hold all of them, older years mostly finished ones. */
const RECENT_STATES = [
  'draft',
  'submitted',
  'returned',
  'rejected',
  'accepted',
  'panel_drawn',
  'under_review',
  'reviewed',
  'revising',
  'revised',
  'approved',
  'declined',
  'in_construction',
  'acceptance_requested',
  'acceptance_review',
  'rectifying',
  'completed',
  'evaluated',
]
const OLD_STATES = [
  'evaluated',
  'evaluated',
  'evaluated',
  'evaluated',
  'evaluated',
  'completed',
  'completed',
  'declined',
  'declined',
  'rejected',
  'in_construction',
  'approved',
]
const PANEL_FROM = RECENT_STATES.indexOf('panel_drawn')
const DECIDED = new Set([
  'approved',
  'declined',
  'in_construction',
  'acceptance_requested',
  'acceptance_review',
  'rectifying',
  'completed',
  'evaluated',
])
const EXPERT_POOL = 60
const SEATS = 5

interface Logins {
  reviewer: string[]
  applicant: string[]
  expert: string[]
}

/**
 * 50,000 projects over nine years in every lifecycle state, with their review panels and seats,
 * score sheets of the panels sitting, acceptance requests, acceptance panels and evaluations —
 * written straight into the throwaway SQLite file (one transaction, prepared statements), as
 * bench/review.ts's corpus but without the proposal texts the 工作台 never reads.
 */
function seedWorkbench(path: string, projects: number, users: number, now: Date): Logins {
  const sqlite = new Database(path)
  const next = random(20261129)
  const sql = (at: Date) => at.toISOString().slice(0, 19).replace('T', ' ')
  const stamp = sql(now)
  const currentYear = now.getUTCFullYear()
  const within = (year: number) => {
    const start = Date.UTC(year, 0, 1)
    const end = Math.min(Date.UTC(year + 1, 0, 1), now.getTime())
    return new Date(start + Math.floor(next() * Math.max(1, end - start)))
  }
  const later = (from: Date, days: number) =>
    new Date(Math.min(now.getTime(), from.getTime() + Math.floor(next() * days) * 86_400_000))
  const logins: Logins = { reviewer: [], applicant: [], expert: [] }
  const run = (statement: string) => sqlite.prepare(statement)
  const insertUnit = run(
    'insert into units (code, name, kind, is_active, created_at, updated_at) values (?, ?, ?, 1, ?, ?)'
  )
  const insertUser = run(
    `insert into users (username, full_name, unit_id, password, is_active, failed_login_count,
       must_change_password, password_changed_at, login_epoch, created_at, updated_at)
     values (?, ?, ?, 'set after boot', 1, 0, 0, ?, 0, ?, ?)`
  )
  const insertRole = run('insert into user_roles (user_id, role) values (?, ?)')
  const insertExpert = run(
    `insert into experts (user_id, name, employer, specialties, conflict_unit_ids, is_active,
       yearly_cap, created_at, updated_at) values (?, ?, '省信息技术研究院', '["software"]', '[]', 1, 999, ?, ?)`
  )
  const insertProject = run(
    `insert into projects (code, unit_id, year, title, category, state, return_count, requested_fen,
       approved_fen, settled_fen, similarity_flagged, submitted_at, decided_at, completed_at,
       created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 0, ?, ?, ?, ?, ?)`
  )
  const insertPanel = run(
    `insert into review_panels (project_id, year, algorithm, seed, panel_size, alternates_count,
       specialties, draw_project, candidates, result, criteria, status, purpose,
       acceptance_request_id, drawn_at, closed_at)
     values (?, ?, 'bench', ?, ${SEATS}, 0, '[]', '{}', '[]', '{}', '[]', ?, ?, ?, ?, ?)`
  )
  const insertSeat = run(
    `insert into panel_members (panel_id, expert_id, user_id, draw_order, seat, status, invited_at)
     values (?, ?, ?, ?, 'member', 'invited', ?)`
  )
  const insertSheet = run(
    `insert into score_sheets (panel_id, expert_id, status, scores, total_hundredths, version,
       submitted_at, created_at, updated_at) values (?, ?, 'submitted', '{}', 8000, 1, ?, ?, ?)`
  )
  const insertRequest = run(
    `insert into acceptance_requests (project_id, round, status, deliverables, security_result,
       trial_run_summary, settled_fen, decided_at, created_at, updated_at)
     values (?, 1, ?, '[]', 'passed', '试运行正常', ?, ?, ?, ?)`
  )
  const insertEvaluation = run(
    `insert into project_evaluations (project_id, indicators, rating, rated_at, self_submitted_at,
       created_at, updated_at) values (?, '[]', 'good', ?, ?, ?, ?)`
  )
  sqlite.transaction(() => {
    const unitIds = UNITS.map((name, i) =>
      Number(insertUnit.run(`BW${i}`, name, 'department', stamp, stamp).lastInsertRowid)
    )
    const user = (username: string, role: string, unitId: number) => {
      const id = Number(
        insertUser.run(username, username, unitId, stamp, stamp, stamp).lastInsertRowid
      )
      insertRole.run(id, role)
      return id
    }
    for (let i = 1; i <= users; i++) {
      logins.reviewer.push(`bench_reviewer${i}`)
      user(`bench_reviewer${i}`, 'reviewer', unitIds[0])
    }
    const applicantUnits = unitIds.slice(1, 1 + users)
    applicantUnits.forEach((unitId, i) => {
      logins.applicant.push(`bench_applicant${i + 1}`)
      user(`bench_applicant${i + 1}`, 'applicant', unitId)
    })
    const experts: { id: number; userId: number | null }[] = []
    for (let i = 1; i <= EXPERT_POOL; i++) {
      const userId = i <= users ? user(`bench_expert${i}`, 'expert', unitIds[0]) : null
      if (userId) logins.expert.push(`bench_expert${i}`)
      experts.push({
        id: Number(insertExpert.run(userId, `专家${i}`, stamp, stamp).lastInsertRowid),
        userId,
      })
    }
    const seat = (panelId: number, project: number, at: string) => {
      const first = (project * 7) % EXPERT_POOL
      for (let k = 0; k < SEATS; k++) {
        const expert = experts[(first + k * 11) % EXPERT_POOL]
        insertSeat.run(panelId, expert.id, expert.userId, k + 1, at)
      }
      return first
    }
    for (let i = 1; i <= projects; i++) {
      const year = 2018 + (i % 9)
      const states = year >= currentYear - 1 ? RECENT_STATES : OLD_STATES
      const state = states[Math.floor(next() * states.length)]
      const requested = Math.round((20 + next() * 980) * 10_000) * 100
      const decided = DECIDED.has(state)
      const approved = !decided
        ? null
        : state === 'declined'
          ? 0
          : Math.round(requested * (0.6 + next() * 0.35))
      const created = within(Math.min(year, currentYear))
      const submitted = state === 'draft' ? null : later(created, 20)
      const decidedAt = decided ? later(submitted!, 90) : null
      const accepted = state === 'completed' || state === 'evaluated'
      const completed = accepted ? later(decidedAt!, 300) : null
      const settled = accepted ? Math.round(approved! * (0.9 + next() * 0.1)) : null
      const updated = completed ?? decidedAt ?? submitted ?? created
      const projectId = Number(
        insertProject.run(
          `XM${year}-W${i}`,
          unitIds[i % unitIds.length],
          year,
          `${UNITS[i % UNITS.length]}信息化建设项目第${i}期`,
          CATEGORIES[i % CATEGORIES.length],
          state,
          requested,
          approved,
          settled,
          submitted && sql(submitted),
          decidedAt && sql(decidedAt),
          completed && sql(completed),
          sql(created),
          sql(updated)
        ).lastInsertRowid
      )
      const position = RECENT_STATES.indexOf(state)
      if (position >= PANEL_FROM && state !== 'declined') {
        const open = state === 'panel_drawn' || state === 'under_review'
        const drawn = sql(submitted!)
        const panelId = Number(
          insertPanel.run(
            projectId,
            year,
            `bench:${i}`,
            open ? 'open' : 'closed',
            'review',
            null,
            drawn,
            open ? null : sql(decidedAt ?? updated)
          ).lastInsertRowid
        )
        const first = seat(panelId, projectId, drawn)
        if (state === 'under_review') {
          // three of the five sheets are in
          for (let k = 0; k < 3; k++) {
            insertSheet.run(
              panelId,
              experts[(first + k * 11) % EXPERT_POOL].id,
              drawn,
              drawn,
              drawn
            )
          }
        }
      }
      if (['acceptance_requested', 'acceptance_review', 'rectifying'].includes(state) || accepted) {
        const status = accepted
          ? 'passed'
          : state === 'rectifying'
            ? 'rectify'
            : state === 'acceptance_review'
              ? 'under_review'
              : 'submitted'
        const decidedRequest = accepted ? completed : state === 'rectifying' ? updated : null
        const requestId = Number(
          insertRequest.run(
            projectId,
            status,
            settled ?? approved,
            decidedRequest && sql(decidedRequest),
            sql(updated),
            sql(updated)
          ).lastInsertRowid
        )
        if (state === 'acceptance_review') {
          const panelId = Number(
            insertPanel.run(
              projectId,
              year,
              `bench:a${i}`,
              'open',
              'acceptance',
              requestId,
              sql(updated),
              null
            ).lastInsertRowid
          )
          seat(panelId, projectId + 3, sql(updated))
        }
      }
      if (state === 'evaluated') {
        const rated = sql(later(completed!, 400))
        insertEvaluation.run(projectId, rated, rated, rated, rated)
      }
    }
  })()
  sqlite.close()
  return logins
}

/** The event loop's longest stall while enabled (the delay histogram, and a 1 ms ticker). */
function stallMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 5 })
  let last = 0
  let longest = 0
  let ticker: NodeJS.Timeout | null = null
  return {
    enable() {
      histogram.enable()
      last = performance.now()
      ticker = setInterval(() => {
        const now = performance.now()
        longest = Math.max(longest, now - last)
        last = now
      }, 1)
    },
    async disable() {
      await new Promise((resolve) => setTimeout(resolve, 5))
      clearInterval(ticker!)
      histogram.disable()
      return Math.max(histogram.max / 1e6, longest)
    },
  }
}

/**
 * Times every better-sqlite3 statement run from now on (the driver knex uses), by SQL text:
 * `--query-times` prints where the database time of the 工作台 goes.
 */
function timeStatements() {
  const prototype = (Database as unknown as { prototype: { prepare: (sql: string) => any } })
    .prototype
  const prepare = prototype.prepare
  const totals = new Map<string, { calls: number; ms: number; max: number }>()
  prototype.prepare = function (this: unknown, sql: string) {
    const statement = prepare.call(this, sql)
    for (const method of ['all', 'get', 'run'] as const) {
      const original = statement[method]
      statement[method] = (...values: unknown[]) => {
        const t0 = performance.now()
        try {
          return original.apply(statement, values)
        } finally {
          const took = performance.now() - t0
          const entry = totals.get(sql) ?? { calls: 0, ms: 0, max: 0 }
          entry.calls++
          entry.ms += took
          entry.max = Math.max(entry.max, took)
          totals.set(sql, entry)
        }
      }
    }
    return statement
  }
  return {
    print() {
      prototype.prepare = prepare
      console.log('SQLite statements by total time (calls, total, max):')
      for (const [sql, entry] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
        console.log(
          `  ${String(entry.calls).padStart(6)} ${ms(entry.ms).padStart(11)} ${ms(entry.max).padStart(9)}  ${sql.replace(/\s+/g, ' ').slice(0, 220)}`
        )
      }
    },
  }
}

/** A V8 CPU profile of this process (node:inspector), for `--profile FILE`. */
async function startProfiler() {
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 500 })
  await session.post('Profiler.start')
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop')
      writeFileSync(file, JSON.stringify(profile))
      session.disconnect()
      console.log(`CPU profile of the 工作台 load written to ${file}`)
    },
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** A logged-in browser: its cookie jar. */
async function login(base: string, username: string, password: string) {
  const cookies = new Map<string, string>()
  const keep = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';')
      const [name, ...value] = pair.split('=')
      cookies.set(name, value.join('='))
    }
  }
  const header = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  const page = await fetch(`${base}/login`)
  keep(page)
  const html = await page.text()
  const csrf = html.match(/name=['"]_csrf['"] value=['"]([^'"]+)/)![1]
  const response = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'cookie': header() },
    body: new URLSearchParams({ _csrf: csrf, username, password }),
  })
  keep(response)
  return header()
}

const DASHBOARD_TARGET_MS = 200
const STALL_TARGET_MS = 100

/** Part 2: GET / (工作台) per role under concurrent users, over HTTP, in this process. */
async function dashboard(args: Args) {
  const dir = mkdtempSync(join(tmpdir(), 'shuzhi-bench-dashboard-'))
  const port = await freePort()
  Object.assign(process.env, throwawayEnv(dir, port), {
    // the bench measures the 工作台, not the second factor (forced in production)
    MFA_ENFORCE: 'false',
  })
  const lines: string[] = []
  try {
    migrate(process.env)
    let started = performance.now()
    const logins = seedWorkbench(
      process.env.SQLITE_PATH!,
      args.dashboardProjects,
      args.users,
      new Date()
    )
    console.log(
      `工作台 — ${args.dashboardProjects} projects over 2018–2026 in every state, with panels, seats, ` +
        `acceptance requests and evaluations, written in ${((performance.now() - started) / 1000).toFixed(1)} s`
    )

    // boot the app with its HTTP server in this process, as bin/server.ts does
    await import('reflect-metadata')
    const { Ignitor } = await import('@adonisjs/core')
    const appRoot = new URL('../', import.meta.url)
    const ignitor = new Ignitor(appRoot, {
      importer: (filePath: string) =>
        filePath.startsWith('./') || filePath.startsWith('../')
          ? import(new URL(filePath, appRoot).href)
          : import(filePath),
    }).tap((app) => {
      app.booting(async () => {
        await import('#start/env')
      })
    })
    await ignitor.httpServer().start()
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const { default: hash } = await import('@adonisjs/core/services/hash')
    const password = randomBytes(12).toString('base64url')
    await db.from('users').update({ password: await hash.make(password) })

    const base = `http://127.0.0.1:${port}`
    const roles = [
      { role: 'reviewer', users: logins.reviewer, marker: 'id="year-figures"' },
      { role: 'applicant', users: logins.applicant, marker: 'id="todo-applicant"' },
      { role: 'expert', users: logins.expert, marker: 'id="todo-expert"' },
    ] as const
    const sessions = new Map<string, string>()
    for (const { users, marker } of roles) {
      for (const username of users) {
        const cookie = await login(base, username, password)
        const probe = await fetch(base + '/', { headers: { cookie } })
        const html = await probe.text()
        if (probe.status !== 200 || !html.includes(marker)) {
          throw new Error(`${username}: the 工作台 did not show ${marker} (HTTP ${probe.status})`)
        }
        sessions.set(username, cookie)
      }
    }

    console.log(
      `GET / per role: ${args.users} users of the role at once for ${args.seconds} s, first with no ` +
        `change, then with a project changing every ${args.changeEvery} ms (every change drops the ` +
        `cached figures); load average ${loadavg()
          .map((value) => value.toFixed(1))
          .join(' ')} on ${availableParallelism()} CPUs`
    )
    // the machine's own noise: the longest stall of this process while it serves nothing
    const idle = stallMonitor()
    idle.enable()
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const idleStall = await idle.disable()
    const idleLine = `  idle (no request for 3 s): max event-loop stall ${ms(idleStall)} — the scheduling noise of this machine`
    console.log(idleLine)
    lines.push(idleLine)
    const profiler = args.profile ? await startProfiler() : null
    const queryTimes = args.queryTimes ? timeStatements() : null
    for (const changeEvery of args.changeEvery > 0 ? [0, args.changeEvery] : [0]) {
      let changes = 0
      const changer =
        changeEvery > 0
          ? setInterval(() => {
              changes++
              db.from('projects')
                .where('id', 1 + (changes % args.dashboardProjects))
                .update({ updated_at: new Date().toISOString().slice(0, 19).replace('T', ' ') })
                .catch((error: unknown) => console.error(error))
            }, changeEvery)
          : null
      for (const { role, users } of roles) {
        const latencies: number[] = []
        let errors = 0
        const stall = stallMonitor()
        stall.enable()
        const cpuBefore = process.cpuUsage()
        const phaseStarted = performance.now()
        const deadline = phaseStarted + args.seconds * 1000
        await Promise.all(
          users.map(async (username) => {
            const cookie = sessions.get(username)!
            while (performance.now() < deadline) {
              const t0 = performance.now()
              const response = await fetch(base + '/', { headers: { cookie } })
              await response.arrayBuffer()
              latencies.push(performance.now() - t0)
              if (response.status !== 200) errors++
            }
          })
        )
        const seconds = (performance.now() - phaseStarted) / 1000
        const cpu = process.cpuUsage(cpuBefore)
        const maxStall = await stall.disable()
        const p95 = percentile(latencies, 95)
        const line =
          `  ${role.padEnd(9)} ${(changer ? `change/${changeEvery} ms` : 'no change').padEnd(17)} ` +
          `${String(latencies.length).padStart(5)} req  p50 ${ms(percentile(latencies, 50))}  ` +
          `p95 ${ms(p95)}  max ${ms(Math.max(...latencies))}  ${(latencies.length / seconds).toFixed(0)} req/s  ` +
          `CPU ${ms((cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length))}/req  errors ${errors}  ` +
          `stall ${ms(maxStall)} — p95 < ${DASHBOARD_TARGET_MS} ms ${p95 < DASHBOARD_TARGET_MS ? 'met' : 'NOT met'}, ` +
          `stall < ${STALL_TARGET_MS} ms ${maxStall < STALL_TARGET_MS ? 'met' : 'NOT met'}`
        console.log(line)
        lines.push(line)
      }
      if (changer) clearInterval(changer)
    }
    if (profiler) await profiler.stop(args.profile!)
    queryTimes?.print()
    await ignitor.terminate()
    return lines
  } finally {
    if (args.keep) console.log(`  kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2))
  console.log(
    `bench:reports — load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')} on ${availableParallelism()} CPUs`
  )
  const summary: string[] = []
  if (!args.skipAnnual) summary.push(annual(args).line)
  if (!args.skipDashboard) {
    summary.push(`工作台 GET / with ${args.dashboardProjects} projects:`)
    summary.push(...(await dashboard(args)))
  }
  console.log('')
  for (const line of summary) console.log(line)
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
