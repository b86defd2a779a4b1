import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#core/audit/audit_event'
import Project from '#project_review/models/project'
import ScoreSheet from '#project_review/models/score_sheet'
import ReviewPanel from '#project_review/models/review_panel'
import panels from '#project_review/services/panels'
import sheets from '#project_review/services/sheets'
import decisions from '#project_review/services/decisions'
import { reviewActorOf } from '#project_review/services/actor'
import { DEFAULT_SCORE_TEMPLATE } from '#project_review/domain/aggregation'
import { assertNotIncludes } from '#tests/helpers/http'
import {
  acceptedProject,
  createExperts,
  formRows,
  reviewCast,
  sittingExperts,
  submitSheet,
  stateOf,
  assertStatus,
} from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'

const FULL_SCORES = {
  necessity: '18',
  feasibility: '22.5',
  budget: '20',
  security: '13',
  sharing: '12',
}

function scoreFields(scores: Record<string, string>) {
  return Object.fromEntries(Object.entries(scores).map(([key, value]) => [`scores[${key}]`, value]))
}

/** A project under review with 5 sitting experts; the first has opened their sheet. */
async function projectUnderReview() {
  const { applicant, reviewer } = await reviewCast()
  const project = await acceptedProject(applicant, reviewer)
  await createExperts(5)
  await panels.draw(
    project.id,
    { panelSize: 5, alternates: 0, specialties: [] },
    reviewActorOf(reviewer)
  )
  const seated = await sittingExperts(project.id)
  const first = seated[0]
  const sheet = await sheets.declareNoConflict(first.member.id, reviewActorOf(first.user))
  const full = await Project.query().where('id', project.id).preload('items').firstOrFail()
  return { applicant, reviewer, project: full, seated, first, sheet }
}

function sheetForm(
  project: Project,
  scores: Record<string, string> = FULL_SCORES,
  intent = 'submit'
): Record<string, string> {
  return {
    ...scoreFields(scores),
    opinion: '建设必要，硬件单价偏高。',
    intent,
    ...formRows(
      'items',
      project.items.map((item, index) => ({
        budgetItemId: item.id,
        quantity: String(item.quantity),
        unitPrice: index === 0 ? '4500' : String(item.unitPriceFen / 100),
        cutReason: index === 0 ? 'overpriced' : '',
      }))
    ),
  }
}

test.group('Score sheets (评审表)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('an expert declares no conflict, scores, recommends cuts, confirms the weighted total and submits; the sheet is then immutable', async ({
    client,
    assert,
  }) => {
    const { project, first, sheet } = await projectUnderReview()
    assert.equal(await stateOf(project.id), 'under_review')
    const confirmation = await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form(sheetForm(project))
      .withCsrfToken()
      .redirects(0)
    confirmation.assertStatus(200)
    confirmation.assertTextIncludes('确认提交评审表')
    confirmation.assertTextIncludes('<b id="confirm-total">85.50</b>')
    const previewed = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(previewed.status, 'draft', 'nothing is submitted before the confirmation')
    const response = await client
      .post(`/review/sheets/${sheet.id}/submit`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form({ version: String(previewed.version) })
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/review/tasks')
    const stored = await ScoreSheet.query().where('id', sheet.id).preload('items').firstOrFail()
    assert.equal(stored.status, 'submitted')
    // 18/20×20 + 22.5/25×25 + 20/25×25 + 13/15×15 + 12/15×15 = 85.5
    assert.equal(stored.total, 85.5)
    const line = stored.items.find((row) => row.budgetItemId === project.items[0].id)!
    assert.equal(line.amountFen, 10 * 450_000)
    assert.equal(line.cutReason, 'overpriced')

    const again = await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form(sheetForm(project, { ...FULL_SCORES, necessity: '20' }))
      .withCsrfToken()
    again.assertTextIncludes('评审表已提交，不能再次提交或修改。')
    const unchanged = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(unchanged.total, 85.5)
    assert.isNotNull(await AuditEvent.query().where('action', 'review.sheet.submit').first())
  })

  test('a score above the maximum or below zero is refused', async ({ client, assert }) => {
    const { project, first, sheet } = await projectUnderReview()
    const above = await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form(sheetForm(project, { ...FULL_SCORES, necessity: '21' }))
      .withCsrfToken()
    above.assertTextIncludes('“建设必要性”的得分须在 0 至 20 之间，当前为 21。')
    const below = await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form(sheetForm(project, { ...FULL_SCORES, budget: '-1' }))
      .withCsrfToken()
    below.assertTextIncludes('评分不能小于 0。')
    const stillDraft = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(stillDraft.status, 'draft')
  })

  test('every refusal of a sheet shows at once, each next to its field, and nothing is confirmed', async ({
    client,
    assert,
  }) => {
    const { project, first, sheet } = await projectUnderReview()
    const form = sheetForm(project, { ...FULL_SCORES, necessity: '21', sharing: '' })
    form['items[0][cutReason]'] = ''
    form.opinion = ''
    const response = await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form(form)
      .withCsrfToken()
    const expected = [
      '“建设必要性”的得分须在 0 至 20 之间，当前为 21。',
      '第 1 项建议金额低于申报金额，请选择核减理由。',
      '请填写评审意见。',
    ]
    for (const message of expected) {
      response.assertTextIncludes(`<p class="field-error">${message}</p>`)
    }
    const fieldErrors = response.text().match(/<p class="field-error">/g) ?? []
    assert.isAtLeast(fieldErrors.length, 4, 'the missing 资源共享 score is listed too')
    assertNotIncludes(response, '确认提交评审表')
    const stillDraft = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(stillDraft.status, 'draft')
  })

  test('a line recommended below the request needs a cut reason', async ({ client, assert }) => {
    const { project, first, sheet } = await projectUnderReview()
    const form = sheetForm(project)
    form['items[0][cutReason]'] = ''
    const response = await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form(form)
      .withCsrfToken()
    response.assertTextIncludes('第 1 项建议金额低于申报金额，请选择核减理由。')
    const stillDraft = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(stillDraft.status, 'draft')
  })

  test('a draft keeps partial scores and can be completed later', async ({ client, assert }) => {
    const { project, first, sheet } = await projectUnderReview()
    await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form(sheetForm(project, { necessity: '15' }, 'save'))
      .withCsrfToken()
    const draft = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(draft.status, 'draft')
    assert.deepEqual(draft.scores, { necessity: 15 })
    const page = await client.get(`/review/sheets/${sheet.id}`).loginAs(first.user)
    page.assertTextIncludes('value="15"')
  })

  test('an expert cannot open or score a project they are not on', async ({ client, assert }) => {
    const { project, sheet } = await projectUnderReview()
    const outsider = await createUser({ roles: ['expert'] })
    await createExperts(0)
    await assertStatus(client.get(`/review/sheets/${sheet.id}`).loginAs(outsider), 403)
    const put = await client
      .put(`/review/sheets/${sheet.id}`)
      .loginAs(outsider)
      .form(sheetForm(project))
      .withCsrfToken()
    put.assertStatus(403)
    const seated = await sittingExperts(project.id)
    const member = seated[1].member
    const declare = await client
      .post(`/review/members/${member.id}/declare`)
      .loginAs(outsider)
      .form({ noConflict: '1' })
      .withCsrfToken()
    declare.assertStatus(403)
    const stillDraft = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(stillDraft.status, 'draft')
  })

  test("experts never see each other's sheets until the reviewer closes the panel", async ({
    client,
  }) => {
    const { project, seated, reviewer, applicant } = await projectUnderReview()
    for (const [index, { member, user }] of seated.entries()) {
      await submitSheet(project.id, user, member.id, { percent: 0.6 + index * 0.08 })
    }
    const secondSheet = await ScoreSheet.query()
      .where('expert_id', seated[1].expert.id)
      .firstOrFail()
    await assertStatus(client.get(`/review/sheets/${secondSheet.id}`).loginAs(seated[0].user), 403)
    const before = await client.get(`/review/projects/${project.id}`).loginAs(seated[0].user)
    assertNotIncludes(before, 'id="sheets-table"')
    const reviewerBefore = await client.get(`/review/projects/${project.id}`).loginAs(reviewer)
    assertNotIncludes(reviewerBefore, 'id="sheets-table"')

    await decisions.closePanel(project.id, reviewActorOf(reviewer))
    const after = await client.get(`/review/projects/${project.id}`).loginAs(seated[0].user)
    after.assertTextIncludes('id="sheets-table"')
    after.assertTextIncludes(seated[1].expert.name)
    const applicantView = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    assertNotIncludes(applicantView, 'id="sheets-table"')
    assertNotIncludes(applicantView, seated[1].expert.name)
  })

  test('an opinion typed with script is shown escaped once the sheets are open', async ({
    client,
  }) => {
    const { project, seated, reviewer } = await projectUnderReview()
    for (const { member, user } of seated) await submitSheet(project.id, user, member.id)
    const sheet = await ScoreSheet.query().where('expert_id', seated[0].expert.id).firstOrFail()
    await db
      .from('score_sheets')
      .where('id', sheet.id)
      .update({ opinion: '<script>alert(1)</script>同意' })
    await decisions.closePanel(project.id, reviewActorOf(reviewer))
    const page = await client.get(`/review/projects/${project.id}`).loginAs(reviewer)
    assertNotIncludes(page, '<script>alert(1)</script>')
    page.assertTextIncludes('&lt;script&gt;alert(1)&lt;/script&gt;同意')
  })

  test('a reviewer may return a submitted sheet with a logged reason; the expert can then resubmit', async ({
    client,
    assert,
  }) => {
    const { project, first, reviewer } = await projectUnderReview()
    const submitted = await submitSheet(project.id, first.user, first.member.id)
    const response = await client
      .post(`/review/sheets/${submitted.id}/return`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ reason: '第 2 项核减理由与意见不一致，请核对' })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const returned = await ScoreSheet.findOrFail(submitted.id)
    assert.equal(returned.status, 'returned')
    assert.equal(returned.returnReason, '第 2 项核减理由与意见不一致，请核对')
    const event = await AuditEvent.query().where('action', 'review.sheet.return').firstOrFail()
    assert.include(event.details, '核减理由与意见不一致')
    const resubmitted = await submitSheet(project.id, first.user, first.member.id)
    assert.equal(resubmitted.status, 'submitted')
  })

  test('the panel cannot be closed while a sitting expert has not submitted', async ({
    client,
    assert,
  }) => {
    const { project, seated, reviewer } = await projectUnderReview()
    for (const { member, user } of seated.slice(0, 4))
      await submitSheet(project.id, user, member.id)
    const response = await client
      .post(`/review/projects/${project.id}/panel/close`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .withCsrfToken()
    response.assertTextIncludes('还有 1 位在席专家未提交评审表，不能关闭评审。')
    const panel = await ReviewPanel.findByOrFail('project_id', project.id)
    assert.equal(panel.status, 'open')
  })

  test('a reviewer cannot approve before the panel is closed', async ({ client, assert }) => {
    const { project, reviewer } = await projectUnderReview()
    const response = await client
      .post(`/review/projects/${project.id}/approve`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form(
        formRows(
          'items',
          project.items.map((item) => ({ budgetItemId: item.id, approved: '1' }))
        )
      )
      .withCsrfToken()
    response.assertTextIncludes('项目当前状态为“评审中”，不能执行“批复立项”。')
    assert.equal(await stateOf(project.id), 'under_review')
  })
})

test.group('Score sheets | concurrent submission', () => {
  test('the same sheet submitted twice at once: one wins, the other gets a clear error', async ({
    client,
    assert,
    cleanup,
  }) => {
    const { project, first, sheet, applicant, reviewer, seated } = await projectUnderReview()
    cleanup(async () => {
      await Project.query().where('id', project.id).delete()
      const expertIds = seated.map(({ expert }) => expert.id)
      await db.from('experts').whereIn('id', expertIds).delete()
      const userIds = [applicant.id, reviewer.id, ...seated.map(({ user }) => user.id)]
      await db.from('users').whereIn('id', userIds).delete()
    })
    const confirmation = await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form(sheetForm(project))
      .withCsrfToken()
    confirmation.assertTextIncludes('确认提交')
    const previewed = await ScoreSheet.findOrFail(sheet.id)
    const submitOnce = () =>
      client
        .post(`/review/sheets/${sheet.id}/submit`)
        .header('referer', `/review/sheets/${sheet.id}`)
        .loginAs(first.user)
        .form({ version: String(previewed.version) })
        .withCsrfToken()
        .redirects(0)
    const responses = await Promise.all([submitOnce(), submitOnce()])
    const winners = responses.filter((response) => response.header('location') === '/review/tasks')
    assert.lengthOf(winners, 1)
    const loser = responses.find((response) => response.header('location') !== '/review/tasks')!
    const followed = await client
      .get(loser.header('location') ?? `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
    followed.assertTextIncludes('评审表已提交')
    const stored = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(stored.status, 'submitted')
    assert.equal(stored.version, previewed.version + 1)
    assert.lengthOf(
      await AuditEvent.query()
        .where('action', 'review.sheet.submit')
        .where('target_id', String(project.id)),
      1
    )
  })

  test('the default score template weighs 100', ({ assert }) => {
    assert.equal(
      DEFAULT_SCORE_TEMPLATE.reduce((sum, criterion) => sum + criterion.weight, 0),
      100
    )
  })
})
