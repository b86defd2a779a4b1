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

/**
 * The tables whose writes drop every entry: projects, and what the 工作台 to-do centre reads
 * beside them (panels and seats, score sheets, acceptance requests and checks, evaluations).
 */
const WRITE =
  /^\s*(?:insert\s+(?:ignore\s+)?into|replace\s+into|update|delete\s+from|truncate(?:\s+table)?)\s+[`"]?(?:projects|review_panels|panel_members|score_sheets|acceptance_requests|acceptance_checks|project_evaluations)[`"]?(?:\s|\(|$)/i
const BEGIN = /^\s*(?:begin|start\s+transaction)\b/i
const SAVEPOINT = /^\s*savepoint\b/i
const RELEASE = /^\s*release\b/i
const ROLLBACK_TO = /^\s*rollback\s+to\b/i
const END = /^\s*(?:commit|rollback)\b/i

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
/**
 * Per connection (knex uid), its open transaction and savepoints, innermost last: whether each
 * wrote projects. What a transaction wrote changes what others read when it commits; what a
 * savepoint wrote is undone when it is rolled back to.
 */
const transactions = new Map<string, boolean[]>()

function changed() {
  version++
  changedAt = clock()
}

function onQuery(query: QueryEvent) {
  const { sql, __knexUid: uid } = query
  if (!sql) return
  const open = uid ? transactions.get(uid) : undefined
  if (WRITE.test(sql)) {
    changed()
    if (open?.length) open[open.length - 1] = true
  } else if (!uid) {
    return
  } else if (BEGIN.test(sql)) {
    transactions.set(uid, [false])
  } else if (SAVEPOINT.test(sql)) {
    // a transaction begun before we listened may have written projects already
    if (open) open.push(false)
    else transactions.set(uid, [true, false])
  } else if (RELEASE.test(sql)) {
    const wrote = open?.pop()
    if (wrote && open?.length) open[open.length - 1] = true
  } else if (ROLLBACK_TO.test(sql)) {
    if (open?.pop()) changed()
  } else if (END.test(sql)) {
    if (!open || open.some(Boolean)) changed()
    transactions.delete(uid)
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
 * `key` must name everything the value depends on besides the tables WRITE watches.
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
