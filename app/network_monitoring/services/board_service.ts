import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { displayStatus, type DisplayStatus } from '#network_monitoring/services/device_status'
import { POLLABLE_VERSIONS, type SnmpVersion } from '#network_monitoring/models/device'
import { toMs } from '#network_monitoring/services/poll_store'
import { monitoringSettings } from '#network_monitoring/services/monitoring_settings'
import {
  readPollBuffer,
  type PollBufferStatus,
} from '#network_monitoring/services/poll_buffer_status'

export interface BoardDevice {
  id: number
  name: string
  type: string
  siteName: string
  status: DisplayStatus
  maintenance: boolean
  /** When the status last changed (ISO), for "down since". */
  since: string | null
  error: string | null
}

export type StatusCounts = Record<DisplayStatus, number>

export interface BoardGroup {
  /** 'county' or the town's site id. */
  key: string
  name: string
  level: 'county' | 'town'
  counts: StatusCounts
  devices: BoardDevice[]
}

export interface Board {
  generatedAt: string
  counts: StatusCounts & { total: number }
  groups: BoardGroup[]
  down: BoardDevice[]
  /** Poll results the poller holds back because the database refuses them (null: none). */
  pollBuffer: PollBufferStatus | null
  /** Poll results lost to a full buffer in the last 24 hours (audit events). */
  droppedLast24h: number
}

const emptyCounts = (): StatusCounts => ({
  up: 0,
  down: 0,
  unknown: 0,
  maintenance: 0,
  disabled: 0,
})

/**
 * The status of every device, grouped as the county is organised: county
 * level devices first, then one group per town holding the town's devices
 * and its villages'. Two queries, whatever the size of the county.
 */
export async function loadBoard(now = DateTime.utc()): Promise<Board> {
  const [rows, windows, pollBuffer, overflows] = await Promise.all([
    db
      .from('network_devices as d')
      .join('network_sites as s', 's.id', 'd.site_id')
      .leftJoin('network_sites as p', 'p.id', 's.parent_id')
      .leftJoin('device_states as st', 'st.device_id', 'd.id')
      .select(
        'd.id',
        'd.name',
        'd.device_type',
        'd.snmp_version',
        'd.is_enabled',
        'd.poll_interval_seconds',
        's.id as site_id',
        's.name as site_name',
        's.level as site_level',
        's.sort_order as site_sort',
        'p.id as parent_id',
        'p.name as parent_name',
        'p.level as parent_level',
        'p.sort_order as parent_sort',
        'st.status',
        'st.last_poll_at',
        'st.status_changed_at',
        'st.last_error_code'
      )
      .orderBy('d.id'),
    db
      .from('maintenance_windows')
      .where('starts_at', '<=', now.toFormat('yyyy-MM-dd HH:mm:ss'))
      .where('ends_at', '>', now.toFormat('yyyy-MM-dd HH:mm:ss'))
      .select('device_id'),
    readPollBuffer(monitoringSettings().pollJournalFile),
    db
      .from('audit_events')
      .where('action', 'monitoring.poll_buffer_overflow')
      .where('occurred_at', '>=', now.minus({ hours: 24 }).toISO()!)
      .select('details'),
  ])
  const inMaintenance = new Set(windows.map((row) => Number(row.device_id)))
  const groups = new Map<string, BoardGroup & { sort: number }>()
  const counts = { ...emptyCounts(), total: 0 }
  const down: BoardDevice[] = []

  for (const row of rows) {
    const lastPollAt = row.last_poll_at
      ? DateTime.fromMillis(toMs(row.last_poll_at), { zone: 'utc' })
      : null
    const maintenance = inMaintenance.has(Number(row.id))
    const status = displayStatus(
      {
        inMaintenance: maintenance,
        isEnabled: Boolean(row.is_enabled),
        pollingSupported: POLLABLE_VERSIONS.includes(row.snmp_version as SnmpVersion),
        pollIntervalSeconds: Number(row.poll_interval_seconds),
        status: row.status ?? null,
        lastPollAt,
      },
      now
    )
    const device: BoardDevice = {
      id: Number(row.id),
      name: row.name,
      type: row.device_type,
      siteName:
        row.site_level === 'village' && row.parent_name
          ? `${row.parent_name} · ${row.site_name}`
          : row.site_name,
      status,
      maintenance,
      since: row.status_changed_at ? new Date(toMs(row.status_changed_at)).toISOString() : null,
      error: status === 'down' ? row.last_error_code : null,
    }
    const town =
      row.site_level === 'town'
        ? { id: row.site_id, name: row.site_name, sort: row.site_sort }
        : row.site_level === 'village' && row.parent_level === 'town'
          ? { id: row.parent_id, name: row.parent_name, sort: row.parent_sort }
          : null
    const key = town ? String(town.id) : 'county'
    let group = groups.get(key)
    if (!group) {
      group = {
        key,
        name: town ? town.name : '',
        level: town ? 'town' : 'county',
        sort: town ? Number(town.sort) : -1,
        counts: emptyCounts(),
        devices: [],
      }
      groups.set(key, group)
    }
    group.devices.push(device)
    group.counts[status]++
    counts[status]++
    counts.total++
    if (status === 'down') down.push(device)
  }

  const ordered = [...groups.values()].sort(
    (a, b) => a.sort - b.sort || a.name.localeCompare(b.name, 'zh-CN')
  )
  return {
    generatedAt: now.toISO()!,
    counts,
    groups: ordered.map(({ sort: _sort, ...group }) => group),
    down: down.sort((a, b) => (b.since ?? '').localeCompare(a.since ?? '')),
    pollBuffer,
    droppedLast24h: overflows.reduce((sum, row) => sum + droppedOf(row.details), 0),
  }
}

/** The `dropped` count of a monitoring.poll_buffer_overflow event's details. */
function droppedOf(details: unknown) {
  try {
    const parsed = typeof details === 'string' ? JSON.parse(details) : details
    const dropped = Number((parsed as { dropped?: unknown })?.dropped)
    return Number.isFinite(dropped) && dropped > 0 ? dropped : 0
  } catch {
    return 0
  }
}
