import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { instantOf } from '#network_monitoring/api/security_event_validator'

test.group('Push API | event time', () => {
  test('an ISO 8601 time with offset is the same instant luxon reads', ({ assert }) => {
    for (const text of [
      '2026-03-01T08:30:00+08:00',
      '2026-03-01T08:30+08:00',
      '2026-03-01T08:30:00.123456Z',
      '2024-02-29T23:59:59-05:30',
      '2026-12-31T23:59:59.9+14:00',
      '0099-01-01T00:00:00Z',
    ]) {
      assert.equal(instantOf(text), DateTime.fromISO(text, { setZone: true }).toMillis(), text)
    }
    assert.equal(instantOf('2026-03-01T08:30:00+0800'), Date.parse('2026-03-01T00:30:00Z'))
  })

  test('a date or time that does not exist is refused', ({ assert }) => {
    for (const text of [
      '2026-02-29T08:00:00Z',
      '2026-02-30T08:00:00+08:00',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T00:00:60Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00:00',
    ]) {
      assert.isNull(instantOf(text), text)
    }
  })
})
