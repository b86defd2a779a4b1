import { DateTime } from 'luxon'
import type { I18n } from '@adonisjs/i18n'
import type Device from '#network_monitoring/models/device'
import type DeviceInterface from '#network_monitoring/models/device_interface'
import { displayStatus } from '#network_monitoring/services/device_status'
import { lineChart } from '#network_monitoring/services/svg_chart'
import { formats } from '#network_monitoring/services/formats'
import { historyQueries, type Availability } from '#network_monitoring/services/history_queries'
import { DISPLAY_ZONE } from '#start/view'

const HOUR = 3600
const DAY = 86400

/** The interface charted when none is chosen: the busiest one that is up. */
function defaultInterface(interfaces: DeviceInterface[]) {
  const up = interfaces.filter((row) => row.isOperUp)
  const traffic = (row: DeviceInterface) => (row.inBps ?? 0) + (row.outBps ?? 0)
  return [...up].sort((a, b) => traffic(b) - traffic(a))[0] ?? interfaces[0] ?? null
}

/**
 * How long the availability really covers, when that is shorter than its
 * window ("已监测 2 小时" under "近 30 天"); null when it covers the window.
 */
function coveredPeriod(availability: Availability, nowTs: number, window: number, i18n: I18n) {
  if (availability.firstTs === null || availability.counted === 0) return null
  const seconds = Math.max(60, nowTs - availability.firstTs)
  if (seconds >= window - HOUR) return null
  const [key, count] =
    seconds < HOUR
      ? ['period_minutes', Math.floor(seconds / 60)]
      : seconds < 2 * DAY
        ? ['period_hours', Math.floor(seconds / HOUR)]
        : ['period_days', Math.floor(seconds / DAY)]
  return i18n.t('monitoring.devices.availability_covered', {
    period: i18n.t(`monitoring.devices.${key}`, { count }),
  })
}

/**
 * What the device page shows besides the inventory: status, system group,
 * interfaces, 24 h / 30 d traffic of one interface as SVG, availability and
 * the last polls. Device must be loaded with state, interfaces and windows.
 */
export class DeviceDetailsService {
  async load(device: Device, ifIndex: number | null, i18n: I18n) {
    const now = DateTime.utc()
    const nowTs = Math.floor(now.toSeconds())
    const activeWindow = (device.maintenanceWindows ?? []).find((window) => window.covers(now))
    const status = displayStatus(
      {
        inMaintenance: Boolean(activeWindow),
        isEnabled: device.isEnabled,
        pollingSupported: device.pollingSupported,
        pollIntervalSeconds: device.pollIntervalSeconds,
        status: device.state?.status ?? null,
        lastPollAt: device.state?.lastPollAt ?? null,
      },
      now
    )
    // Vanished ports (renumbered away or removed) are not current ports: listed apart.
    const interfaces = device.interfaces.filter((row) => !row.isGone)
    const vanishedInterfaces = device.interfaces.filter((row) => row.isGone)
    const selected =
      (ifIndex !== null ? device.interfaces.find((row) => row.ifIndex === ifIndex) : null) ??
      defaultInterface(interfaces)

    const [availability24h, availability30dRollup, recentPolls, day, month] = await Promise.all([
      historyQueries.deviceAvailabilityRaw(device.id, nowTs - DAY),
      historyQueries.deviceAvailabilityRollup(device.id, HOUR, nowTs - 30 * DAY),
      historyQueries.recentPolls(device.id),
      selected ? historyQueries.interfaceTraffic(selected.id, nowTs - DAY, 300) : [],
      selected ? historyQueries.interfaceRollups(selected.id, HOUR, nowTs - 30 * DAY) : [],
    ])
    const availability30d =
      availability30dRollup.polls > 0
        ? availability30dRollup
        : await historyQueries.deviceAvailabilityRaw(device.id, nowTs - 30 * DAY)
    // before the first hourly rollup exists, the 30-day chart bins the raw samples itself
    const monthPoints =
      selected && month.length === 0
        ? await historyQueries.interfaceTraffic(selected.id, nowTs - 30 * DAY, HOUR)
        : month
    const firstSampleTs =
      selected && (day.length === 0 || monthPoints.length === 0)
        ? await historyQueries.firstSampleTs(selected.id)
        : null

    const label = selected?.label ?? ''
    const series = (points: typeof day) => [
      {
        className: 'mon-line-in',
        label: i18n.t('monitoring.devices.legend_in'),
        points: points.map(([ts, inBps]) => [ts, inBps] as [number, number | null]),
      },
      {
        className: 'mon-line-out',
        label: i18n.t('monitoring.devices.legend_out'),
        points: points.map(([ts, , outBps]) => [ts, outBps] as [number, number | null]),
      },
    ]
    const chart24h = lineChart({
      series: series(day),
      fromTs: nowTs - DAY,
      toTs: nowTs,
      gapSeconds: Math.max(900, device.pollIntervalSeconds * 3),
      zone: DISPLAY_ZONE,
      tickEverySeconds: 3 * HOUR,
      tickFormat: 'HH:mm',
      pointFormat: 'MM-dd HH:mm',
    })
    const chart30d = lineChart({
      series: series(monthPoints),
      fromTs: nowTs - 30 * DAY,
      toTs: nowTs,
      gapSeconds: 3 * HOUR,
      zone: DISPLAY_ZONE,
      tickEverySeconds: 5 * DAY,
      tickFormat: 'MM-dd',
      pointFormat: 'yyyy-MM-dd HH:00',
    })

    // Interfaces are only as fresh as the last successful poll: once the device
    // stops answering they are shown as unknown, with the time they date from.
    const interfacesStale = !(
      device.state?.status === 'up' &&
      (status === 'up' || status === 'maintenance')
    )
    return {
      status,
      interfaces,
      vanishedInterfaces,
      interfacesStale,
      interfacesAsOf: interfacesStale ? (device.state?.lastOkAt ?? null) : null,
      activeWindow: activeWindow ?? null,
      selected,
      selectedLabel: label,
      availability24h,
      availability30d,
      covered24h: coveredPeriod(availability24h, nowTs, DAY, i18n),
      covered30d: coveredPeriod(
        {
          ...availability30d,
          // hourly buckets start on the hour: a device first polled today has its first minute
          firstTs:
            availability24h.firstTs !== null && availability24h.firstTs > nowTs - DAY + HOUR
              ? Math.max(availability30d.firstTs ?? 0, availability24h.firstTs)
              : availability30d.firstTs,
        },
        nowTs,
        30 * DAY,
        i18n
      ),
      firstSampleTs,
      recentPolls,
      chart24h,
      chart30d,
      uptime: formats.uptimeParts(device.state?.sysUptimeTicks ?? null),
      fmt: formats,
    }
  }
}

export default new DeviceDetailsService()
