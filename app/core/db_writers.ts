import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import { QueryClient } from '@adonisjs/lucid/database'

/**
 * Writers wait instead of failing, on both databases:
 *
 * - SQLite: knex opens transactions with a plain (deferred) BEGIN, so a
 *   transaction that reads and then writes while another process writes
 *   fails at once with SQLITE_BUSY — the busy timeout cannot help a lock
 *   upgrade. `BEGIN IMMEDIATE` takes the write lock up front, waiting up to
 *   the busy timeout for it (set per connection in config/database.ts).
 * - MySQL/MariaDB: InnoDB picks a victim when two transactions deadlock
 *   (or a lock wait times out); the victim's whole callback is run again a
 *   bounded number of times, which is safe because it was rolled back.
 */

/** Extra attempts after the first when a MySQL transaction is chosen as a deadlock victim. */
export const DEADLOCK_RETRIES = 4

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT'])
const RETRYABLE_ERRNO = new Set([1213, 1205])

/** True for the errors MySQL/MariaDB resolves by rolling one transaction back. */
export function isRetryableLockError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, errno } = error as { code?: unknown; errno?: unknown }
  return (
    (typeof code === 'string' && RETRYABLE.has(code)) ||
    (typeof errno === 'number' && RETRYABLE_ERRNO.has(errno))
  )
}

/**
 * Runs `attempt` and runs it again (at most `retries` more times, after a
 * short random pause that grows) while it fails with a retryable lock error.
 */
export async function retryOnDeadlock<T>(
  attempt: () => Promise<T>,
  options: { retries?: number; pause?: (ms: number) => Promise<unknown> } = {}
): Promise<T> {
  const retries = options.retries ?? DEADLOCK_RETRIES
  const pause = options.pause ?? sleep
  for (let done = 0; ; done++) {
    try {
      return await attempt()
    } catch (error) {
      if (done >= retries || !isRetryableLockError(error)) throw error
      await pause(Math.round((10 + Math.random() * 40) * 2 ** done))
    }
  }
}

const PATCHED = Symbol.for('shuzhi.db_writers')

type Patchable = { prototype: Record<PropertyKey, unknown> }

/** Installs both behaviours once per process (config/database.ts calls it). */
export function installWriterDiscipline() {
  const require = createRequire(import.meta.url)
  const SqliteTransaction: Patchable = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js')
  if (!SqliteTransaction.prototype[PATCHED]) {
    SqliteTransaction.prototype[PATCHED] = true
    SqliteTransaction.prototype.begin = function (
      this: { query(conn: unknown, sql: string): unknown },
      conn: unknown
    ) {
      return this.query(conn, 'BEGIN IMMEDIATE;')
    }
  }

  const client = QueryClient.prototype as unknown as Record<PropertyKey, unknown> & {
    transaction: QueryClient['transaction']
  }
  if (!client[PATCHED]) {
    client[PATCHED] = true
    const transaction = client.transaction
    client.transaction = function (this: QueryClient, callback?: unknown, options?: unknown) {
      const run = () => (transaction as Function).call(this, callback, options)
      if (typeof callback !== 'function' || this.dialect.name !== 'mysql') return run()
      return retryOnDeadlock(run)
    } as QueryClient['transaction']
  }
}
