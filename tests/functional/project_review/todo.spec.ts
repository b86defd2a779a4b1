import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import mail from '@adonisjs/mail/services/main'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Project from '#project_review/models/project'
import todo from '#project_review/services/todo'
import { createDraft, createExperts, driveTo, reviewCast } from '#tests/helpers/review'

test.group('工作台 | to-do centre', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('each role sees what waits on it, with counts, ages, overdue evaluations and year figures', async ({
    assert,
    client,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    await createExperts(6)
    const submitted = await createDraft(applicant)
    await driveTo(submitted.id, 'submitted', applicant, reviewer)
    const accepted = await createDraft(applicant, { title: '县水利局河湖监测系统' })
    await driveTo(accepted.id, 'completed', applicant, reviewer)
    const longAgo = DateTime.utc().minus({ months: 13 })
    await Project.query()
      .where('id', accepted.id)
      .update({ completed_at: longAgo.toFormat('yyyy-MM-dd HH:mm:ss') })
    // a request sent back for rectification in the same month is no acceptance of the trend
    const sqlNow = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
    await db.table('acceptance_requests').insert({
      project_id: accepted.id,
      round: 99,
      status: 'rectify',
      deliverables: '[]',
      security_result: 'pass',
      trial_run_summary: '试运行正常',
      settled_fen: 100,
      decided_at: sqlNow,
      created_at: sqlNow,
      updated_at: sqlNow,
    })

    const mine = (await todo.forUser(reviewer)) as any
    const count = (key: string) => mine.reviewer.counts.find((c: any) => c.key === key).count
    assert.equal(count('precheck'), 1)
    assert.equal(count('evaluation'), 1)
    assert.deepEqual(
      mine.reviewer.overdue.map((item: any) => item.id),
      [accepted.id]
    )
    assert.equal(mine.reviewer.figures.count, 1)
    assert.equal(
      mine.reviewer.trend.decided.reduce((a: number, b: number) => a + b, 0),
      1
    )
    // the passed acceptance in this month (Asia/Shanghai), as many as the year's figure
    const thisMonth = DateTime.utc().setZone('Asia/Shanghai').month
    assert.deepEqual(
      mine.reviewer.trend.accepted,
      Array.from({ length: 12 }, (_, index) => (index + 1 === thisMonth ? 1 : 0))
    )
    assert.equal(mine.reviewer.figures.acceptedCount, 1)

    const page = await client.get('/').loginAs(reviewer)
    page.assertStatus(200)
    page.assertTextIncludes('待形式审查')
    page.assertTextIncludes('id="trend-chart"')
    page.assertTextIncludes('县水利局河湖监测系统')

    const unit = await client.get('/').loginAs(applicant)
    unit.assertStatus(200)
    unit.assertTextIncludes('待绩效评价')
    unit.assertTextIncludes('id="todo-applicant-evaluation">1<')
  })

  test('a long queue lists its 10 oldest with their age and 查看全部, and each state links to its list', async ({
    assert,
    client,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const now = DateTime.utc()
    const ids: number[] = []
    for (let i = 0; i < 12; i++) {
      const project = await createDraft(
        applicant,
        { title: `待审项目${i}` },
        { feasibility: false }
      )
      // waiting i + 1 days: project 11 is the oldest
      await Project.query()
        .where('id', project.id)
        .update({
          state: 'submitted',
          updated_at: now.minus({ days: i + 1, hours: 1 }).toFormat('yyyy-MM-dd HH:mm:ss'),
        })
      ids.push(project.id)
    }

    const mine = (await todo.forUser(reviewer, now)) as any
    const precheck = mine.reviewer.counts.find((c: any) => c.key === 'precheck')
    assert.equal(precheck.count, 12)
    assert.equal(precheck.oldestDays, 12)
    assert.equal(mine.reviewer.total, 12)
    assert.deepEqual(
      mine.reviewer.items.map((item: any) => [item.id, item.ageDays]),
      ids
        .map((id, i) => [id, i + 1])
        .reverse()
        .slice(0, 10)
    )

    const page = await client.get('/').loginAs(reviewer)
    page.assertStatus(200)
    page.assertTextIncludes('最久的 10 项，共 12 项待办。')
    page.assertTextIncludes('查看全部')
    page.assertTextIncludes('href="/review/projects?state=submitted"')
    page.assertTextIncludes('待审项目11')
    assert.notInclude(page.text(), '待审项目0<')
    assert.notInclude(page.text(), '待审项目1<')
  })
})
