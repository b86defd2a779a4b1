import db from '@adonisjs/lucid/services/db'

/**
 * A small in-process cache for aggregates over the `projects` table (list counts, review
 * statistics), so that a workbench page costs the same with 500 or 50,000 projects.
 *
 * Correctness:
 * - Every write this process makes to `projects` — whatever code makes it, models or query
 *   builders, inside a transaction or not — bumps a version (seen on the knex connection's
 *   query events), and so does the end (commit or rollback) of a transaction that wrote it. An
 *   entry is used only while the version it was computed at is current.
 * - An entry computed within SETTLE_MS of a change is not kept: on MySQL another connection may
 *   still be committing, and a reader could see the data from just before the commit.
 * - Other processes (a second web process, ace commands) are not seen: every entry also expires
 *   after TTL_MS, which bounds how long another process's change may be missing from a figure.
 */
export const TTL_MS = 5_000
export const SETTLE_MS = 1_000
const MAX_ENTRIES = 500

const WRITE =
  /^\s*(?:insert\s+(?:ignore\s+)?into|replace\s+into|update|delete\s+from|truncate(?:\s+table)?)\s+[`"]?projects[`"]?(?:\s|\(|$)/i
const TRANSACTION_END = /^\s*(?:commit|rollback|release)\b/i

interface Entry {
  version: number
  at: number
  value: unknown
}

interface QueryEvent {
  sql?: string
  __knexUid?: string
}

interface Emitter {
  on(event: 'query', listener: (query: QueryEvent) => void): unknown
}

let clock: () => number = () => performance.now()
let version = 0
let changedAt = Number.NEGATIVE_INFINITY
const entries = new Map<string, Entry>()
const watched = new WeakSet<object>()
/** Connections (knex uids) inside a transaction that wrote projects. */
const dirty = new Set<string>()

function changed() {
  version++
  changedAt = clock()
}

function onQuery(query: QueryEvent) {
  const sql = query.sql
  if (!sql) return
  if (WRITE.test(sql)) {
    changed()
    if (query.__knexUid) dirty.add(query.__knexUid)
  } else if (query.__knexUid && dirty.has(query.__knexUid) && TRANSACTION_END.test(sql)) {
    changed()
    if (!/^\s*(?:release|rollback\s+to)\b/i.test(sql)) dirty.delete(query.__knexUid)
  }
}

/** Starts listening to the database clients in use (new ones appear after a reconnect). */
function watch() {
  const connection = db.manager.get(db.primaryConnectionName)?.connection as
    { client?: Emitter; readClient?: Emitter } | undefined
  for (const client of [connection?.client, connection?.readClient]) {
    if (!client || watched.has(client)) continue
    watched.add(client)
    client.on('query', onQuery)
    // what this client wrote before we listened is unknown
    changed()
  }
}

/**
 * The cached value for `key`, or `compute()`'s (stored when nothing changed meanwhile).
 * `key` must name everything the value depends on besides the projects table.
 */
export async function cachedProjectsAggregate<T>(key: string, compute: () => Promise<T>) {
  watch()
  const now = clock()
  const entry = entries.get(key)
  if (entry && entry.version === version && now - entry.at < TTL_MS) {
    // least recently used last
    entries.delete(key)
    entries.set(key, entry)
    return entry.value as T
  }
  const before = version
  const value = await compute()
  watch()
  if (version === before && now - changedAt >= SETTLE_MS) {
    entries.delete(key)
    entries.set(key, { version: before, at: now, value })
    while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!)
  }
  return value
}

/** For tests: replaces the clock (milliseconds, monotonic) and forgets every entry. */
export function setProjectsCacheClock(next: () => number) {
  clock = next
  entries.clear()
  changedAt = Number.NEGATIVE_INFINITY
}

/** For tests: how many aggregates are cached. */
export function projectsCacheSize() {
  return entries.size
}
