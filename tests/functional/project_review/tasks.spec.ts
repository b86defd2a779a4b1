import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import mail from '@adonisjs/mail/services/main'
import ReviewPanel from '#project_review/models/review_panel'
import PanelMember from '#project_review/models/panel_member'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDraft, createExperts, driveTo, reviewCast } from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'
import acceptance from '#project_review/services/acceptance'
import panels from '#project_review/services/panels'
import { reviewActorOf } from '#project_review/services/actor'
import { DEFAULT_ACCEPTANCE_CHECKLIST } from '#project_review/domain/forms'
import { ReviewError } from '#project_review/errors'

/** A project whose acceptance panel sits, and one of its experts with a login. */
async function acceptanceSeat() {
  const cast = await reviewCast()
  await createExperts(6, { email: true })
  const draft = await createDraft(cast.applicant, { title: '县档案馆数字档案室（验收任务）' })
  const project = await driveTo(draft.id, 'acceptance_review', cast.applicant, cast.reviewer)
  const panel = await ReviewPanel.query()
    .where('project_id', project.id)
    .where('purpose', 'acceptance')
    .firstOrFail()
  const seat = await PanelMember.query()
    .where('panel_id', panel.id)
    .where('status', 'invited')
    .preload('expert', (expert) => expert.preload('user', (user) => user.preload('roleRows')))
    .orderBy('draw_order')
    .firstOrFail()
  return { ...cast, project, seat, user: seat.expert.user }
}

test.group('评审任务 | review and acceptance seats', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('an acceptance seat is listed, marked 验收, and links to the checklist with its deadline', async ({
    client,
  }) => {
    const { project, user, seat } = await acceptanceSeat()
    const page = await client.get('/review/tasks').loginAs(user)
    page.assertStatus(200)
    page.assertTextIncludes(`data-project="${project.id}" data-kind="acceptance"`)
    page.assertTextIncludes('县档案馆数字档案室（验收任务）')
    page.assertTextIncludes(`href="/review/projects/${project.id}#check-form"`)
    page.assertTextIncludes('填写验收检查表')
    page.assertTextIncludes('待填写检查表')
    page.assertTextIncludes('前提交')
    // no score-sheet declaration for an acceptance seat
    assertNotIncludes(page, `/review/members/${seat.id}/declare`)

    const form = await client.get(`/review/projects/${project.id}`).loginAs(user)
    form.assertTextIncludes('id="check-form"')
    form.assertTextIncludes('竣工验收第 1 轮')
    form.assertTextIncludes('id="check-deadline"')
  })

  test('type filter, search, CSV and the empty states', async ({ client }) => {
    const { project, user } = await acceptanceSeat()
    const onlyAcceptance = await client.get('/review/tasks?kind=acceptance&q=').loginAs(user)
    onlyAcceptance.assertTextIncludes('data-kind="acceptance"')
    assertNotIncludes(onlyAcceptance, 'data-kind="review"')

    const search = await client
      .get(`/review/tasks?q=${encodeURIComponent('数字档案')}`)
      .loginAs(user)
    search.assertTextIncludes(`data-project="${project.id}"`)
    const miss = await client.get('/review/tasks?q=nothing-like-this').loginAs(user)
    miss.assertTextIncludes('id="tasks-empty"')
    miss.assertTextIncludes('没有符合条件的任务')

    const bogus = await client.get('/review/tasks?kind=bogus').loginAs(user)
    bogus.assertStatus(200)
    bogus.assertTextIncludes(`data-project="${project.id}"`)

    const csv = await client.get('/review/tasks?kind=acceptance&format=csv').loginAs(user)
    csv.assertStatus(200)
    csv.assertHeader('content-type', 'text/csv; charset=utf-8')
    csv.assertTextIncludes('项目编号,项目名称,申报单位,类型,项目状态,我的状态,邀请时间,提交期限')
    csv.assertTextIncludes('县档案馆数字档案室（验收任务）')
    csv.assertTextIncludes(',验收,验收评审,待填写检查表,')

    const idle = await createUser({ roles: ['expert'] })
    const none = await client.get('/review/tasks').loginAs(idle)
    none.assertTextIncludes('id="no-expert-record"')
  })

  test('a submitted checklist ends the choice to decline, on the page and on the server', async ({
    client,
    assert,
  }) => {
    const { project, user, seat } = await acceptanceSeat()
    await acceptance.saveCheck(
      project.id,
      {
        results: Object.fromEntries(
          DEFAULT_ACCEPTANCE_CHECKLIST.items.map((item) => [item.key, 'pass' as const])
        ),
        notes: {},
        opinion: '同意通过验收。',
      },
      reviewActorOf(user),
      true
    )
    const page = await client.get('/review/tasks').loginAs(user)
    page.assertTextIncludes('检查表已提交')
    page.assertTextIncludes('查看验收检查表')
    assertNotIncludes(page, `/review/members/${seat.id}/decline`)
    const refused = await panels
      .decline(seat.id, '临时有事', reviewActorOf(user))
      .then(() => null)
      .catch((error: unknown) => error)
    assert.instanceOf(refused, ReviewError)
    assert.equal((refused as ReviewError).i18nKey, 'review.panel.errors.decline_after_submit')
  })

  test('an expert with no seat is told there is nothing to do', async ({ client }) => {
    const [{ user }] = await createExperts(1)
    await user.load('roleRows')
    const page = await client.get('/review/tasks').loginAs(user)
    page.assertTextIncludes('id="tasks-empty"')
    page.assertTextIncludes('目前没有分配给您的评审或验收任务，无需操作。')
  })
})
