import { test } from '@japa/runner'
import { seatState } from '#project_review/domain/seats'

test.group('Seat states', () => {
  test('a seat shows where its expert really is', ({ assert }) => {
    const invited = { status: 'invited' as const, noConflictDeclaredAt: null }
    const declared = { status: 'invited' as const, noConflictDeclaredAt: new Date() }
    assert.equal(seatState(invited, null), 'invited')
    assert.equal(seatState(declared, { status: 'draft' }), 'declared')
    assert.equal(seatState(declared, { status: 'submitted' }), 'submitted')
    assert.equal(seatState(declared, { status: 'returned' }), 'returned')
    assert.equal(seatState({ status: 'declined' }, null), 'declined')
    assert.equal(seatState({ status: 'withdrawn' }, null), 'withdrawn')
    assert.equal(seatState({ status: 'standby' }, null), 'standby')
  })
})
