import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import proposals from '#project_review/services/proposals'
import decisions from '#project_review/services/decisions'
import { reviewActorOf } from '#project_review/services/actor'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDraft, reviewCast, reviewedProject, assertStatus } from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'

test.group('Reviewer workbench', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('filters by state, year, unit and category, searches titles and paginates', async ({
    client,
  }) => {
    const { unit, applicant, reviewer } = await reviewCast()
    for (let i = 1; i <= 22; i++) {
      const draft = await createDraft(applicant, {
        title: `批量项目${String(i).padStart(2, '0')}`,
        category: i % 2 ? 'new' : 'operation',
        year: i <= 20 ? 2026 : 2025,
      })
      await proposals.submit(draft.id, reviewActorOf(applicant))
    }
    const other = await reviewCast()
    const foreign = await createDraft(other.applicant, { title: '外单位项目' })
    await proposals.submit(foreign.id, reviewActorOf(other.applicant))

    const first = await client.get('/review/projects').loginAs(reviewer)
    first.assertTextIncludes('第 1 / 2 页，共 23 条')
    const second = await client.get('/review/projects?page=2').loginAs(reviewer)
    second.assertTextIncludes('第 2 / 2 页')

    const byUnit = await client
      .get(`/review/projects?unitId=${unit.id}&year=2025`)
      .loginAs(reviewer)
    byUnit.assertTextIncludes('批量项目21')
    byUnit.assertTextIncludes('批量项目22')
    assertNotIncludes(byUnit, '批量项目01')
    assertNotIncludes(byUnit, '外单位项目')

    const byCategory = await client
      .get('/review/projects?category=operation&q=批量项目1')
      .loginAs(reviewer)
    byCategory.assertTextIncludes('批量项目10')
    assertNotIncludes(byCategory, '批量项目11')

    const byState = await client.get('/review/projects?state=approved').loginAs(reviewer)
    byState.assertTextIncludes('没有符合条件的项目')
  })

  test('CSV export follows the filters and carries the cut figures', async ({ client, assert }) => {
    const { unit, applicant, reviewer } = await reviewCast()
    const project = await reviewedProject(applicant, reviewer)
    await decisions.approve(
      project.id,
      project.items.map((item, index) => ({
        budgetItemId: item.id,
        approved: index === 0 ? 3_000_000 : item.recommendedFen!,
        reason: index === 0 ? '摄像机数量核减为 6 台' : null,
      })),
      null,
      reviewActorOf(reviewer)
    )
    const response = await client
      .get(`/review/projects?unitId=${unit.id}&format=csv`)
      .loginAs(reviewer)
    response.assertHeader('content-type', 'text/csv; charset=utf-8')
    const [header, row] = response
      .text()
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    assert.include(header, '核减率')
    // 10 × 5,000 + 200,000 = 250,000 requested; 30,000 + 200,000 approved → cut 20,000 = 8.00 %
    assert.include(row, '"250,000.00"')
    assert.include(row, '"230,000.00"')
    assert.include(row, '"20,000.00"')
    assert.include(row, '8.00%')
    assert.include(row, '已批复')

    const page = await client.get(`/review/projects?unitId=${unit.id}`).loginAs(reviewer)
    page.assertTextIncludes('<b id="stats-count">1</b>')
    page.assertTextIncludes('<b id="stats-requested">25.00</b>')
    page.assertTextIncludes('<b id="stats-approved">23.00</b>')
    page.assertTextIncludes('<b id="stats-rate">8.00%</b>')
  })

  test("an applicant's export holds only their unit's projects", async ({ client, assert }) => {
    const { applicant } = await reviewCast()
    await createDraft(applicant, { title: '本单位项目' })
    const other = await reviewCast()
    await createDraft(other.applicant, { title: '别的单位项目' })
    const csv = await client.get('/review/projects?format=csv').loginAs(applicant)
    assert.include(csv.text(), '本单位项目')
    assert.notInclude(csv.text(), '别的单位项目')
  })

  test('auditors and netadmins have no project list', async ({ client }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    await assertStatus(client.get('/review/projects').loginAs(auditor), 403)
  })
})
