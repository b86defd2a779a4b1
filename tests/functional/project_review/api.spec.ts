import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#core/audit/audit_event'
import ApiClient from '#core/api_tokens/api_client'
import apiTokens from '#core/api_tokens/api_token_service'
import decisions from '#project_review/services/decisions'
import { reviewActorOf } from '#project_review/services/actor'
import { createDraft, reviewCast, reviewedProject, assertStatus } from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'
import { issueApiToken } from '#tests/helpers/api_tokens'

async function approvedProject() {
  const cast = await reviewCast()
  const project = await reviewedProject(cast.applicant, cast.reviewer)
  await decisions.approve(
    project.id,
    project.items.map((item, index) => ({
      budgetItemId: item.id,
      approved: index === 0 ? 3_000_000 : item.recommendedFen!,
      reason: index === 0 ? '核减为 6 台' : null,
    })),
    null,
    reviewActorOf(cast.reviewer)
  )
  return { ...cast, project }
}

async function token() {
  const { secret } = await issueApiToken(['review:read'])
  return secret
}

test.group('Review API (token, read-only JSON)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the sysadmin creates a token that is shown once and stored only as a hash', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const created = await client
      .post('/admin/api-tokens')
      .header('referer', '/admin/api-tokens')
      .loginAs(admin)
      .form({ name: '市大数据平台', abilities: ['review:read'] })
      .withCsrfToken()
    const secret = /<code id="new-token-secret">(szt_[A-Za-z0-9_.-]+)<\/code>/.exec(
      created.text()
    )?.[1]
    assert.isString(secret)
    const stored = await ApiClient.findByOrFail('name', '市大数据平台')
    const rows = await db.from('api_access_tokens').where('tokenable_id', stored.id)
    assert.lengthOf(rows, 1)
    assert.notInclude(JSON.stringify(rows), secret!.slice(-20))
    assert.notInclude(JSON.stringify(await AuditEvent.query()), secret!)
    const again = await client.get('/admin/api-tokens').loginAs(admin)
    assert.notInclude(again.text(), secret!)
    const api = await client.get('/api/v1/projects').header('authorization', `Bearer ${secret}`)
    api.assertStatus(200)
  })

  test('only the sysadmin manages tokens', async ({ client }) => {
    const reviewer = await createUser({ roles: ['reviewer'] })
    await assertStatus(client.get('/admin/api-tokens').loginAs(reviewer), 403)
  })

  test('requests without a valid token are refused', async ({ client }) => {
    await assertStatus(client.get('/api/v1/projects'), 401)
    await assertStatus(
      client.get('/api/v1/projects').header('authorization', 'Bearer szt_wrong'),
      401
    )
    const secret = await token()
    const row = await ApiClient.firstOrFail()
    await apiTokens.revoke(row, { actorId: null, actorName: null, ip: null })
    await assertStatus(
      client.get('/api/v1/projects').header('authorization', `Bearer ${secret}`),
      401
    )
  })

  test('GET /api/v1/projects lists projects with filters and never drafts', async ({
    client,
    assert,
  }) => {
    const { project, unit, applicant } = await approvedProject()
    await createDraft(applicant, { title: '草稿不外传' })
    const secret = await token()
    const response = await client
      .get(`/api/v1/projects?unitId=${unit.id}`)
      .header('authorization', `Bearer ${secret}`)
    response.assertStatus(200)
    const body = response.body()
    assert.lengthOf(body.data, 1)
    assert.deepInclude(body.data[0], {
      id: project.id,
      state: 'approved',
      requestedFen: 25_000_000,
      approvedFen: 23_000_000,
      cutFen: 2_000_000,
      cutRateBp: 800,
    })
    assert.equal(body.meta.total, 1)
    const none = await client
      .get(`/api/v1/projects?unitId=${unit.id}&state=draft`)
      .header('authorization', `Bearer ${secret}`)
    assert.lengthOf(none.body().data, 0)
  })

  test('GET /api/v1/projects/:id gives line items with requested, approved and cut', async ({
    client,
    assert,
  }) => {
    const { project } = await approvedProject()
    const secret = await token()
    const response = await client
      .get(`/api/v1/projects/${project.id}`)
      .header('authorization', `Bearer ${secret}`)
    const { data } = response.body()
    assert.lengthOf(data.items, 2)
    assert.deepInclude(data.items[0], {
      quantity: 10,
      unitPriceFen: 500_000,
      requestedFen: 5_000_000,
      approvedFen: 3_000_000,
      cutFen: 2_000_000,
      cutRateBp: 4_000,
      approvalReason: '核减为 6 台',
    })
    assert.deepInclude(data.items[1], { requestedFen: 20_000_000, cutFen: 0, cutRateBp: 0 })
  })

  test('GET /api/v1/stats/review gives the annual figures', async ({ client, assert }) => {
    const { project } = await approvedProject()
    const secret = await token()
    const response = await client
      .get(`/api/v1/stats/review?year=${project.year}&unitId=${project.unitId}`)
      .header('authorization', `Bearer ${secret}`)
    assert.deepInclude(response.body().data, {
      count: 1,
      requestedFen: 25_000_000,
      approvedFen: 23_000_000,
      cutFen: 2_000_000,
      cutRateBp: 800,
    })
    // approved, not yet built: nothing accepted in the unit's year
    assert.deepEqual(response.body().data.acceptance, {
      accepted: 0,
      amountFen: 0,
      rectifications: 0,
      evaluated: 0,
    })
  })

  test('a draft is not found through the API', async ({ client }) => {
    const { applicant } = await reviewCast()
    const draft = await createDraft(applicant)
    const secret = await token()
    await assertStatus(
      client.get(`/api/v1/projects/${draft.id}`).header('authorization', `Bearer ${secret}`),
      404
    )
  })
})
