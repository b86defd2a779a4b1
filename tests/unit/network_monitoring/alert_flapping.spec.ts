import { test } from '@japa/runner'
import {
  DEFAULT_FLAP_SETTINGS as S,
  emptyHistory,
  nextFlapping,
  observe,
  percentStateChange,
  settle,
  type ConditionHistory,
} from '#network_monitoring/alerts/flapping'

const MIN = 60_000

/** Feeds problem/OK observations one minute apart; returns the history after each. */
function run(sequence: string, start = 0, history: ConditionHistory = emptyHistory()) {
  const states: boolean[] = []
  let h = history
  ;[...sequence].forEach((c, i) => {
    h = observe(h, c === 'P', start + i * MIN, S).history
    states.push(h.isFlapping)
  })
  return { history: h, states }
}

test.group('Flap damping (percent state change with hysteresis)', () => {
  test('a steady problem or a single outage never flaps', ({ assert }) => {
    assert.notInclude(run('PPPPPPPPPPPPPPPPPPPP').states, true)
    assert.notInclude(run('PPPPPOOOOOOOOOOOOOOO').states, true)
  })

  test('down/up every minute starts flapping once the share of changes reaches the high mark', ({
    assert,
  }) => {
    const { states } = run('POPOPOPOPO')
    const first = states.indexOf(true)
    assert.isAbove(first, 2)
    assert.isBelow(first, 8)
    assert.isTrue(states.slice(first).every(Boolean), 'stays flapping while it keeps changing')
  })

  test('hysteresis: it stops only when the share falls to the low mark, not just below high', ({
    assert,
  }) => {
    const flapping = run('POPOPOPOPO').history
    assert.isTrue(flapping.isFlapping)
    // Quiet afterwards: find the first minute the percent is under `high` — still flapping.
    let minute = 10
    while (settle(flapping, minute * MIN, S).percent >= S.high) minute++
    const soon = settle(flapping, minute * MIN, S)
    assert.isAbove(soon.percent, S.low)
    assert.isTrue(soon.history.isFlapping)
    // Once the window has moved past most changes, it stops.
    const later = settle(flapping, 30 * MIN, S)
    assert.isAtMost(later.percent, S.low)
    assert.isFalse(later.history.isFlapping)
    assert.isTrue(later.stoppedFlapping)
  })

  test('newer changes weigh more than older ones', ({ assert }) => {
    const now = 20 * MIN
    const recent = percentStateChange([now - MIN], now, S)
    const old = percentStateChange([now - 19 * MIN], now, S)
    assert.isAbove(recent, old)
    assert.equal(percentStateChange([], now, S), 0)
  })

  test('the thresholds are a band: between them the previous verdict stands', ({ assert }) => {
    assert.isFalse(nextFlapping(false, 20, S))
    assert.isTrue(nextFlapping(true, 20, S))
    assert.isTrue(nextFlapping(false, 30, S))
    assert.isFalse(nextFlapping(true, 15, S))
  })

  test('a clock that jumps back never reorders the history', ({ assert }) => {
    let h = observe(emptyHistory(), true, 10 * MIN, S).history
    h = observe(h, false, 5 * MIN, S).history
    assert.deepEqual(h.changes, [10 * MIN, 10 * MIN])
  })
})
