import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Project from '#project_review/models/project'
import User from '#identity/models/user'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { PROJECT_STATES } from '#project_review/lifecycle'
import { seedIdentity } from '#database/seeders/demo/identity'
import { seedReview } from '#database/seeders/demo/review'
import { annualStatistics, renderAnnualStatistics } from '#project_review/reports/annual_statistics'
import todo from '#project_review/services/todo'
import { issueApiToken } from '#tests/helpers/api_tokens'
import { pdfCompactText } from '#tests/helpers/pdf'
import { formatWanYuan } from '#core/money'

test.group('Demo data (demo:seed)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the demo year has the seeds’ shape — 14 reviewed for about 1 亿元 with a 25.10 % cut, 17 accepted for about 4,300 万元 — in the 年度统计, the API and the 工作台 alike, and is safe to run again', async ({
    assert,
    client,
  }) => {
    await seedIdentity()
    const stats = await seedReview()
    assert.isNotNull(stats)
    const projects = await Project.query().select('state')
    const states = new Set(projects.map((project) => project.state))
    assert.sameMembers([...states], [...PROJECT_STATES])

    // "今年组织专家审核论证信息化项目14个，审核项目总金额约1亿元 … 项目预算核减率25.10%"
    const year = DateTime.now().setZone('Asia/Shanghai').year
    const annual = await annualStatistics(year)
    assert.deepEqual(annual.total, stats!)
    assert.equal(annual.total.count, 14)
    assert.equal(annual.total.cutRateBp, 2510)
    assert.closeTo(annual.total.requestedFen / 1_000_000, 10_000, 500, 'about 1 亿元 requested')
    // "今年组织专家验收项目17个，项目累计金额约4300万元" (the settlement of the accepted projects)
    assert.equal(annual.acceptance.accepted, 17)
    assert.closeTo(annual.acceptance.amountFen / 1_000_000, 4300, 50, 'about 4,300 万元 accepted')

    const { secret } = await issueApiToken(['review:read'], { name: '演示数据核对' })
    const api = await client
      .get(`/api/v1/stats/review?year=${year}`)
      .header('authorization', `Bearer ${secret}`)
    api.assertStatus(200)
    assert.deepEqual(api.body().data, { year, ...annual.total, acceptance: annual.acceptance })

    const pdf = await renderAnnualStatistics(year)
    const text = await pdfCompactText(pdf.buffer)
    for (const figure of [
      `审核论证信息化项目14个`,
      `审核项目总金额约${formatWanYuan(annual.total.requestedFen)}万元`,
      '项目预算核减率25.10%',
      `组织专家验收项目17个，项目累计金额约${formatWanYuan(annual.acceptance.amountFen)}万元`,
    ]) {
      assert.include(text, figure)
    }

    const reviewer = await User.query()
      .where('username', 'reviewer')
      .preload('roleRows')
      .firstOrFail()
    const desk = (await todo.forUser(reviewer)) as {
      reviewer: { figures: Record<string, number> }
    }
    assert.include(desk.reviewer.figures, {
      count: 14,
      cutRateBp: 2510,
      acceptedCount: 17,
      acceptedFen: annual.acceptance.amountFen,
    })
    const page = await client.get('/').loginAs(reviewer)
    page.assertStatus(200)
    page.assertTextIncludes(`id="fig-accepted">17<`)
    page.assertTextIncludes(
      `id="fig-accepted-amount">${formatWanYuan(annual.acceptance.amountFen)}<`
    )

    // a drawn expert's waiting seat shows on the 工作台, as on 评审任务 (which demo expert the
    // replayable draw picks depends on the pool, which other suites may have grown)
    const seated = await db
      .from('panel_members')
      .join('review_panels', 'review_panels.id', 'panel_members.panel_id')
      .where('panel_members.status', 'invited')
      .where('review_panels.status', 'open')
      .where('review_panels.purpose', 'review')
      .whereNotNull('panel_members.user_id')
      .distinct('panel_members.user_id as userId')
    let expert: User | null = null
    let seats = { expert: { reviewCount: 0, items: [] as { title: string }[] } }
    for (const { userId } of seated) {
      const candidate = await User.query().where('id', userId).preload('roleRows').firstOrFail()
      const waiting = (await todo.forUser(candidate)) as typeof seats
      if (waiting.expert.reviewCount > 0) {
        expert = candidate
        seats = waiting
        break
      }
    }
    assert.exists(expert, 'a demo expert has a score sheet waiting')
    assert.isAbove(seats.expert.reviewCount, 0)
    const desk2 = await client.get('/').loginAs(expert!)
    desk2.assertStatus(200)
    desk2.assertTextIncludes(`id="todo-expert-review">${seats.expert.reviewCount}<`)
    desk2.assertTextIncludes(seats.expert.items[0].title)

    assert.isNull(await seedReview())
  }).timeout(180_000)
})
