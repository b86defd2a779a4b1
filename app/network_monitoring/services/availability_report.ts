import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { loadSiteTree } from '#network_monitoring/services/site_tree'
import type Site from '#network_monitoring/models/site'
import type { SiteLevel } from '#network_monitoring/models/site'
import { DISPLAY_ZONE } from '#start/view'

export interface SiteAvailability {
  site: Site
  /** The town of a village, the county of a town (for display). */
  parentName: string | null
  depth: number
  devices: number
  polls: number
  counted: number
  ok: number
  failed: number
  ratio: number | null
  /** Failed polls × poll interval, in device-minutes (maintenance excluded). */
  downtimeMinutes: number
  worst: { name: string; ratio: number } | null
}

export interface AvailabilityReport {
  month: string
  /** Town rows include their villages. */
  byTown: boolean
  fromTs: number
  toTs: number
  rows: SiteAvailability[]
  total: Omit<SiteAvailability, 'site' | 'parentName' | 'depth' | 'worst'>
  /** The hours the data really covers inside the month: [first bucket, end of last), or null. */
  covered: { fromTs: number; toTs: number } | null
}

/** [start, end) of a calendar month in Asia/Shanghai, as epoch seconds. */
export function monthRange(month: string) {
  const start = DateTime.fromFormat(month, 'yyyy-MM', { zone: DISPLAY_ZONE }).startOf('month')
  return { fromTs: start.toSeconds(), toTs: start.plus({ months: 1 }).toSeconds() }
}

export function currentMonth() {
  return DateTime.now().setZone(DISPLAY_ZONE).toFormat('yyyy-MM')
}

/**
 * Availability of each site for a month, from the hourly rollups: successful
 * polls ÷ polls outside maintenance windows, of the devices at that site.
 */
export async function availabilityReport(
  month: string,
  filters: {
    level?: SiteLevel
    townId?: number
    sort?: 'tree' | 'worst'
    /** 'town': one row per town including its villages (default); 'site': every site alone. */
    scope?: 'town' | 'site'
  } = {}
): Promise<AvailabilityReport> {
  const { fromTs, toTs } = monthRange(month)
  const [tree, devices, sums] = await Promise.all([
    loadSiteTree(),
    db.from('network_devices').select('id', 'name', 'site_id', 'poll_interval_seconds'),
    db
      .from('device_rollups')
      .where('resolution', 3600)
      .where('bucket_ts', '>=', fromTs)
      .where('bucket_ts', '<', toTs)
      .select('device_id')
      .sum('polls as polls')
      .sum('counted_polls as counted')
      .sum('counted_ok_polls as ok')
      .min('bucket_ts as first_ts')
      .max('bucket_ts as last_ts')
      .groupBy('device_id'),
  ])
  const byDevice = new Map(sums.map((row) => [Number(row.device_id), row]))
  const bySite = new Map<number, typeof devices>()
  for (const device of devices) {
    const list = bySite.get(Number(device.site_id)) ?? []
    list.push(device)
    bySite.set(Number(device.site_id), list)
  }

  const rowFor = (
    site: Site,
    parentName: string | null,
    depth: number,
    extraSites: Site[] = []
  ): SiteAvailability => {
    const row: SiteAvailability = {
      site,
      parentName,
      depth,
      devices: 0,
      polls: 0,
      counted: 0,
      ok: 0,
      failed: 0,
      ratio: null,
      downtimeMinutes: 0,
      worst: null,
    }
    const siteDevices = [site, ...extraSites].flatMap((one) => bySite.get(one.id) ?? [])
    for (const device of siteDevices) {
      row.devices++
      const sum = byDevice.get(Number(device.id))
      if (!sum) continue
      const counted = Number(sum.counted ?? 0)
      const ok = Number(sum.ok ?? 0)
      row.polls += Number(sum.polls ?? 0)
      row.counted += counted
      row.ok += ok
      row.downtimeMinutes += ((counted - ok) * Number(device.poll_interval_seconds)) / 60
      if (counted > 0 && (!row.worst || ok / counted < row.worst.ratio)) {
        row.worst = { name: device.name, ratio: ok / counted }
      }
    }
    row.failed = row.counted - row.ok
    row.ratio = row.counted > 0 ? row.ok / row.counted : null
    row.downtimeMinutes = Math.round(row.downtimeMinutes)
    return row
  }

  const byTown = (filters.scope ?? 'town') === 'town' && !filters.level && !filters.townId
  let rows: SiteAvailability[] = []
  for (const county of tree.counties) {
    rows.push(rowFor(county.site, null, 0))
    for (const town of county.towns) {
      if (byTown) {
        rows.push(rowFor(town.site, county.site.name, 1, town.villages))
        continue
      }
      rows.push(rowFor(town.site, county.site.name, 1))
      for (const village of town.villages) rows.push(rowFor(village, town.site.name, 2))
    }
  }
  for (const site of tree.orphans) rows.push(rowFor(site, null, 0))

  if (filters.level) rows = rows.filter((row) => row.site.level === filters.level)
  if (filters.townId) {
    rows = rows.filter(
      (row) => row.site.id === filters.townId || row.site.parentId === filters.townId
    )
  }
  const total = rows.reduce(
    (sum, row) => ({
      devices: sum.devices + row.devices,
      polls: sum.polls + row.polls,
      counted: sum.counted + row.counted,
      ok: sum.ok + row.ok,
      failed: sum.failed + row.failed,
      downtimeMinutes: sum.downtimeMinutes + row.downtimeMinutes,
      ratio: null as number | null,
    }),
    {
      devices: 0,
      polls: 0,
      counted: 0,
      ok: 0,
      failed: 0,
      downtimeMinutes: 0,
      ratio: null as number | null,
    }
  )
  total.ratio = total.counted > 0 ? total.ok / total.counted : null
  if (filters.sort === 'worst') {
    rows = rows
      .filter((row) => row.ratio !== null)
      .sort((a, b) => a.ratio! - b.ratio! || b.failed - a.failed)
  }
  const firsts = sums.map((row) => Number(row.first_ts)).filter(Number.isFinite)
  const lasts = sums.map((row) => Number(row.last_ts)).filter(Number.isFinite)
  const covered =
    firsts.length > 0
      ? { fromTs: Math.min(...firsts), toTs: Math.min(toTs, Math.max(...lasts) + 3600) }
      : null
  return { month, byTown, fromTs, toTs, rows, total, covered }
}
