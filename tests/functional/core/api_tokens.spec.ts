import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#core/audit/audit_event'
import ApiClient from '#core/api_tokens/api_client'
import apiTokens from '#core/api_tokens/api_token_service'
import { issueApiToken } from '#tests/helpers/api_tokens'
import { createUser } from '#tests/helpers/identity'

const bearer = (secret: string) => `Bearer ${secret}`

test.group('API tokens | access tokens with abilities', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a push-only token cannot read the review API; a read token cannot push', async ({
    client,
    assert,
  }) => {
    const push = await issueApiToken(['security-events:write'], { name: '态势感知平台' })
    const read = await issueApiToken(['review:read'], { name: '市大数据平台' })

    const refused = await client
      .get('/api/v1/stats/review')
      .header('authorization', bearer(push.secret))
    refused.assertStatus(403)
    assert.deepEqual(refused.body(), {
      error: '该接口令牌没有“读取项目评审数据（GET /api/v1/projects、/api/v1/stats/review）”权限。',
    })
    const denied = await AuditEvent.query().where('action', 'access.denied').firstOrFail()
    assert.equal(denied.actorName, 'api:态势感知平台')

    const allowed = await client
      .get('/api/v1/stats/review')
      .header('authorization', bearer(read.secret))
    allowed.assertStatus(200)

    const pushed = await client
      .post('/api/v1/security-events')
      .header('authorization', bearer(read.secret))
      .json({ events: [] })
    pushed.assertStatus(403)
  })

  test('an expired token is refused like a missing one', async ({ client }) => {
    const { secret, client: apiClient } = await issueApiToken(['review:read'], {
      expiresInDays: 30,
    })
    const ok = await client.get('/api/v1/projects').header('authorization', bearer(secret))
    ok.assertStatus(200)
    const past = new Date(Date.now() - 60_000)
    await db
      .from('api_access_tokens')
      .where('tokenable_id', apiClient.id)
      .update({ expires_at: past })
    const expired = await client.get('/api/v1/projects').header('authorization', bearer(secret))
    expired.assertStatus(401)
    expired.assertBody({ error: '缺少或无效的接口令牌。' })
  })

  test('issuing and revoking are audited; the list shows abilities and status, never the secret', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const created = await client
      .post('/admin/api-tokens')
      .header('referer', '/admin/api-tokens')
      .loginAs(admin)
      .form({ name: '态势感知平台', abilities: ['security-events:write'], expiresInDays: '365' })
      .withCsrfToken()
    created.assertStatus(200)
    const secret = /<code id="new-token-secret">(szt_[A-Za-z0-9_.-]+)<\/code>/.exec(
      created.text()
    )![1]
    const row = await ApiClient.findByOrFail('name', '态势感知平台')
    assert.deepEqual(row.abilities, ['security-events:write'])
    assert.equal(secret.slice(-4), row.hint)
    assert.isNotNull(row.expiresAt)
    const issued = await AuditEvent.query().where('action', 'api_token.create').firstOrFail()
    assert.equal(issued.targetId, row.id)
    assert.notInclude(JSON.stringify(issued.details), secret)

    const list = await client.get('/admin/api-tokens').loginAs(admin)
    list.assertTextIncludes('推送安全事件')
    list.assertTextIncludes('有效')
    assert.notInclude(list.text(), secret)

    await client
      .post(`/admin/api-tokens/${row.id}/revoke`)
      .header('referer', '/admin/api-tokens')
      .loginAs(admin)
      .withCsrfToken()
    await row.refresh()
    assert.isNotNull(row.revokedAt)
    assert.lengthOf(await db.from('api_access_tokens').where('tokenable_id', row.id), 0)
    const revoked = await AuditEvent.query().where('action', 'api_token.revoke').firstOrFail()
    assert.equal(revoked.targetId, row.id)
    const after = await client
      .post('/api/v1/security-events')
      .header('authorization', bearer(secret))
      .json({ events: [] })
    after.assertStatus(401)
  })

  test('the token list searches by name and exports CSV without secrets', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const push = await issueApiToken(['security-events:write'], { name: '态势感知平台推送' })
    await issueApiToken(['review:read'], { name: '大数据局统计读取' })

    const found = await client.get('/admin/api-tokens?q=态势').loginAs(admin)
    found.assertStatus(200)
    found.assertTextIncludes('态势感知平台推送')
    assert.notInclude(found.text(), '大数据局统计读取')

    const none = await client.get('/admin/api-tokens?q=nothing-like-this').loginAs(admin)
    none.assertTextIncludes('没有符合条件的令牌')

    const csv = await client.get('/admin/api-tokens?format=csv&q=态势').loginAs(admin)
    csv.assertHeader('content-type', 'text/csv; charset=utf-8')
    assert.include(csv.text(), '态势感知平台推送')
    assert.include(csv.text(), '推送安全事件')
    assert.notInclude(csv.text(), '大数据局统计读取')
    assert.notInclude(csv.text(), push.secret)
  })

  test('a token needs at least one ability', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const response = await client
      .post('/admin/api-tokens')
      .header('referer', '/admin/api-tokens')
      .loginAs(admin)
      .form({ name: '无权限' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    assert.isNull(await ApiClient.findBy('name', '无权限'))
  })

  test('a token issued before the upgrade is listed as invalid with the reason', async ({
    client,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    await ApiClient.create({
      name: '旧令牌',
      hint: 'abcd',
      abilities: ['review:read'],
      createdById: null,
      expiresAt: null,
      revokedAt: DateTime.utc(),
      note: 'invalidated_by_upgrade',
    })
    const list = await client.get('/admin/api-tokens').loginAs(admin)
    list.assertTextIncludes('已失效（系统升级更换了令牌格式，请重新签发）')
  })

  test('the token service refuses what is not a usable token', async ({ assert }) => {
    assert.isNull(await apiTokens.authenticate(undefined))
    assert.isNull(await apiTokens.authenticate('Bearer oat_abc'))
    assert.isNull(await apiTokens.authenticate(`Bearer szt_${'a'.repeat(300)}`))
    const { secret } = await issueApiToken(['review:read'])
    assert.isNotNull(await apiTokens.authenticate(bearer(secret)))
    assert.isNull(await apiTokens.authenticate(bearer(secret.slice(0, -1) + 'x')))
  })
})
