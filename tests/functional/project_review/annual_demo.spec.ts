import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import mail from '@adonisjs/mail/services/main'
import { DateTime } from 'luxon'
import { formatWanYuan } from '#core/money'
import { pdfRateBp } from '#core/pdf/format'
import { seedIdentity } from '#database/seeders/demo/identity'
import { seedReview } from '#database/seeders/demo/review'
import { renderAnnualStatistics } from '#project_review/reports/annual_statistics'
import { acceptanceFigures } from '#project_review/reports/acceptance_figures'
import { issueApiToken } from '#tests/helpers/api_tokens'
import { assertGoodPdf } from '#tests/helpers/pdf'

/**
 * Issue #13 "done when": with the demo data, the 年度统计 PDF shows the seeds' shape (14 projects
 * reviewed, 25.10 % cut, 17 accepted for about 4,300 万元) and its figures equal
 * GET /api/v1/stats/review for the year.
 */
test.group('年度统计 of the demo data', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('the annual PDF of the demo year equals the stats API and shows the seeds’ figures', async ({
    client,
    assert,
  }) => {
    await seedIdentity()
    const seeded = await seedReview()
    assert.isNotNull(seeded)
    const year = DateTime.now().setZone('Asia/Shanghai').year

    const { secret } = await issueApiToken(['review:read'], { name: '年度统计核对' })
    const api = await client
      .get(`/api/v1/stats/review?year=${year}`)
      .header('authorization', `Bearer ${secret}`)
    api.assertStatus(200)
    const stats = api.body().data
    assert.equal(stats.count, seeded!.count)
    assert.equal(stats.cutRateBp, seeded!.cutRateBp)
    assert.equal(stats.count, 14)
    assert.equal(stats.cutRateBp, 2510)

    const acceptance = await acceptanceFigures(year)
    assert.equal(acceptance.accepted, 17)
    assert.isAbove(acceptance.amountFen, 4200 * 1_000_000)
    assert.isBelow(acceptance.amountFen, 4400 * 1_000_000)

    const pdf = await renderAnnualStatistics(year)
    await assertGoodPdf(assert, pdf, [
      `${year}年度信息化项目管理统计`,
      `审核论证信息化项目${stats.count}个`,
      `审核项目总金额约${formatWanYuan(stats.requestedFen)}万元`,
      `核减项目预算金额约${formatWanYuan(stats.cutFen)}万元`,
      `项目预算核减率${pdfRateBp(stats.cutRateBp)}`,
      '项目预算核减率25.10%',
      `组织专家验收项目${acceptance.accepted}个`,
      `项目累计金额约${formatWanYuan(acceptance.amountFen)}万元`,
      `完成绩效评价${acceptance.evaluated}个`,
    ])
  }).timeout(180_000)
})
