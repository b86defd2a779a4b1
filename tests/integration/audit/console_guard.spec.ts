import { test } from '@japa/runner'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error better-sqlite3 ships no types
import Database from 'better-sqlite3'
import app from '@adonisjs/core/services/app'

/** Runs `node ace …` as an operator would, in production, against a private SQLite file. */
function aceInProduction(dir: string, args: string[]) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['ace', ...args], {
      cwd: app.makePath(),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        USER: 'operator-test',
        TZ: 'UTC',
        NODE_ENV: 'production',
        PORT: '3451',
        HOST: '127.0.0.1',
        APP_URL: 'http://127.0.0.1:3451',
        APP_KEY: 'production-test-app-key-0123456789abcdef',
        AUDIT_KEY: 'production-test-audit-key-0123456789abcdef',
        AUDIT_CHECKPOINT_DIR: join(dir, 'checkpoints'),
        AUDIT_SIGNING_KEY_FILE: join(dir, 'signing.pem'),
        LOG_LEVEL: 'warn',
        LOG_DIR: join(dir, 'logs'),
        SESSION_DRIVER: 'cookie',
        DB_CONNECTION: 'sqlite',
        SQLITE_PATH: join(dir, 'prod.sqlite3'),
        LIMITER_STORE: 'memory',
      },
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('exit', (code) => resolve({ code, output }))
  })
}

test.group('Production guard of the audit tables', (group) => {
  let dir: string
  group.each.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuzhi-guard-'))
    return () => rm(dir, { recursive: true, force: true })
  })

  test('db:truncate and migration:rollback refuse; operators are recorded', async ({ assert }) => {
    const migrate = await aceInProduction(dir, ['migration:run', '--force'])
    assert.equal(migrate.code, 0, migrate.output)

    for (const args of [
      ['db:truncate', '--force'],
      ['migration:rollback', '--force'],
    ]) {
      const run = await aceInProduction(dir, args)
      assert.notEqual(run.code, 0, `${args.join(' ')} should be refused`)
      assert.include(run.output, '拒绝执行', args.join(' '))
    }

    const sqlite = new Database(join(dir, 'prod.sqlite3'), { readonly: true })
    try {
      const tables = sqlite
        .prepare("select name from sqlite_master where type = 'table' and name like 'audit_%'")
        .all()
        .map((row: any) => row.name)
      assert.includeMembers(tables, ['audit_events', 'audit_chain_heads'])
      const events = sqlite
        .prepare("select actor_name, details from audit_events where action = 'ace.command'")
        .all() as Array<{ actor_name: string; details: string }>
      assert.isAtLeast(events.length, 1)
      assert.match(events[0].actor_name, /^operator-test@.+ \(ace migration:run\)$/)
    } finally {
      sqlite.close()
    }
  }).timeout(120000)
})
