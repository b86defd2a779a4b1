/**
 * Documents benchmark (issue #13 "Done when"): the time of `node ace report:annual` for a year
 * with 1,000 decided projects (target < 3 s), on a throwaway SQLite database.
 *
 *   npm run bench:reports
 *   npm run bench:reports -- --projects 5000 --runs 5
 *
 * The command is run as an operator runs it (a child `node ace report:annual --year … --out …`);
 * the figure compared with the target is the command's own measurement of the report (queries,
 * layout, font subsetting, file write); the process time with the app boot is printed beside it.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
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

function parseArgs(argv: string[]) {
  const args = { projects: 1000, runs: 3, keep: false }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--projects') args.projects = Number(argv[++i])
    else if (argv[i] === '--runs') args.runs = Number(argv[++i])
    else if (argv[i] === '--keep') args.keep = true
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

function main() {
  const args = parseArgs(process.argv.slice(2))
  const dir = mkdtempSync(join(tmpdir(), 'shuzhi-bench-reports-'))
  const env = {
    ...process.env,
    TZ: 'UTC',
    NODE_ENV: 'production',
    // a fresh clone may have no .env yet: the bench gives its throwaway app everything it needs
    PORT: '0',
    HOST: '127.0.0.1',
    APP_URL: 'http://127.0.0.1',
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
  console.log(
    `bench:reports — report:annual for ${args.projects} projects, SQLite, load average ${loadavg()[0].toFixed(2)}`
  )
  try {
    const migrate = spawnSync(process.execPath, ['ace', 'migration:run', '--force'], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    if (migrate.status !== 0) throw new Error('migration failed')
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
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
    const report = median(renders)
    console.log(
      `report:annual (${args.projects} projects): median ${report} ms — target < ${TARGET_MS} ms: ${report < TARGET_MS ? 'met' : 'NOT met'}` +
        ` (process with boot: median ${median(processes).toFixed(0)} ms)`
    )
    console.log(
      'workbench / dashboard with 50,000 projects (p95 < 200 ms): the 工作台 to-do centre is not measured yet; ' +
        "the reviewers' project list is measured by npm run bench:review"
    )
  } finally {
    if (args.keep) console.log(`kept ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

main()
