import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import Alert from '#network_monitoring/models/alert'
import { issueApiToken } from '#tests/helpers/api_tokens'

/**
 * Issue #11 bad input: an expired push token is refused on POST /api/v1/security-events
 * itself (401, Chinese JSON), and nothing reaches the alert store.
 */

const PATH = '/api/v1/security-events'

function event(eventId: string) {
  return {
    eventId,
    time: new Date(Date.now() - 60_000).toISOString(),
    source: '态势感知平台',
    type: 'Trojan',
    severity: 'high',
    srcIp: '203.0.113.77',
    dstIp: '10.20.1.5',
    description: '检测到木马回连',
  }
}

async function alertCount() {
  const row = await Alert.query().count('* as n').firstOrFail()
  return Number(row.$extras.n)
}

test.group('Push API | expired token', (group) => {
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a push token past its expiry gets 401 and stores nothing; before, the same token pushed', async ({
    client,
    assert,
  }) => {
    const { secret, client: apiClient } = await issueApiToken(['security-events:write'], {
      expiresInDays: 30,
    })
    const before = await alertCount()
    const pushed = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event('exp-1')] })
    pushed.assertStatus(200)
    assert.equal(await alertCount(), before + 1)

    await db
      .from('api_access_tokens')
      .where('tokenable_id', apiClient.id)
      .update({ expires_at: new Date(Date.now() - 60_000) })
    const refused = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event('exp-2')] })
    refused.assertStatus(401)
    refused.assertBody({ error: '缺少或无效的接口令牌。' })
    refused.assertHeader('www-authenticate', 'Bearer')
    assert.equal(await alertCount(), before + 1, 'nothing stored')
  })
})
