import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { lineChart } from '#network_monitoring/services/svg_chart'
import { displayStatus } from '#network_monitoring/services/device_status'

const H = Date.UTC(2026, 2, 1, 0, 0) / 1000

function chart(points: Array<[number, number | null]>) {
  return lineChart({
    series: [{ className: 'mon-line-in', label: '入', points }],
    fromTs: H,
    toTs: H + 6 * 3600,
    gapSeconds: 3600,
    zone: 'Asia/Shanghai',
    tickEverySeconds: 3600,
    tickFormat: 'HH:mm',
    pointFormat: 'MM-dd HH:mm',
  })
}

test.group('SVG line chart', () => {
  test('a lone point is drawn as a dot, joined points as a line', ({ assert }) => {
    const lone = chart([[H + 3 * 3600, 1_000_000]])
    assert.lengthOf(lone.dots, 1)
    assert.isFalse(lone.empty)
    const joined = chart([
      [H + 3600, 1_000_000],
      [H + 7200, 2_000_000],
      [H + 5 * 3600, 3_000_000],
    ])
    assert.match(joined.lines[0].d, /^M[\d.]+,[\d.]+L[\d.]+,[\d.]+M/)
    // the third point is alone after a gap longer than gapSeconds
    assert.lengthOf(joined.dots, 1)
  })

  test('every point in time has a hover band titled with its Beijing time and value', ({
    assert,
  }) => {
    const result = chart([
      [H + 3600, 13_400_000],
      [H + 7200, null],
      [H + 3 * 3600, 2_000_000],
    ])
    assert.deepEqual(
      result.columns.map((column) => column.title),
      ['03-01 09:00 · 入 13.4 Mbps', '03-01 11:00 · 入 2.00 Mbps']
    )
    assert.equal(result.columns[0].x, result.plot.left)
    assert.closeTo(result.columns[0].x + result.columns[0].width, result.columns[1].x, 0.2)
    assert.equal(result.dataFromTs, H + 3600)
  })

  test('no value at all is an empty chart', ({ assert }) => {
    const result = chart([[H + 3600, null]])
    assert.isTrue(result.empty)
    assert.isNull(result.dataFromTs)
    assert.lengthOf(result.columns, 0)
  })
})

test.group('Display status', () => {
  const now = DateTime.fromSeconds(H, { zone: 'utc' })
  const base = {
    isEnabled: true,
    pollingSupported: true,
    pollIntervalSeconds: 60,
    lastPollAt: now.minus({ seconds: 30 }),
  }

  test('a device inside a maintenance window is neither up nor down', ({ assert }) => {
    assert.equal(
      displayStatus({ ...base, status: 'down', inMaintenance: true }, now),
      'maintenance'
    )
    assert.equal(displayStatus({ ...base, status: 'up', inMaintenance: true }, now), 'maintenance')
    assert.equal(displayStatus({ ...base, status: 'down' }, now), 'down')
    assert.equal(
      displayStatus({ ...base, status: 'down', inMaintenance: true, isEnabled: false }, now),
      'disabled'
    )
  })
})
