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
  /** Points with no neighbour to draw a line to (else invisible), as dots. */
  dots: Array<{ className: string; cx: number; cy: number }>
  /** One hover band per point in time, titled with the time and every series' value. */
  columns: Array<{ x: number; width: number; title: string }>
  yTicks: Array<{ y: number; label: string }>
  xTicks: Array<{ x: number; label: string }>
  empty: boolean
  /** The first point with a value (epoch s), or null. */
  dataFromTs: number | null
  fromTs: number
  /** Data starting later than fromTs + this is worth a "data from …" note. */
  slackSeconds: number
}

const WIDTH = 760
const HEIGHT = 220
const PLOT = { left: 72, top: 12, right: WIDTH - 12, bottom: HEIGHT - 26 }

const round = (value: number) => Number(value.toFixed(1))

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
  /** Luxon format of a point's time in its hover title (default yyyy-MM-dd HH:mm). */
  pointFormat?: string
}): Chart {
  const { series, fromTs, toTs } = options
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => v !== null)
  const max = niceCeiling(Math.max(0, ...(values as number[])))
  const span = Math.max(1, toTs - fromTs)
  const x = (ts: number) => PLOT.left + ((ts - fromTs) / span) * (PLOT.right - PLOT.left)
  const y = (v: number) => PLOT.bottom - (v / max) * (PLOT.bottom - PLOT.top)

  const dots: Chart['dots'] = []
  const lines = series.map((s) => {
    let d = ''
    let previousTs: number | null = null
    let run: Array<[number, number]> = []
    const endRun = () => {
      if (run.length === 1) {
        dots.push({ className: s.className, cx: round(x(run[0][0])), cy: round(y(run[0][1])) })
      }
      run = []
    }
    for (const [ts, value] of s.points) {
      if (value === null || ts < fromTs || ts > toTs) {
        previousTs = null
        endRun()
        continue
      }
      const command = previousTs === null || ts - previousTs > options.gapSeconds ? 'M' : 'L'
      if (command === 'M') endRun()
      run.push([ts, value])
      d += `${command}${x(ts).toFixed(1)},${y(value).toFixed(1)}`
      previousTs = ts
    }
    endRun()
    return { className: s.className, label: s.label, d }
  })

  // hover: each point in time owns the band halfway to its neighbours
  const byTs = new Map<number, string[]>()
  for (const s of series) {
    for (const [ts, value] of s.points) {
      if (value === null || ts < fromTs || ts > toTs) continue
      byTs.set(ts, [...(byTs.get(ts) ?? []), `${s.label} ${formatBps(value)}`])
    }
  }
  const times = [...byTs.keys()].sort((a, b) => a - b)
  const columns = times.map((ts, i) => {
    const left = i === 0 ? PLOT.left : (x(times[i - 1]) + x(ts)) / 2
    const right = i === times.length - 1 ? PLOT.right : (x(ts) + x(times[i + 1])) / 2
    const time = DateTime.fromSeconds(ts, { zone: options.zone }).toFormat(
      options.pointFormat ?? 'yyyy-MM-dd HH:mm'
    )
    return {
      x: round(left),
      width: round(Math.max(1, right - left)),
      title: [time, ...byTs.get(ts)!].join(' · '),
    }
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
    dots,
    columns,
    yTicks,
    xTicks,
    empty: values.length === 0,
    dataFromTs: times[0] ?? null,
    fromTs,
    slackSeconds: options.gapSeconds,
  }
}
