import db from '@adonisjs/lucid/services/db'
import type { I18n } from '@adonisjs/i18n'
import type AuditEvent from '#core/audit/audit_event'
import { formatDateTime } from '#start/view'

/**
 * Turns audit rows into what an auditor reads: Chinese action names, targets
 * by name instead of `user#3`, details as "字段：值" with times in Asia/Shanghai.
 */

/** Where each target type's display name lives. */
const TARGET_NAMES: Record<string, { table: string; columns: string[] }> = {
  user: { table: 'users', columns: ['full_name', 'username'] },
  unit: { table: 'units', columns: ['name'] },
  network_device: { table: 'network_devices', columns: ['name'] },
  network_site: { table: 'network_sites', columns: ['name'] },
  project: { table: 'projects', columns: ['title'] },
  expert: { table: 'experts', columns: ['name'] },
  shared_platform: { table: 'shared_platforms', columns: ['name'] },
  api_token: { table: 'api_clients', columns: ['name'] },
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/

export function actionLabel(i18n: I18n, action: string) {
  const key = `audit.actions.${action}`
  return i18n.hasMessage(key) || i18n.hasFallbackMessage(key) ? i18n.t(key) : action
}

function keyLabel(i18n: I18n, key: string) {
  const id = `audit.detail_keys.${key}`
  return i18n.hasMessage(id) || i18n.hasFallbackMessage(id) ? i18n.t(id) : key
}

function formatValue(i18n: I18n, value: unknown): string {
  if (value === null || value === undefined || value === '') return i18n.t('audit.values.none')
  if (typeof value === 'boolean') return i18n.t(`audit.values.${value}`)
  if (typeof value === 'string') return ISO_INSTANT.test(value) ? formatDateTime(value) : value
  if (Array.isArray(value)) return value.map((v) => formatValue(i18n, v)).join('、')
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${keyLabel(i18n, k)}：${formatValue(i18n, v)}`)
      .join('，')
  }
  return String(value)
}

/** One readable line per detail; a before/after pair shows only what changed. */
export function detailLines(i18n: I18n, details: Record<string, unknown>): string[] {
  const { before, after, ...rest } = details
  const lines: string[] = []
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const b = before as Record<string, unknown>
    const a = after as Record<string, unknown>
    for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (JSON.stringify(b[key] ?? null) === JSON.stringify(a[key] ?? null)) continue
      lines.push(
        `${keyLabel(i18n, key)}：${i18n.t('audit.change_arrow', {
          from: formatValue(i18n, b[key]),
          to: formatValue(i18n, a[key]),
        })}`
      )
    }
  } else {
    if (before !== undefined) rest.before = before
    if (after !== undefined) rest.after = after
  }
  for (const [key, value] of Object.entries(rest)) {
    lines.push(`${keyLabel(i18n, key)}：${formatValue(i18n, value)}`)
  }
  return lines
}

/** Display names of the targets of these events, keyed "type#id". */
export async function targetNames(events: Array<Pick<AuditEvent, 'targetType' | 'targetId'>>) {
  const wanted = new Map<string, Set<string>>()
  for (const event of events) {
    if (!event.targetType || !event.targetId || !TARGET_NAMES[event.targetType]) continue
    if (!wanted.has(event.targetType)) wanted.set(event.targetType, new Set())
    wanted.get(event.targetType)!.add(event.targetId)
  }
  const names = new Map<string, string>()
  for (const [type, ids] of wanted) {
    const { table, columns } = TARGET_NAMES[type]
    const numeric = [...ids].filter((id) => /^\d+$/.test(id)).map(Number)
    for (let i = 0; i < numeric.length; i += 500) {
      const rows = await db
        .from(table)
        .select('id', ...columns)
        .whereIn('id', numeric.slice(i, i + 500))
      for (const row of rows) {
        const name =
          columns.length === 2 ? `${row[columns[0]]}(${row[columns[1]]})` : String(row[columns[0]])
        names.set(`${type}#${row.id}`, name)
      }
    }
  }
  return names
}

/** "用户：王五(wangwu)"; a deleted target falls back to the name recorded in the details. */
export function targetLabel(
  i18n: I18n,
  event: Pick<AuditEvent, 'targetType' | 'targetId' | 'detailsObject'>,
  names: Map<string, string>
) {
  if (!event.targetType) return ''
  const typeKey = `audit.target_types.${event.targetType}`
  const type =
    i18n.hasMessage(typeKey) || i18n.hasFallbackMessage(typeKey)
      ? i18n.t(typeKey)
      : event.targetType
  if (!event.targetId) return type
  const details = event.detailsObject
  const recorded = details.name ?? details.username ?? details.title
  const name =
    names.get(`${event.targetType}#${event.targetId}`) ??
    (typeof recorded === 'string' ? recorded : `#${event.targetId}`)
  return `${type}：${name}`
}

/** The action codes the filter offers: every known one plus any found in the trail. */
export async function actionOptions(i18n: I18n, known: string[]) {
  const rows = await db.from('audit_events').distinct('action')
  const codes = new Set([...known, ...rows.map((r) => String(r.action))])
  return [...codes]
    .map((code) => ({ code, label: actionLabel(i18n, code) }))
    .sort((a, b) => a.code.localeCompare(b.code))
}
