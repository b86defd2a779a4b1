import { test } from '@japa/runner'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'

/**
 * The operator's full cycle, as separate `node ace` processes against a
 * private database (SQLite file, or a MariaDB schema under bin/mariadb_test.sh):
 * backup → wipe → restore → audit:verify → login, and an older backup
 * reported as ending before the newest signed checkpoint.
 */
const mysql = process.env.DB_CONNECTION === 'mysql'
const MYSQL_DB = 'shuzhi_cycle'

async function admin(sql: string) {
  await promisify(execFile)('mariadb', [
    '--socket',
    process.env.MARIADB_TEST_SOCKET!,
    '-u',
    process.env.MARIADB_TEST_ADMIN ?? 'root',
    '-e',
    sql,
  ])
}

function childEnv(dir: string, port: number, overrides: Record<string, string> = {}) {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    USER: 'backup-operator',
    TZ: 'UTC',
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    APP_URL: `http://127.0.0.1:${port}`,
    APP_KEY: 'cycle-test-app-key-0123456789abcdefghij',
    AUDIT_KEY: 'cycle-test-audit-key-0123456789abcdefghij',
    AUDIT_CHECKPOINT_DIR: join(dir, 'checkpoints'),
    AUDIT_SIGNING_KEY_FILE: join(dir, 'keys', 'signing.pem'),
    AUDIT_CHECKPOINT_CRON: 'off',
    BACKUP_DIR: join(dir, 'backups'),
    BACKUP_CRON: 'off',
    LOG_LEVEL: 'warn',
    LOG_DIR: 'off',
    SESSION_DRIVER: 'cookie',
    LIMITER_STORE: 'memory',
    SCHEDULER_ENABLED: 'false',
    SNMP_SIMULATOR: 'false',
  }
  if (mysql) {
    Object.assign(base, {
      DB_CONNECTION: 'mysql',
      DB_HOST: process.env.DB_HOST,
      DB_PORT: process.env.DB_PORT,
      DB_USER: process.env.DB_USER,
      DB_PASSWORD: process.env.DB_PASSWORD,
      DB_DATABASE: MYSQL_DB,
    })
  } else {
    Object.assign(base, { DB_CONNECTION: 'sqlite', SQLITE_PATH: join(dir, 'live.sqlite3') })
  }
  return { ...base, ...overrides } as NodeJS.ProcessEnv
}

function ace(env: NodeJS.ProcessEnv, args: string[]) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['ace', ...args], { cwd: app.makePath(), env })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as net.AddressInfo).port
  server.close()
  await once(server, 'close')
  return port
}

async function wipe(dir: string) {
  if (mysql) {
    await admin(
      `DROP DATABASE IF EXISTS ${MYSQL_DB}; CREATE DATABASE ${MYSQL_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; GRANT ALL PRIVILEGES ON ${MYSQL_DB}.* TO '${process.env.DB_USER}'@'127.0.0.1';`
    )
  } else {
    for (const suffix of ['', '-wal', '-shm'])
      await rm(join(dir, `live.sqlite3${suffix}`), { force: true })
  }
}

/** Inserts a user straight into the private database (as an admin would create one). */
async function createUserIn(dir: string, username: string, password: string) {
  const name = 'backup_cycle'
  const base = app.config.get<any>(`database.connections.${mysql ? 'mysql' : 'sqlite'}`)
  db.manager.add(name, {
    ...base,
    connection: mysql
      ? { ...base.connection, database: MYSQL_DB }
      : { filename: join(dir, 'live.sqlite3') },
  })
  try {
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
    await db
      .connection(name)
      .table('users')
      .insert({
        username,
        full_name: '备份测试',
        password: await hash.make(password),
        is_active: true,
        failed_login_count: 0,
        must_change_password: false,
        created_at: now,
        updated_at: now,
      })
  } finally {
    await db.manager.close(name, true)
  }
}

/** Logs in through the real login form of a server started on the restored database. */
async function login(env: NodeJS.ProcessEnv, username: string, password: string) {
  const server: ChildProcess = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "await import('@poppinss/ts-exec'); await import('./bin/server.js')",
    ],
    { cwd: app.makePath(), env, stdio: 'ignore' }
  )
  const base = env.APP_URL!
  try {
    const deadline = Date.now() + 90000
    let page: Response | null = null
    while (Date.now() < deadline) {
      try {
        page = await fetch(`${base}/login`)
        break
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
    if (!page) throw new Error('server did not start')
    const html = await page.text()
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
    const cookies = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const response = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cookie': cookies },
      body: new URLSearchParams({ _csrf: token ?? '', username, password }).toString(),
    })
    return { status: response.status, location: response.headers.get('location') }
  } finally {
    server.kill('SIGTERM')
    if (server.exitCode === null) await once(server, 'exit')
  }
}

test.group('Backup and restore', (group) => {
  let dir: string
  group.each.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuzhi-cycle-'))
    if (mysql) await wipe(dir)
    return async () => {
      if (mysql) await admin(`DROP DATABASE IF EXISTS ${MYSQL_DB}`)
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('backup → wipe → restore → audit:verify → login; an older backup is reported', async ({
    assert,
  }) => {
    const env = childEnv(dir, await freePort())
    const step = async (args: string[], expected = 0) => {
      const run = await ace(env, args)
      assert.equal(run.code, expected, `${args.join(' ')}:\n${run.output}`)
      return run.output
    }
    await step(['migration:run', '--force'])
    await createUserIn(dir, 'beifen', 'Backup#Passw0rd')
    await step(['audit:checkpoint'])

    // an attachment under storage/
    const attachments = app.makePath('storage', 'review', 'attachments')
    await mkdir(attachments, { recursive: true })
    const marker = join(attachments, `cycle-${Date.now()}.pdf`)
    await writeFile(marker, '%PDF-1.4 backup cycle test')
    try {
      const created = await step(['backup:create'])
      assert.match(created, /backup written: .*shuzhi-backup-.*\.tar\.gz/)
      const [archiveName] = await readdir(join(dir, 'backups'))
      const archive = join(dir, 'backups', archiveName)

      // wipe everything: database and the attachment
      await rm(marker)
      await wipe(dir)
      await step(['migration:run', '--force'])

      // a different APP_KEY is refused in plain words
      const wrongKey = await ace({ ...env, APP_KEY: 'another-app-key-0123456789abcdefghijkl' }, [
        'backup:restore',
        archive,
      ])
      assert.equal(wrongKey.code, 1, wrongKey.output)
      assert.include(wrongKey.output, '拒绝恢复：当前 APP_KEY 与备份时使用的不同')

      const restored = await step(['backup:restore', archive])
      assert.include(restored, 'audit chain intact')
      assert.isTrue(existsSync(marker), 'the attachment is back')
      const verified = await step(['audit:verify'])
      assert.include(verified, 'consistent with the signed checkpoint')

      const signIn = await login(env, 'beifen', 'Backup#Passw0rd')
      assert.equal(signIn.status, 302)
      assert.notInclude(signIn.location ?? '', '/login')

      // later events and a newer checkpoint, then the same (now older) backup again
      await step(['audit:checkpoint'])
      await wipe(dir)
      await step(['migration:run', '--force'])
      const older = await step(['backup:restore', archive], 2)
      assert.include(older, 'ends before the newest signed checkpoint')
      const stale = await step(['audit:verify'], 1)
      assert.include(stale, 'the chain ends before the newest signed checkpoint')
    } finally {
      await rm(marker, { force: true })
    }
  }).timeout(600000)
})
