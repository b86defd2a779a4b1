import { test } from '@japa/runner'
import {
  AlertTransitionError,
  availableActions,
  canTransition,
  transition,
} from '#network_monitoring/alerts/lifecycle'

test.group('Alert lifecycle table', () => {
  test('open → acknowledged → resolved → closed', ({ assert }) => {
    let state = transition('open', 'acknowledge')
    assert.equal(state, 'acknowledged')
    state = transition(state, 'resolve')
    assert.equal(state, 'resolved')
    assert.equal(transition(state, 'close'), 'closed')
  })

  test('a closed alert cannot be acknowledged, resolved or reopened', ({ assert }) => {
    assert.deepEqual(availableActions('closed'), [])
    assert.throws(() => transition('closed', 'acknowledge'), AlertTransitionError as any)
    assert.isFalse(canTransition('open', 'close'))
  })

  test('people never act on a suppressed alert; the system promotes or resolves it', ({
    assert,
  }) => {
    assert.deepEqual(availableActions('suppressed'), [])
    assert.equal(transition('suppressed', 'promote'), 'open')
    assert.equal(transition('suppressed', 'auto_resolve'), 'resolved')
    assert.deepEqual(availableActions('open'), ['acknowledge', 'resolve'])
    assert.deepEqual(availableActions('resolved'), ['close', 'reopen'])
  })
})
