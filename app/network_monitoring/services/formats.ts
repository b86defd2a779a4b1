/** Number formatting of the monitoring screens (bit rates, percentages, uptime). */

const BPS_UNITS = ['bps', 'Kbps', 'Mbps', 'Gbps', 'Tbps']

/** 1234567 → "1.23 Mbps" (decimal prefixes, as link speeds are quoted). */
export function formatBps(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  let unit = 0
  let scaled = Math.abs(value)
  while (scaled >= 1000 && unit < BPS_UNITS.length - 1) {
    scaled /= 1000
    unit++
  }
  const digits = scaled >= 100 || unit === 0 ? 0 : scaled >= 10 ? 1 : 2
  return `${scaled.toFixed(digits)} ${BPS_UNITS[unit]}`
}

/** 0.99934 → "99.93%"; null → "—". */
export function formatPercent(ratio: number | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—'
  return `${(ratio * 100).toFixed(digits)}%`
}

/** sysUpTime (hundredths of a second) → { days, hours, minutes }. */
export function uptimeParts(ticks: number | null | undefined) {
  if (ticks === null || ticks === undefined) return null
  const minutesTotal = Math.floor(ticks / 6000)
  return {
    days: Math.floor(minutesTotal / 1440),
    hours: Math.floor((minutesTotal % 1440) / 60),
    minutes: minutesTotal % 60,
  }
}

/** Per-second error/discard rates with a sensible precision. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  if (value === 0) return '0'
  return value >= 10 ? value.toFixed(0) : value >= 0.1 ? value.toFixed(2) : value.toFixed(3)
}

export const formats = { formatBps, formatPercent, uptimeParts, formatRate }
