import { test } from '@japa/runner'
import { assertNotIncludes } from '#tests/helpers/http'
import testUtils from '@adonisjs/core/services/test_utils'
import Project from '#project_review/models/project'
import ReviewPanel from '#project_review/models/review_panel'
import panels from '#project_review/services/panels'
import decisions from '#project_review/services/decisions'
import reviewSettings from '#project_review/services/review_settings'
import { reviewStats } from '#project_review/services/review_stats'
import { reviewActorOf } from '#project_review/services/actor'
import {
  createDraft,
  createExperts,
  formRows,
  reviewCast,
  sittingExperts,
  submitSheet,
  stateOf,
  assertStatus,
} from '#tests/helpers/review'
import proposals from '#project_review/services/proposals'
import precheck from '#project_review/services/precheck'
import { createUser } from '#tests/helpers/identity'
import type User from '#identity/models/user'

/** Line 1: 10 × 5,000.00; line 2: 1 × 200,000.00 — 250,000.00 yuan requested. */
const ITEMS = [
  { category: 'hardware' as const, name: '服务器', quantity: 10, unitPrice: 500_000 },
  { category: 'software' as const, name: '业务系统开发', quantity: 1, unitPrice: 20_000_000 },
]
/** Per expert: sheet percentage, recommended unit price of line 1 and of line 2 (fen). */
const EXPERTS = [
  { percent: 0.6, line1: 400_000, line2: 15_000_000 },
  { percent: 0.7, line1: 450_000, line2: 18_000_000 },
  { percent: 0.8, line1: 480_000, line2: 20_000_000 },
  { percent: 0.9, line1: 500_000, line2: 16_000_000 },
  { percent: 1.0, line1: 300_000, line2: 17_000_000 },
]

async function reviewedProject(applicant: User, reviewer: User) {
  const draft = await createDraft(applicant, { items: ITEMS })
  await proposals.submit(draft.id, reviewActorOf(applicant))
  await precheck.accept(draft.id, reviewActorOf(reviewer))
  await createExperts(5)
  await panels.draw(
    draft.id,
    { panelSize: 5, alternates: 0, specialties: [] },
    reviewActorOf(reviewer)
  )
  const seated = await sittingExperts(draft.id)
  for (const [index, { member, user }] of seated.entries()) {
    const plan = EXPERTS[index]
    await submitSheet(draft.id, user, member.id, {
      percent: plan.percent,
      lines: (item) => ({
        quantity: item.quantity,
        unitPrice: item.position === 1 ? plan.line1 : plan.line2,
        cutReason: 'overpriced',
      }),
    })
  }
  return Project.query().where('id', draft.id).preload('items').firstOrFail()
}

test.group('Aggregation and decision', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('closing the panel drops the highest and lowest score and takes the median per line', async ({
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await reviewedProject(applicant, reviewer)
    const aggregation = await decisions.closePanel(project.id, reviewActorOf(reviewer))
    // totals 60, 70, 80, 90, 100 → drop 100 and 60 → (70 + 80 + 90) / 3 = 80.00 → 通过
    assert.sameMembers(aggregation.totals, [60, 70, 80, 90, 100])
    assert.equal(aggregation.score, 80)
    assert.equal(aggregation.conclusion, 'pass')
    const closed = await Project.query().where('id', project.id).preload('items').firstOrFail()
    assert.equal(closed.state, 'reviewed')
    assert.equal(closed.finalScoreHundredths, 8000)
    // line 1: 40,000 45,000 48,000 50,000 30,000 → 45,000; line 2: 150k 180k 200k 160k 170k → 170,000
    assert.deepEqual(
      closed.items.map((item) => item.recommendedFen),
      [4_500_000, 17_000_000]
    )
    const panel = await ReviewPanel.findByOrFail('project_id', project.id)
    assert.equal(panel.status, 'closed')
    assert.isNotNull(panel.aggregation!.droppedHighestSheetId)
  })

  test('approving an amount that deviates from the recommendation needs a reason; the page shows the cut', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await reviewedProject(applicant, reviewer)
    await decisions.closePanel(project.id, reviewActorOf(reviewer))
    const lines = (second: Record<string, string>) =>
      formRows('items', [
        { budgetItemId: String(project.items[0].id), approved: '45000.00' },
        { budgetItemId: String(project.items[1].id), ...second },
      ])
    const refused = await client
      .post(`/review/projects/${project.id}/approve`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form(lines({ approved: '160,000' }))
      .withCsrfToken()
    refused.assertTextIncludes('第 2 项的批复金额与专家建议不同，请填写调整理由。')
    assert.equal(await stateOf(project.id), 'reviewed')

    const form = {
      ...lines({ approved: '160,000', reason: '接口开发工作量按 160 人日核定' }),
      comment: '同意立项',
    }
    const confirmation = await client
      .post(`/review/projects/${project.id}/approve`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form(form)
      .withCsrfToken()
      .redirects(0)
    confirmation.assertStatus(200)
    confirmation.assertTextIncludes('确认批复立项')
    confirmation.assertTextIncludes('<b id="confirm-approved">205,000.00</b>')
    confirmation.assertTextIncludes('<b id="confirm-cut-rate">18.00%</b>')
    assert.equal(await stateOf(project.id), 'reviewed', 'nothing is approved before confirming')

    const approved = await client
      .post(`/review/projects/${project.id}/approve`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ ...form, confirm: '1' })
      .withCsrfToken()
      .redirects(0)
    approved.assertStatus(302)
    const decided = await Project.findOrFail(project.id)
    assert.equal(decided.state, 'approved')
    // requested 250,000.00; approved 45,000 + 160,000 = 205,000.00; cut 45,000.00 = 18.00 %
    assert.equal(decided.approvedFen, 20_500_000)
    const page = await client.get(`/review/projects/${project.id}`).loginAs(reviewer)
    page.assertTextIncludes('<b id="approved-yuan">205,000.00</b>')
    page.assertTextIncludes('<b id="cut-yuan">45,000.00</b>')
    page.assertTextIncludes('<b id="cut-rate">18.00%</b>')
    page.assertTextIncludes('10.00%')
    page.assertTextIncludes('20.00%')
    page.assertTextIncludes('接口开发工作量按 160 人日核定')
  })

  test('返回修改 on the 批复 confirmation returns to the form with every typed amount, reason and comment', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await reviewedProject(applicant, reviewer)
    await decisions.closePanel(project.id, reviewActorOf(reviewer))
    const form = {
      ...formRows('items', [
        { budgetItemId: String(project.items[0].id), approved: '44000.00', reason: '按市场价核定' },
        {
          budgetItemId: String(project.items[1].id),
          approved: '160000.00',
          reason: '接口开发工作量按 160 人日核定',
        },
      ]),
      comment: '同意立项，请控制成本。',
    }
    const back = await client
      .post(`/review/projects/${project.id}/approve`)
      .header('referer', `/review/projects/${project.id}/approve`)
      .loginAs(reviewer)
      .form({ ...form, confirm: '1', back: '1' })
      .withCsrfToken()
      .redirects(0)
    back.assertStatus(302)
    back.assertHeader('location', `/review/projects/${project.id}#decision`)
    assert.equal(await stateOf(project.id), 'reviewed', '返回修改 decides nothing')

    const page = await client
      .post(`/review/projects/${project.id}/approve`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ ...form, confirm: '1', back: '1' })
      .withCsrfToken()
    page.assertStatus(200)
    page.assertTextIncludes('id="approve-form"')
    page.assertTextIncludes('name="items[0][approved]" value="44000.00"')
    page.assertTextIncludes('name="items[1][approved]" value="160000.00"')
    page.assertTextIncludes('value="按市场价核定"')
    page.assertTextIncludes('value="接口开发工作量按 160 人日核定"')
    page.assertTextIncludes('同意立项，请控制成本。</textarea>')
    assert.equal(await stateOf(project.id), 'reviewed')
  })

  test('批复 shows every line refusal at once next to its field, before any confirmation', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await reviewedProject(applicant, reviewer)
    await decisions.closePanel(project.id, reviewActorOf(reviewer))
    const response = await client
      .post(`/review/projects/${project.id}/approve`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form(
        formRows('items', [
          { budgetItemId: String(project.items[0].id), approved: '999999' },
          { budgetItemId: String(project.items[1].id), approved: '1' },
        ])
      )
      .withCsrfToken()
    response.assertTextIncludes('<p class="field-error">第 1 项的批复金额不能超过申报金额。</p>')
    response.assertTextIncludes(
      '<p class="field-error">第 2 项的批复金额与专家建议不同，请填写调整理由。</p>'
    )
    assertNotIncludes(response, '确认批复立项')
    assert.equal(await stateOf(project.id), 'reviewed')
  })

  test('an approved amount above the request is refused', async ({ assert }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await reviewedProject(applicant, reviewer)
    await decisions.closePanel(project.id, reviewActorOf(reviewer))
    await assert.rejects(
      () =>
        decisions.approve(
          project.id,
          [
            { budgetItemId: project.items[0].id, approved: 6_000_000, reason: '涨价' },
            { budgetItemId: project.items[1].id, approved: 17_000_000 },
          ],
          null,
          reviewActorOf(reviewer)
        ),
      /above_request/
    )
    assert.equal(await stateOf(project.id), 'reviewed')
  })

  test('declining needs a reason and counts the whole request as cut', async ({
    client,
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await reviewedProject(applicant, reviewer)
    await decisions.closePanel(project.id, reviewActorOf(reviewer))
    const missing = await client
      .post(`/review/projects/${project.id}/decline`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ reason: '' })
      .withCsrfToken()
    missing.assertTextIncludes('请填写理由')
    const confirmation = await client
      .post(`/review/projects/${project.id}/decline`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ reason: '与县公安局平台重复建设' })
      .withCsrfToken()
    confirmation.assertTextIncludes('确认不予立项')
    confirmation.assertTextIncludes('与县公安局平台重复建设')
    assert.equal(await stateOf(project.id), 'reviewed', 'nothing is declined before confirming')
    await client
      .post(`/review/projects/${project.id}/decline`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ reason: '与县公安局平台重复建设', confirm: '1' })
      .withCsrfToken()
    const declined = await Project.findOrFail(project.id)
    assert.equal(declined.state, 'declined')
    assert.equal(declined.approvedFen, 0)
    const stats = await reviewStats({ unitId: declined.unitId })
    assert.deepInclude(stats, {
      count: 1,
      requestedFen: 25_000_000,
      approvedFen: 0,
      cutFen: 25_000_000,
      cutRateBp: 10_000,
    })
  })

  test('the statistics of any filter are weighted by money, not averaged per project', async ({
    assert,
  }) => {
    const { unit, applicant, reviewer } = await reviewCast()
    const a = await reviewedProject(applicant, reviewer)
    await decisions.closePanel(a.id, reviewActorOf(reviewer))
    await decisions.approve(
      a.id,
      a.items.map((item) => ({ budgetItemId: item.id, approved: item.amountFen, reason: '全额' })),
      null,
      reviewActorOf(reviewer)
    )
    const b = await reviewedProject(applicant, reviewer)
    await decisions.closePanel(b.id, reviewActorOf(reviewer))
    await decisions.decline(b.id, '不予立项', reviewActorOf(reviewer))
    // 250,000 approved in full + 250,000 declined → 500,000 requested, 250,000 cut = 50.00 %
    const stats = await reviewStats({ unitId: unit.id, year: a.year })
    assert.deepInclude(stats, {
      count: 2,
      approvedCount: 1,
      declinedCount: 1,
      requestedFen: 50_000_000,
      approvedFen: 25_000_000,
      cutFen: 25_000_000,
      cutRateBp: 5_000,
    })
    const noService = await reviewStats({ unitId: unit.id, category: 'service' })
    assert.equal(noService.count, 0)
  })
})

test.group('Review settings', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a score template whose weights do not sum to 100 is refused', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const response = await client
      .put('/review/settings')
      .header('referer', '/review/settings')
      .loginAs(admin)
      .form({
        similarityThreshold: '0.3',
        passThreshold: '80',
        reviseThreshold: '60',
        ...formRows('criteria', [
          { key: 'necessity', label: '建设必要性', weight: '30', maxScore: '30' },
          { key: 'budget', label: '预算合理性', weight: '60', maxScore: '60' },
        ]),
      })
      .withCsrfToken()
    response.assertTextIncludes('评分项权重之和必须为 100，当前为 90。')
    const unchanged = await reviewSettings.get()
    assert.equal(unchanged.scoreTemplate.length, 5)
  })

  test('a new template and thresholds apply to panels drawn afterwards', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    await client
      .put('/review/settings')
      .header('referer', '/review/settings')
      .loginAs(admin)
      .form({
        similarityThreshold: '0.5',
        passThreshold: '85',
        reviseThreshold: '65',
        ...formRows('criteria', [
          { key: 'necessity', label: '建设必要性', weight: '40', maxScore: '10' },
          { key: 'budget', label: '预算合理性', weight: '60', maxScore: '10' },
        ]),
      })
      .withCsrfToken()
    const settings = await reviewSettings.get()
    assert.equal(settings.similarityThreshold, 0.5)
    assert.deepEqual(settings.thresholds, { pass: 85, revise: 65 })
    const { applicant, reviewer } = await reviewCast()
    const draft = await createDraft(applicant)
    await proposals.submit(draft.id, reviewActorOf(applicant))
    await precheck.accept(draft.id, reviewActorOf(reviewer))
    await createExperts(5)
    const panel = await panels.draw(
      draft.id,
      { panelSize: 5, alternates: 0, specialties: [] },
      reviewActorOf(reviewer)
    )
    assert.deepEqual(
      panel.criteria.map((criterion) => criterion.key),
      ['necessity', 'budget']
    )
  })

  test('only the sysadmin changes review settings', async ({ client }) => {
    const reviewer = await createUser({ roles: ['reviewer'] })
    await assertStatus(client.get('/review/settings').loginAs(reviewer), 403)
  })
})
