import { test } from '@japa/runner'
import { categoryChart } from '#network_monitoring/alerts/alert_chart'
import type { AlertDashboard } from '#network_monitoring/alerts/alert_queries'

function stats(byCategory: Record<string, number[]>): AlertDashboard {
  return {
    openByGrade: { 1: 0, 2: 0, 3: 0, 4: 0 },
    openTotal: 0,
    days: ['2026-11-01', '2026-11-02', '2026-11-03'],
    byCategory,
    totalsByCategory: Object.fromEntries(
      Object.entries(byCategory).map(([code, values]) => [code, values.reduce((a, b) => a + b, 0)])
    ),
    mttaMinutes: null,
    mttrMinutes: null,
    acknowledged: 0,
    resolved: 0,
  }
}

test.group('Alert dashboard chart', () => {
  test('bars stack per day in the standard’s category order, tallest day at the top', ({
    assert,
  }) => {
    const chart = categoryChart(
      stats({ facility_fault: [0, 2, 1], malware: [5, 2, 0] }),
      (code) => code
    )
    assert.isFalse(chart.empty)
    assert.deepEqual(
      chart.legend.map((l) => [l.label, l.total]),
      [
        ['malware', 7],
        ['facility_fault', 3],
      ]
    )
    assert.lengthOf(chart.bars, 4)
    const dayTwo = chart.bars.filter((b) => b.title.startsWith('2026-11-02'))
    assert.lengthOf(dayTwo, 2)
    // Malware (first in the standard) sits at the bottom; the stack reaches the top of the plot.
    assert.isAbove(dayTwo[0].y, dayTwo[1].y)
    const first = chart.bars.find((b) => b.title.startsWith('2026-11-01'))!
    assert.equal(first.y, chart.plot.top)
  })

  test('no events: an empty chart', ({ assert }) => {
    assert.isTrue(categoryChart(stats({}), (c) => c).empty)
  })
})
