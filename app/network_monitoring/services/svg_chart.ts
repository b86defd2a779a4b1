import { DateTime } from 'luxon'
import { formatBps } from '#network_monitoring/services/formats'

export interface Series {
  /** CSS class of the line (colour comes from monitoring.css). */
  className: string
  label: string
  /** [epoch seconds, value or null for a gap], in time order. */
  points: Array<[number, number | null]>
}

export interface Chart {
  width: number
  height: number
  plot: { left: number; top: number; right: number; bottom: number }
  lines: Array<{ className: string; label: string; d: string }>
  yTicks: Array<{ y: number; label: string }>
  xTicks: Array<{ x: number; label: string }>
  empty: boolean
}

const WIDTH = 760
const HEIGHT = 220
const PLOT = { left: 72, top: 12, right: WIDTH - 12, bottom: HEIGHT - 26 }

/** The smallest 1/2/5 × 10ⁿ at or above value. */
function niceCeiling(value: number) {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}

/**
 * Geometry of a time-series line chart, server-side (inline SVG: no
 * script, nothing for the CSP to refuse). A gap longer than `gapSeconds`
 * breaks the line instead of drawing a false slope.
 */
export function lineChart(options: {
  series: Series[]
  fromTs: number
  toTs: number
  gapSeconds: number
  zone: string
  tickEverySeconds: number
  tickFormat: string
}): Chart {
  const { series, fromTs, toTs } = options
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => v !== null)
  const max = niceCeiling(Math.max(0, ...(values as number[])))
  const span = Math.max(1, toTs - fromTs)
  const x = (ts: number) => PLOT.left + ((ts - fromTs) / span) * (PLOT.right - PLOT.left)
  const y = (v: number) => PLOT.bottom - (v / max) * (PLOT.bottom - PLOT.top)

  const lines = series.map((s) => {
    let d = ''
    let previousTs: number | null = null
    for (const [ts, value] of s.points) {
      if (value === null || ts < fromTs || ts > toTs) {
        previousTs = null
        continue
      }
      const command = previousTs === null || ts - previousTs > options.gapSeconds ? 'M' : 'L'
      d += `${command}${x(ts).toFixed(1)},${y(value).toFixed(1)}`
      previousTs = ts
    }
    return { className: s.className, label: s.label, d }
  })

  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({
    y: Number(y(max * f).toFixed(1)),
    label: formatBps(max * f),
  }))
  const xTicks: Chart['xTicks'] = []
  const first = DateTime.fromSeconds(fromTs, { zone: options.zone })
  const every = options.tickEverySeconds
  // ticks on round local times (whole hours / midnights)
  const offset = first.offset * 60
  let tick = Math.ceil((fromTs + offset) / every) * every - offset
  for (; tick <= toTs; tick += every) {
    xTicks.push({
      x: Number(x(tick).toFixed(1)),
      label: DateTime.fromSeconds(tick, { zone: options.zone }).toFormat(options.tickFormat),
    })
  }
  return {
    width: WIDTH,
    height: HEIGHT,
    plot: PLOT,
    lines,
    yTicks,
    xTicks,
    empty: values.length === 0,
  }
}
