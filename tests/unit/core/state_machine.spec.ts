import { test } from '@japa/runner'
import { StateMachine } from '#core/state_machine'

class Refused extends Error {
  constructor(
    readonly key: string,
    readonly values: Record<string, string | number>
  ) {
    super(key)
  }
}

const door = new StateMachine<'shut' | 'open' | 'locked', 'open' | 'close' | 'lock'>(
  'door',
  {
    open: { from: ['shut'], to: 'open', role: 'guest' },
    close: { from: ['open'], to: 'shut' },
    lock: { from: ['shut'], to: 'locked', role: 'keeper', requires: 'reason' },
  },
  {
    dbTable: 'doors',
    errorPrefix: 'door.errors',
    refuse: (key, values) => new Refused(key, values),
  }
)

test.group('State machine | table', () => {
  test('a transition is allowed only from the states the table lists', ({ assert }) => {
    assert.isTrue(door.can('shut', 'open'))
    assert.isFalse(door.can('locked', 'open'))
    assert.equal(door.check('open', 'open', 'system'), 'illegal_state')
    assert.isNull(door.check('shut', 'open', ['guest']))
  })

  test('the role the table names is required, a rule without a role takes anyone', ({ assert }) => {
    assert.equal(door.check('shut', 'open', ['keeper']), 'wrong_role')
    assert.isNull(door.check('open', 'close', ['anyone']))
  })

  test('a transition that requires a reason refuses a blank one', ({ assert }) => {
    assert.equal(door.check('shut', 'lock', ['keeper'], { reason: '  ' }), 'reason_required')
    assert.isNull(door.check('shut', 'lock', ['keeper'], { reason: '夜间' }))
  })

  test('assert throws the module error with an i18n key under the prefix', ({ assert }) => {
    try {
      door.assert('locked', 'open', ['guest'])
      assert.fail('expected a refusal')
    } catch (error) {
      assert.instanceOf(error, Refused)
      assert.equal((error as Refused).key, 'door.errors.illegal_state')
      assert.deepEqual((error as Refused).values, { action: 'open', state: 'locked' })
    }
  })

  test('available lists what the roles may do from a state', ({ assert }) => {
    assert.deepEqual(door.available('shut', ['keeper']), ['lock'])
    assert.deepEqual(door.available('shut', ['guest']), ['open'])
    assert.equal(door.target('lock'), 'locked')
  })
})
