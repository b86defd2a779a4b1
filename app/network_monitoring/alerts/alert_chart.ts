import type { AlertDashboard } from '#network_monitoring/alerts/alert_queries'
import { CATEGORY_CODES } from '#network_monitoring/alerts/classification'

export interface BarChart {
  width: number
  height: number
  plot: { left: number; top: number; right: number; bottom: number }
  bars: Array<{
    x: number
    y: number
    width: number
    height: number
    className: string
    title: string
  }>
  yTicks: Array<{ y: number; label: string }>
  xTicks: Array<{ x: number; label: string }>
  legend: Array<{ className: string; label: string; total: number }>
  empty: boolean
}

const WIDTH = 760
const HEIGHT = 240
const PLOT = { left: 40, top: 12, right: WIDTH - 12, bottom: HEIGHT - 26 }

function niceCeiling(value: number) {
  if (value <= 1) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}

/**
 * Alerts per day stacked by GB/T 20986 category, as SVG geometry for the dashboard (pure:
 * the view draws the rects). Categories keep the standard's order and colour class.
 */
export function categoryChart(stats: AlertDashboard, label: (code: string) => string): BarChart {
  const codes = CATEGORY_CODES.filter((code) => stats.byCategory[code])
  const n = stats.days.length
  const totals = stats.days.map((_, i) => codes.reduce((s, c) => s + stats.byCategory[c][i], 0))
  const max = niceCeiling(Math.max(0, ...totals))
  const slot = (PLOT.right - PLOT.left) / Math.max(1, n)
  const barWidth = Math.max(2, slot * 0.7)
  const scale = (PLOT.bottom - PLOT.top) / max
  const bars: BarChart['bars'] = []
  stats.days.forEach((day, i) => {
    let y = PLOT.bottom
    for (const code of codes) {
      const value = stats.byCategory[code][i]
      if (!value) continue
      const h = value * scale
      y -= h
      bars.push({
        x: Number((PLOT.left + i * slot + (slot - barWidth) / 2).toFixed(1)),
        y: Number(y.toFixed(1)),
        width: Number(barWidth.toFixed(1)),
        height: Number(h.toFixed(1)),
        className: `al-cat-${code}`,
        title: `${day} ${label(code)}：${value}`,
      })
    }
  })
  const yTicks = [0, 0.5, 1].map((f) => ({
    y: Number((PLOT.bottom - f * max * scale).toFixed(1)),
    label: String(Math.round(f * max)),
  }))
  const xTicks = stats.days
    .map((day, i) => ({ day, i }))
    .filter(({ i }) => i % 5 === 0 || i === n - 1)
    .map(({ day, i }) => ({
      x: Number((PLOT.left + i * slot + slot / 2).toFixed(1)),
      label: day.slice(5),
    }))
  return {
    width: WIDTH,
    height: HEIGHT,
    plot: PLOT,
    bars,
    yTicks,
    xTicks,
    legend: codes.map((code) => ({
      className: `al-cat-${code}`,
      label: label(code),
      total: stats.totalsByCategory[code] ?? 0,
    })),
    empty: bars.length === 0,
  }
}
