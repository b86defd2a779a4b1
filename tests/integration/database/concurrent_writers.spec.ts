import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import dbConfig from '#config/database'
import AuditEvent from '#core/audit/audit_event'
import audit from '#core/audit/audit_service'

/**
 * A second process that writes in a loop, each transaction holding the write
 * lock (SQLite) or the audit chain head row (MySQL) for a few milliseconds —
 * like `snmp:poll` running beside the web server. It prints "ready" after its
 * first transaction and exits when `rounds` are done.
 */
const WRITER = `
const [client, target, rounds] = [process.argv[1], JSON.parse(process.argv[2]), Number(process.argv[3])]
const hold = (ms) => { const end = Date.now() + ms; while (Date.now() < end); }
if (client === 'better-sqlite3') {
  const { default: Database } = await import('better-sqlite3')
  const sqlite = new Database(target.filename, { timeout: 15000 })
  const write = sqlite.transaction(() => {
    sqlite.prepare('UPDATE audit_chain_heads SET last_hash = last_hash WHERE id = 1').run()
    hold(15)
  })
  for (let i = 0; i < rounds; i++) {
    write.immediate()
    if (i === 0) console.log('ready')
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  sqlite.close()
} else {
  const { default: mysql } = await import('mysql2/promise')
  const connection = await mysql.createConnection(target)
  for (let i = 0; i < rounds; i++) {
    await connection.query('START TRANSACTION')
    await connection.query('SELECT * FROM audit_chain_heads WHERE id = 1 FOR UPDATE')
    hold(15)
    await connection.query('COMMIT')
    if (i === 0) console.log('ready')
  }
  await connection.end()
}
`

function startWriter(rounds: number) {
  const name = db.primaryConnectionName as 'sqlite' | 'mysql'
  const connection = dbConfig.connections[name] as {
    client: string
    connection: Record<string, unknown>
  }
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      WRITER,
      connection.client,
      JSON.stringify(connection.connection),
      String(rounds),
    ],
    { cwd: app.appRoot.pathname, stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`writer exited (${code}) before it was ready`)))
  })
  return { child, ready, exited: once(child, 'exit') }
}

test.group('Writers wait instead of failing', () => {
  test('audit events written while another process writes are all kept', async ({ assert }) => {
    const writer = startWriter(120)
    await writer.ready
    const marker = `concurrent-${Date.now()}`
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, n) =>
        audit.record({
          action: 'auth.login',
          outcome: 'failure',
          details: { reason: 'invalid', marker, n },
        })
      )
    )
    const [code] = await writer.exited
    assert.equal(code, 0)
    const failures = results.filter((result) => result.status === 'rejected')
    assert.deepEqual(
      failures.map((failure) => String((failure as PromiseRejectedResult).reason)),
      []
    )
    const kept = await AuditEvent.query().where('details', 'like', `%${marker}%`)
    assert.lengthOf(kept, 40)
    const verified = await audit.verify()
    assert.isTrue(verified.ok, 'the hash chain is intact')
  }).timeout(60_000)

  test('two transactions taking the same rows in opposite orders both commit', async ({
    assert,
  }) => {
    const table = `writer_probe_${process.pid}`
    await db.connection().schema.createTable(table, (t) => {
      t.integer('id').primary()
      t.integer('value').notNullable()
    })
    try {
      await db.table(table).multiInsert([
        { id: 1, value: 0 },
        { id: 2, value: 0 },
      ])
      const mysql = db.connection().dialect.name === 'mysql'
      // Both hold their first row before either asks for its second: on
      // MySQL one of them is always the deadlock victim (and is run again).
      let held = 0
      let release: () => void = () => {}
      const bothHeld = new Promise<void>((resolve) => (release = resolve))
      let runs = 0
      const crossing = (first: number, second: number) =>
        db.transaction(async (trx) => {
          runs++
          await trx.from(table).where('id', first).increment('value', 1)
          if (mysql && runs <= 2) {
            if (++held === 2) release()
            await bothHeld
          }
          await trx.from(table).where('id', second).increment('value', 1)
        })
      await Promise.all([crossing(1, 2), crossing(2, 1)])
      const rows = await db.from(table).orderBy('id')
      assert.deepEqual(
        rows.map((row) => Number(row.value)),
        [2, 2]
      )
      if (mysql) assert.isAbove(runs, 2, 'the deadlock victim ran again')
      else assert.equal(runs, 2)
    } finally {
      await db.connection().schema.dropTableIfExists(table)
    }
  }).timeout(60_000)
})
