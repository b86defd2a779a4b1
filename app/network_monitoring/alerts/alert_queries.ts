import { setImmediate as nextTurn } from 'node:timers/promises'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { I18n } from '@adonisjs/i18n'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import Alert from '#network_monitoring/models/alert'
import { CATEGORY_CODES, GRADES, type GradeLevel } from '#network_monitoring/alerts/classification'
import { csvCell } from '#core/http_helpers'
import { onAlertChanges } from '#network_monitoring/alerts/contract'
import { DISPLAY_ZONE } from '#start/view'

/** The 告警中心's filters (validated by alertListValidator). */
export interface AlertFilters {
  from?: Date
  to?: Date
  /** A category code (恶意程序事件 …) or a sub-category code (特洛伊木马 …). */
  category?: string
  grade?: number
  state?: string
  siteId?: number
  unitId?: number
  deviceId?: number
  q?: string
  page?: number
}

/** Pages beyond this are refused: narrow the filters instead (an OFFSET stays cheap). */
export const MAX_PAGE = 500
/** Totals above this show as "10000+" (counting a million rows is not worth a page view). */
export const COUNT_CAP = 10_000

const IP = /^[0-9a-fA-F:.]{3,45}$/

/** A date form value (a wall-clock day in Asia/Shanghai) as a UTC SQL time at its start. */
function dayStart(date: Date, plusDays = 0) {
  return DateTime.fromJSDate(date)
    .setZone(DISPLAY_ZONE, { keepLocalTime: true })
    .startOf('day')
    .plus({ days: plusDays })
    .toUTC()
    .toFormat('yyyy-LL-dd HH:mm:ss')
}

/**
 * The list query: every filter is an equality or range on an indexed column, ordered by
 * (first_seen_at, id) descending — the order every index of `alerts` ends in.
 * Suppressed alerts (behind their parent) are listed only when asked for.
 */
export async function alertListQuery(filters: AlertFilters) {
  const query = Alert.query()
  if (filters.from) query.where('first_seen_at', '>=', dayStart(filters.from))
  if (filters.to) query.where('first_seen_at', '<', dayStart(filters.to, 1))
  if (filters.category) {
    if (CATEGORY_CODES.includes(filters.category)) {
      query.where('category_group', filters.category)
    } else {
      query.where('category', filters.category)
    }
  }
  if (filters.grade) query.where('grade', filters.grade)
  if (filters.state) query.where('state', filters.state)
  else query.whereIn('state', ['open', 'acknowledged', 'resolved', 'closed'])
  if (filters.siteId) {
    const ids = await siteWithDescendants(filters.siteId)
    if (ids.length === 1) query.where('site_id', ids[0])
    else query.whereIn('site_id', ids)
  }
  if (filters.unitId) query.where('unit_id', filters.unitId)
  if (filters.deviceId) query.where('device_id', filters.deviceId)
  if (filters.q) {
    const q = filters.q.trim()
    if (/^#?\d{1,10}$/.test(q)) {
      query.where('id', Number(q.replace('#', '')))
    } else if (IP.test(q) && /[.:]/.test(q)) {
      query.where((w) => w.where('src_ip', q).orWhere('dst_ip', q))
    } else {
      // Device names: resolved to ids first, so the alerts table is read through its index.
      const devices = await db
        .from('network_devices')
        .where('name', 'like', `%${q}%`)
        .orWhere('management_ip', q)
        .limit(500)
        .select('id')
      query.whereIn(
        'device_id',
        devices.map((d) => Number(d.id))
      )
    }
  }
  // Wrapped: an async function returning the (thenable) builder would run it.
  return { query: query.orderBy('first_seen_at', 'desc').orderBy('id', 'desc') }
}

/**
 * One page of the list: the ids first (read from the filter's covering index and sorted there),
 * then those rows. Asked for whole rows at once, SQLite may read every matching row before
 * sorting: a town with its villages (site_id IN …, 32,000 alerts in the bench) took 210 ms.
 */
export async function alertPage(
  query: ModelQueryBuilderContract<typeof Alert>,
  page: number,
  size: number
) {
  const ids = await query
    .clone()
    .clearSelect()
    .select('id')
    .offset((page - 1) * size)
    .limit(size)
    .pojo<{ id: number }>()
  if (ids.length === 0) return []
  return Alert.query()
    .whereIn(
      'id',
      ids.map((row) => Number(row.id))
    )
    .orderBy('first_seen_at', 'desc')
    .orderBy('id', 'desc')
}

export interface SiteOption {
  id: number
  name: string
  /** 0 county, 1 town, 2 village (the indent in the filter's list). */
  depth: number
}

const collator = new Intl.Collator('zh-CN')

/**
 * The site filter's options in tree order (县 → 乡镇 → 村, as the site tree sorts them), read as
 * plain rows: hydrating several hundred Site models on every list view costs more than the list.
 */
export async function alertSiteOptions(): Promise<SiteOption[]> {
  const rows = await db
    .from('network_sites')
    .select('id', 'name', 'level', 'parent_id', 'sort_order')
    .orderBy('sort_order')
    .orderBy('id')
  const sites = rows.map((row) => ({
    id: Number(row.id),
    name: String(row.name),
    level: String(row.level),
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    sortOrder: Number(row.sort_order),
  }))
  type Row = (typeof sites)[number]
  const order = (a: Row, b: Row) =>
    a.sortOrder - b.sortOrder || collator.compare(a.name, b.name) || a.id - b.id
  const children = new Map<number, Row[]>()
  for (const site of sites) {
    if (site.parentId === null) continue
    const list = children.get(site.parentId) ?? []
    list.push(site)
    children.set(site.parentId, list)
  }
  const below = (parent: Row, level: string) =>
    (children.get(parent.id) ?? []).filter((site) => site.level === level).sort(order)
  const options: SiteOption[] = []
  const counties = sites.filter((site) => site.level === 'county' && site.parentId === null)
  for (const county of counties.sort(order)) {
    options.push({ id: county.id, name: county.name, depth: 0 })
    for (const town of below(county, 'town')) {
      options.push({ id: town.id, name: town.name, depth: 1 })
      for (const village of below(town, 'village')) {
        options.push({ id: village.id, name: village.name, depth: 2 })
      }
    }
  }
  return options
}

/** A site and the sites under it (a town and its villages; the county and everything). */
export async function siteWithDescendants(siteId: number): Promise<number[]> {
  const ids = [siteId]
  let frontier = [siteId]
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    const rows = await db.from('network_sites').whereIn('parent_id', frontier).select('id')
    frontier = rows.map((r) => Number(r.id))
    ids.push(...frontier)
  }
  return ids
}

/** COUNT(*) of at most cap + 1 rows: cheap whatever the table size. */
export async function cappedCount(query: ModelQueryBuilderContract<typeof Alert>, cap = COUNT_CAP) {
  const inner = query
    .clone()
    .clearOrder()
    .clearSelect()
    .select('id')
    .limit(cap + 1)
    .toQuery()
  const row = await db.rawQuery(`select count(*) as n from (${inner}) as capped`)
  const n = Number((Array.isArray(row) ? (row[0]?.[0]?.n ?? row[0]?.n) : undefined) ?? 0)
  return { total: Math.min(n, cap), more: n > cap }
}

/** The names the list, detail and CSV show for ids (sites, devices, units, users). */
export async function alertNames(alerts: Alert[]) {
  const ids = (pick: (a: Alert) => number | null) => [
    ...new Set(alerts.map(pick).filter((id): id is number => id !== null)),
  ]
  const [sites, devices, units] = await Promise.all([
    nameMap(
      'network_sites',
      ids((a) => a.siteId)
    ),
    nameMap(
      'network_devices',
      ids((a) => a.deviceId)
    ),
    nameMap(
      'units',
      ids((a) => a.unitId)
    ),
  ])
  const users = await nameMap(
    'users',
    ids((a) => a.assigneeId),
    'full_name'
  )
  return { sites, devices, units, users }
}

async function nameMap(table: string, ids: number[], column = 'name') {
  const map = new Map<number, string>()
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .from(table)
      .whereIn('id', ids.slice(i, i + 500))
      .select('id', `${column} as name`)
    for (const row of rows) map.set(Number(row.id), row.name)
  }
  return map
}

/** The summary line of an alert in the reader's language. */
export function alertSummary(i18n: I18n, alert: Alert) {
  if (alert.summaryText) return alert.summaryText
  if (alert.summaryKey) {
    const params = { ...(alert.summaryParams ?? {}) }
    if (typeof params.threat === 'string' && !params.threat.includes(' ')) {
      params.threat = i18n.t(`alerts.subcategories.${params.threat}`, {}, params.threat)
    }
    return i18n.t(alert.summaryKey, params, alert.summaryKey)
  }
  return alert.conditionKey
}

const CSV_BATCH = 2000

/** Asia/Shanghai is UTC+8 all year: a fast formatter for bulk export. */
function beijing(value: DateTime | null) {
  if (!value) return ''
  return new Date(value.toMillis() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * The filtered alerts as CSV, streamed in keyset batches on (first_seen_at, id): constant
 * memory, no OFFSET, no cap. A BOM first so that Excel reads the Chinese.
 */
export async function* alertCsvLines(query: ModelQueryBuilderContract<typeof Alert>, i18n: I18n) {
  const header = [
    'id',
    'first_seen',
    'last_seen',
    'state',
    'grade',
    'category_group',
    'category',
    'raw_type',
    'summary',
    'site',
    'unit',
    'device',
    'src_ip',
    'dst_ip',
    'count',
    'assignee',
    'acknowledged_at',
    'resolved_at',
    'closed_at',
  ]
  yield '\uFEFF' + header.map((k) => csvCell(i18n.t(`alerts.csv.${k}`))).join(',') + '\r\n'
  let last: { at: string; id: number } | null = null
  for (;;) {
    const batch = query.clone().limit(CSV_BATCH)
    if (last) {
      const { at, id } = last
      batch.where((w) =>
        w
          .where('first_seen_at', '<', at)
          .orWhere((x) => x.where('first_seen_at', at).where('id', '<', id))
      )
    }
    const alerts = await batch
    if (alerts.length === 0) return
    const names = await alertNames(alerts)
    const lines = alerts.map((a) =>
      [
        a.id,
        beijing(a.firstSeenAt),
        beijing(a.lastSeenAt),
        i18n.t(`alerts.states.${a.state}`),
        i18n.t(`alerts.grades.${a.grade}`),
        i18n.t(`alerts.categories.${a.categoryGroup}`),
        i18n.t(`alerts.subcategories.${a.category}`),
        a.rawType,
        alertSummary(i18n, a),
        a.siteId ? names.sites.get(a.siteId) : '',
        a.unitId ? names.units.get(a.unitId) : '',
        a.deviceId ? names.devices.get(a.deviceId) : '',
        a.srcIp,
        a.dstIp,
        a.count,
        a.assigneeId ? names.users.get(a.assigneeId) : '',
        beijing(a.acknowledgedAt),
        beijing(a.resolvedAt),
        beijing(a.closedAt),
      ]
        .map(csvCell)
        .join(',')
    )
    yield lines.join('\r\n') + '\r\n'
    const tail = alerts[alerts.length - 1]
    last = { at: tail.firstSeenAt.toUTC().toFormat('yyyy-LL-dd HH:mm:ss'), id: tail.id }
    if (alerts.length < CSV_BATCH) return
  }
}

export interface AlertDashboard {
  openByGrade: Record<GradeLevel, number>
  openTotal: number
  /** Days (Asia/Shanghai, oldest first) × category code → alerts first seen that day. */
  days: string[]
  byCategory: Record<string, number[]>
  totalsByCategory: Record<string, number>
  /** Mean minutes to acknowledge / resolve over the window (null: none yet). */
  mttaMinutes: number | null
  mttrMinutes: number | null
  acknowledged: number
  resolved: number
}

/** The 30-day figures are recomputed at most this often (the open counts are always fresh). */
const WINDOW_CACHE_MS = 30_000
const windowCache = new Map<string, { until: number; figures: WindowFigures }>()

type WindowFigures = Awaited<ReturnType<typeof windowQueries>>

/** Alerts per day and category, and the MTTA/MTTR sums, over the covering dashboard index. */
async function windowQueries(since: string, dayExpr: string, minutes: (column: string) => string) {
  const [perDay, times] = await Promise.all([
    db
      .from('alerts')
      .where('first_seen_at', '>=', since)
      .whereNot('state', 'suppressed')
      .groupByRaw(`${dayExpr}, category_group`)
      .select(db.raw(`${dayExpr} as day`), 'category_group')
      .count('* as n'),
    db
      .from('alerts')
      .where('first_seen_at', '>=', since)
      .whereNot('state', 'suppressed')
      .select(
        db.raw(
          `AVG(CASE WHEN acknowledged_at IS NOT NULL THEN ${minutes('acknowledged_at')} END) as mtta`
        ),
        db.raw(`AVG(CASE WHEN resolved_at IS NOT NULL THEN ${minutes('resolved_at')} END) as mttr`),
        db.raw('SUM(CASE WHEN acknowledged_at IS NOT NULL THEN 1 ELSE 0 END) as acked'),
        db.raw('SUM(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END) as resolved')
      )
      .first(),
  ])
  return { perDay, times }
}

/**
 * The open counts per grade, shared by concurrent page views and kept until an alert is raised,
 * handled or reclassified here, and at most LIVE_CACHE_MS (changes made by another process).
 */
const LIVE_CACHE_MS = 5_000
let liveCache: { until: number; counts: Promise<Record<GradeLevel, number>> } | null = null

/** Forgets the cached dashboard figures (tests, and after bulk imports). */
export function clearDashboardCache() {
  windowCache.clear()
  liveCache = null
  boardCache = null
}

// A new, handled or reclassified alert changes the figures; a mere repeat does not.
onAlertChanges(async (changes) => {
  if (changes.some((change) => change.type !== 'updated')) clearDashboardCache()
})

/**
 * Open and acknowledged alerts, read through the (state, …) index: live alerts are few, so
 * they are aggregated here rather than by a GROUP BY that could walk another index.
 */
async function liveAlerts() {
  const rows = await db
    .from('alerts')
    .whereIn('state', ['open', 'acknowledged'])
    .select('id', 'grade', 'site_id', 'device_id')
  return rows.map((row) => ({
    id: Number(row.id),
    grade: Number(row.grade) as GradeLevel,
    siteId: row.site_id === null ? null : Number(row.site_id),
    deviceId: row.device_id === null ? null : Number(row.device_id),
  }))
}

/**
 * Open and acknowledged alerts per grade, counted inside the covering (state, grade) index:
 * grouping by state first keeps the planner on that index (grouping by grade alone walks the
 * (grade, first_seen_at, id) index over every row), and no row reaches JavaScript.
 */
async function liveCountsByGrade() {
  const counts = Object.fromEntries(GRADES.map((g) => [g, 0])) as Record<GradeLevel, number>
  const rows = await db
    .from('alerts')
    .whereIn('state', ['open', 'acknowledged'])
    .groupBy('state', 'grade')
    .select('grade')
    .count('* as n')
  for (const row of rows) {
    const grade = Number(row.grade) as GradeLevel
    if (grade in counts) counts[grade] += Number(row.n)
  }
  return counts
}

function isMysql() {
  return db.connection().dialect.name === 'mysql'
}

/**
 * Figures of the alert dashboard: open alerts by grade (index state+grade), alerts by category
 * per day over `days` days and MTTA/MTTR over the same window (index range on first_seen_at).
 */
export async function alertDashboard(now = DateTime.utc(), days = 30): Promise<AlertDashboard> {
  const startDay = now
    .setZone(DISPLAY_ZONE)
    .startOf('day')
    .minus({ days: days - 1 })
  const since = startDay.toUTC().toFormat('yyyy-LL-dd HH:mm:ss')
  const mysql = isMysql()
  const dayExpr = mysql
    ? "DATE_FORMAT(DATE_ADD(first_seen_at, INTERVAL 8 HOUR), '%Y-%m-%d')"
    : "strftime('%Y-%m-%d', first_seen_at, '+8 hours')"
  const minutes = (column: string) =>
    mysql
      ? `TIMESTAMPDIFF(SECOND, first_seen_at, ${column}) / 60`
      : `(julianday(${column}) - julianday(first_seen_at)) * 1440`

  const cacheKey = `${since}|${days}`
  const cached = windowCache.get(cacheKey)
  const windowFigures =
    cached && cached.until > Date.now()
      ? cached.figures
      : await windowQueries(since, dayExpr, minutes).then((figures) => {
          windowCache.clear()
          windowCache.set(cacheKey, { until: Date.now() + WINDOW_CACHE_MS, figures })
          return figures
        })
  const { perDay, times } = windowFigures
  if (!liveCache || liveCache.until <= Date.now()) {
    const counts = liveCountsByGrade()
    liveCache = { until: Date.now() + LIVE_CACHE_MS, counts }
    counts.catch(() => (liveCache = null))
  }
  const openByGrade = { ...(await liveCache.counts) }
  const dayList = Array.from({ length: days }, (_, i) =>
    startDay.plus({ days: i }).toFormat('yyyy-LL-dd')
  )
  const index = new Map(dayList.map((d, i) => [d, i]))
  const byCategory: Record<string, number[]> = {}
  const totalsByCategory: Record<string, number> = {}
  for (const row of perDay) {
    const i = index.get(String(row.day))
    if (i === undefined) continue
    const code = String(row.category_group)
    byCategory[code] ??= new Array(days).fill(0)
    byCategory[code][i] += Number(row.n)
    totalsByCategory[code] = (totalsByCategory[code] ?? 0) + Number(row.n)
  }
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
  return {
    openByGrade,
    openTotal: Object.values(openByGrade).reduce((a, b) => a + b, 0),
    days: dayList,
    byCategory,
    totalsByCategory,
    mttaMinutes: num(times?.mtta),
    mttrMinutes: num(times?.mttr),
    acknowledged: Number(times?.acked ?? 0),
    resolved: Number(times?.resolved ?? 0),
  }
}

export interface SiteAlerts {
  count: number
  /** The most severe grade among them (1 = 特别重大). */
  worst: GradeLevel
}

/**
 * Open and acknowledged alerts per site (for the board), and the newest of them. Live alerts
 * are few, and `open_key` is NOT NULL exactly for them (its unique index finds them).
 */
export async function liveAlertsBySite(rows?: Awaited<ReturnType<typeof liveAlerts>>) {
  const bySite = new Map<number, SiteAlerts>()
  for (const alert of rows ?? (await liveAlerts())) {
    if (alert.siteId === null) continue
    const site = bySite.get(alert.siteId)
    if (site) {
      site.count++
      site.worst = Math.min(site.worst, alert.grade) as GradeLevel
    } else {
      bySite.set(alert.siteId, { count: 1, worst: alert.grade })
    }
  }
  return bySite
}

/** The newest live alerts (board list and the new-alert sound). */
export async function newestLiveAlerts(limit = 8) {
  return Alert.query().whereIn('state', ['open', 'acknowledged']).orderBy('id', 'desc').limit(limit)
}

export interface BoardAlerts {
  /** Board group key ('county' or a town's site id) → live alerts there. */
  groups: Record<string, SiteAlerts>
  /** Device id → the worst grade of its live alerts. */
  devices: Record<string, GradeLevel>
  latest: Alert[]
  /** The newest live alert's id (the page sounds when a newer one appears). */
  newestId: number
  total: number
}

/**
 * The board's per-site/device aggregate, shared by every open board (each polls it) and kept
 * like the dashboard's live counts: until an alert is raised, handled or reclassified here, and
 * at most LIVE_CACHE_MS.
 */
let boardCache: { until: number; groups: ReturnType<typeof liveGroups> } | null = null

function cachedLiveGroups() {
  const now = Date.now()
  if (!boardCache || boardCache.until <= now) {
    const groups = liveGroups()
    boardCache = { until: now + LIVE_CACHE_MS, groups }
    groups.catch(() => {
      if (boardCache?.groups === groups) boardCache = null
    })
  }
  return boardCache.groups
}

/** Sites per board aggregate query: each reads a slice of the index and yields in between. */
const BOARD_SITE_SLICE = 48

/**
 * Live alerts per site and device, aggregated by the database (index state, site_id,
 * device_id, grade): one row per device with live alerts, never one per alert. Read per state
 * and slice of site ids with a turn of the event loop between two: one GROUP BY over 290,000
 * live alerts held the loop ~140 ms (better-sqlite3 runs synchronously).
 */
async function liveGroups() {
  const sites = await db.from('network_sites').select('id').orderBy('id')
  const ids = sites.map((row) => Number(row.id))
  const rows: Array<Record<string, unknown>> = []
  const slice = (state: string) =>
    db
      .from('alerts')
      .where('state', state)
      .groupBy('site_id', 'device_id')
      .select('site_id', 'device_id')
      .min('grade as worst')
      .count('* as n')
  for (const state of ['open', 'acknowledged']) {
    rows.push(...(await slice(state).whereNull('site_id')))
    for (let i = 0; i < ids.length; i += BOARD_SITE_SLICE) {
      await nextTurn()
      const part = ids.slice(i, i + BOARD_SITE_SLICE)
      rows.push(...(await slice(state).whereBetween('site_id', [part[0], part[part.length - 1]])))
    }
  }
  return rows.map((row) => ({
    siteId: row.site_id === null ? null : Number(row.site_id),
    deviceId: row.device_id === null ? null : Number(row.device_id),
    worst: Number(row.worst) as GradeLevel,
    count: Number(row.n),
  }))
}

/**
 * Live alerts as the status board groups them (county, each town with its villages): counts and
 * worst grade per group and per device by GROUP BY, plus the newest `limit` alerts. Bounded
 * however many alerts are open (287,000 in the bench: README "Alert throughput").
 */
export async function boardAlerts(limit = 8): Promise<BoardAlerts> {
  const [live, latest] = await Promise.all([cachedLiveGroups(), newestLiveAlerts(limit)])
  const bySite = new Map<number, SiteAlerts>()
  const devices: Record<string, GradeLevel> = {}
  for (const group of live) {
    if (group.deviceId !== null) {
      const key = String(group.deviceId)
      devices[key] = Math.min(devices[key] ?? 4, group.worst) as GradeLevel
    }
    if (group.siteId === null) continue
    const site = bySite.get(group.siteId)
    if (site) {
      site.count += group.count
      site.worst = Math.min(site.worst, group.worst) as GradeLevel
    } else {
      bySite.set(group.siteId, { count: group.count, worst: group.worst })
    }
  }
  const siteIds = [...bySite.keys()]
  const sites = new Map<number, { level: string; parentId: number | null }>()
  for (let i = 0; i < siteIds.length; i += 500) {
    const rows = await db
      .from('network_sites')
      .whereIn('id', siteIds.slice(i, i + 500))
      .select('id', 'level', 'parent_id')
    for (const row of rows) {
      sites.set(Number(row.id), {
        level: row.level,
        parentId: row.parent_id === null ? null : Number(row.parent_id),
      })
    }
  }
  const groups: Record<string, SiteAlerts> = {}
  let total = 0
  for (const [siteId, alerts] of bySite) {
    const site = sites.get(siteId)
    const key =
      site?.level === 'town'
        ? String(siteId)
        : site?.level === 'village' && site.parentId !== null
          ? String(site.parentId)
          : 'county'
    const group = groups[key]
    groups[key] = group
      ? {
          count: group.count + alerts.count,
          worst: Math.min(group.worst, alerts.worst) as GradeLevel,
        }
      : { ...alerts }
    total += alerts.count
  }
  const newestId = latest.reduce((max, alert) => Math.max(max, alert.id), 0)
  return { groups, devices, latest, newestId, total }
}
