import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import Alert from '#network_monitoring/models/alert'
import { issueApiToken } from '#tests/helpers/api_tokens'

/**
 * Hostile bodies found by trying the push API as an attacker would: each gets a Chinese JSON
 * error (never a 500), nothing is stored, and none holds the server for long.
 */

const PATH = '/api/v1/security-events'

function event(eventId: string, time = new Date(Date.now() - 60_000).toISOString()) {
  return { eventId, time, source: '态势感知平台', type: 'Trojan', severity: 'high' }
}

async function alertCount() {
  const row = await Alert.query().count('* as n').firstOrFail()
  return Number(row.$extras.n)
}

test.group('Push API | hostile bodies', (group) => {
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('"events" that is not a list: 422 in Chinese, not a 500', async ({ client, assert }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    for (const events of ['abc', 5, { a: 1 }]) {
      const response = await client
        .post(PATH)
        .header('authorization', `Bearer ${secret}`)
        .json({ events })
      response.assertStatus(422)
      const errors = (response.body() as { errors: { field: string; message: string }[] }).errors
      assert.equal(errors[0].field, 'events')
      assert.include(errors[0].message, '事件数组')
    }
    assert.equal(await alertCount(), 0)
  })

  test('an empty body is 400 "请求体为空", not one empty event', async ({ client, assert }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .header('content-type', 'application/json')
    response.assertStatus(400)
    assert.include((response.body() as { error: string }).error, '请求体为空')
  })

  test('times before 2000 or with an offset beyond ±14:00 are refused by field', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({
        events: [
          event('old-1', '0001-01-01T00:00:00Z'),
          event('old-2', '1900-01-01T00:00:00+08:00'),
          event('off-1', '2026-11-29T10:00:00+99:99'),
          event('off-2', '2026-11-29T10:00:00+14:30'),
          event('ok-1', '2026-11-29T10:00:00+14:00'),
        ],
      })
    response.assertStatus(422)
    const errors = (response.body() as { errors: { field: string; message: string }[] }).errors
    const byField = Object.fromEntries(errors.map((e) => [e.field, e.message]))
    assert.include(byField['events.0.time'], '早于 2000 年')
    assert.include(byField['events.1.time'], '早于 2000 年')
    assert.include(byField['events.2.time'], '不是真实存在的日期时间')
    assert.include(byField['events.3.time'], '不是真实存在的日期时间')
    assert.notProperty(byField, 'events.4.time')
    assert.equal(await alertCount(), 0, 'all or nothing')
  })

  test('an event with 50,000 fields is refused at once, naming the event', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const crowded: Record<string, unknown> = event('crowd-1')
    for (let i = 0; i < 50_000; i++) crowded[`k${i}`] = i
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event('fine-1'), crowded] })
    response.assertStatus(422)
    const errors = (response.body() as { errors: { field: string; message: string }[] }).errors
    assert.lengthOf(errors, 1)
    assert.equal(errors[0].field, 'events.1')
    assert.include(errors[0].message, '最多 32 个字段')
    assert.equal(await alertCount(), 0)
  })
})
