import { setImmediate as nextTurn } from 'node:timers/promises'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * Cached prepared statements on the transaction's own better-sqlite3 connection (the pattern of
 * the poll store): a storm of pushed events costs microseconds a row instead of knex building
 * and SQLite parsing one statement per alert (measured with --cpu-prof: most of the push's
 * main-thread time). MySQL/MariaDB keep the knex path (multi-row statements, one round trip).
 */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint }
  get(...params: unknown[]): Record<string, unknown> | undefined
  all(...params: unknown[]): Array<Record<string, unknown>>
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement
}

export type Prepare = (sql: string) => SqliteStatement

const statements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>()

export function isSqlite(client: { dialect: { name: string } }) {
  return client.dialect.name === 'better-sqlite3'
}

/** The statement cache of the transaction's connection (same connection, so same transaction). */
export async function sqliteOf(trx: TransactionClientContract): Promise<Prepare> {
  const knexTrx = trx.knexClient as unknown as {
    client: { acquireConnection(): Promise<SqliteConnection> }
  }
  const connection = await knexTrx.client.acquireConnection()
  let cache = statements.get(connection)
  if (!cache) {
    cache = new Map()
    statements.set(connection, cache)
  }
  const own = cache
  return (sql: string) => {
    let statement = own.get(sql)
    if (!statement) {
      statement = connection.prepare(sql)
      own.set(sql, statement)
    }
    return statement
  }
}

/** What knex's better-sqlite3 client does to bindings. */
export function bindable(value: unknown) {
  if (value === undefined) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return value.valueOf()
  return value
}

const quote = (name: string) => `"${name}"`

/** INSERT of one row of these columns (the SQL is the cache key). */
export function insertSql(table: string, columns: readonly string[]) {
  return `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`
}

/** UPDATE … WHERE id = ? of these columns. */
export function updateByIdSql(table: string, columns: readonly string[]) {
  return `UPDATE ${quote(table)} SET ${columns.map((c) => `${quote(c)} = ?`).join(', ')} WHERE "id" = ?`
}

/** When the event loop last reached its check phase, as seen by the pacers (shared by all). */
let turnStarted = performance.now()
let markPending = false

function markTurn() {
  turnStarted = performance.now()
  markPending = false
}

/**
 * Lets the event loop take a turn once `budgetMs` of synchronous work went by since it last
 * turned: better-sqlite3 answers synchronously and a knex transaction chains on microtasks only,
 * so without turns a 500-event batch would hold the loop for its whole length. Measured by the
 * clock since the loop's last turn (shared by every pacer, so stages in a row add up), not by rows.
 */
export function pacer(budgetMs = 15) {
  return async () => {
    if (!markPending) {
      markPending = true
      setImmediate(markTurn)
    }
    if (performance.now() - turnStarted < budgetMs) return
    await nextTurn()
  }
}
