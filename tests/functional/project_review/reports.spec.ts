import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import testUtils from '@adonisjs/core/services/test_utils'
import ace from '@adonisjs/core/services/ace'
import Project from '#project_review/models/project'
import Expert from '#project_review/models/expert'
import ReviewPanel from '#project_review/models/review_panel'
import decisions from '#project_review/services/decisions'
import { issueApiToken } from '#tests/helpers/api_tokens'
import { reviewActorOf } from '#project_review/services/actor'
import { ReviewError } from '#project_review/errors'
import { formatWanYuan } from '#core/money'
import { renderReviewOpinion } from '#project_review/reports/review_opinion'
import { renderDrawRecord } from '#project_review/reports/draw_record'
import { renderAnnualStatistics } from '#project_review/reports/annual_statistics'
import ReportAnnual from '#commands/report_annual'
import ReportReviewOpinion from '#commands/report_review_opinion'
import {
  assertStatus,
  createDraft,
  createExperts,
  reviewCast,
  reviewedProject,
} from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'
import { assertGoodPdf, pdfCompactText } from '#tests/helpers/pdf'
import type { RenderedPdf } from '#core/pdf/documents'

/** A reviewed project whose first line is cut to 30,000 元; an expert of the unit is never drawn. */
async function approvedProject() {
  const cast = await reviewCast()
  await createExperts(1, { employerUnit: cast.unit })
  const project = await reviewedProject(cast.applicant, cast.reviewer)
  for (const expert of await Expert.all()) {
    expert.name = `王评委${expert.id}`
    await expert.save()
  }
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
  const fresh = await Project.query()
    .where('id', project.id)
    .preload('unit')
    .preload('items')
    .firstOrFail()
  return { ...cast, project: fresh }
}

function asPdf(response: { body(): unknown }): RenderedPdf {
  return {
    buffer: Buffer.from(response.body() as Buffer),
    filename: '',
    pages: 0,
    problems: [],
    maxSliceMs: 0,
  }
}

test.group('Review documents (评审意见书, 抽取记录表, 年度统计)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('评审意见书 shows facts, scores, requested vs approved per line with reasons, totals and cut rate', async ({
    assert,
  }) => {
    const { project } = await approvedProject()
    const pdf = await renderReviewOpinion(project.id, { revealExperts: true })
    const cut = project.requestedFen - project.approvedFen!
    const text = await assertGoodPdf(assert, pdf, [
      '信息化项目评审意见书',
      project.title,
      project.code!,
      project.unit.name,
      '建设必要性',
      '4K 摄像机',
      '30,000.00',
      '核减为 6 台',
      `核减金额${(cut / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}元`,
      '评审组长（签字）',
      `数资评〔${project.year}〕${project.id}号`,
      '第1页共',
    ])
    assert.include(text, '王评委', 'the reviewer copy names the experts')
    assert.isBelow(pdf.maxSliceMs, 100)
  })

  test('the applicant downloads the opinion of its own project with anonymised experts; others get 403/404', async ({
    client,
    assert,
  }) => {
    const { project, applicant, reviewer } = await approvedProject()
    const own = await client
      .get(`/review/projects/${project.id}/documents/opinion.pdf`)
      .loginAs(applicant)
    own.assertStatus(200)
    assert.equal(own.header('content-type'), 'application/pdf')
    assert.include(own.header('content-disposition'), "filename*=UTF-8''")
    const text = await pdfCompactText(asPdf(own).buffer)
    assert.include(text, '信息化项目评审意见书')
    assert.include(text, '专家A')
    assert.notInclude(text, '王评委', 'no expert name on the applicant copy')

    const page = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    assert.include(page.text(), `/review/projects/${project.id}/documents/opinion.pdf`)
    assert.notInclude(page.text(), 'draw-record.pdf')

    const stranger = await createUser({ roles: ['applicant'] })
    await assertStatus(
      client.get(`/review/projects/${project.id}/documents/opinion.pdf`).loginAs(stranger),
      403
    )
    const [outsider] = await createExperts(1)
    await assertStatus(
      client.get(`/review/projects/${project.id}/documents/opinion.pdf`).loginAs(outsider.user),
      403
    )
    await assertStatus(
      client.get(`/review/projects/${project.id}/documents/draw-record.pdf`).loginAs(applicant),
      403
    )
    await assertStatus(
      client.get(`/review/projects/999999/documents/opinion.pdf`).loginAs(reviewer),
      404
    )
    const netadmin = await createUser({ roles: ['netadmin'] })
    await assertStatus(client.get('/review/reports/annual.pdf').loginAs(netadmin), 403)
  })

  test('no opinion before the decision: a clear refusal, not an empty document', async ({
    assert,
  }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await reviewedProject(applicant, reviewer)
    const error = await renderReviewOpinion(project.id, { revealExperts: true }).catch((e) => e)
    assert.instanceOf(error, ReviewError)
    assert.equal(error.i18nKey, 'reports.errors.not_decided')
  })

  test('专家抽取记录表 lists candidates with exclusions, the seed, the result and a passing replay', async ({
    client,
    assert,
  }) => {
    const { project, reviewer, unit } = await approvedProject()
    const response = await client
      .get(`/review/projects/${project.id}/documents/draw-record.pdf`)
      .loginAs(reviewer)
    response.assertStatus(200)
    const pdf = await renderDrawRecord(project.id)
    const panel = await ReviewPanel.findByOrFail('project_id', project.id)
    await assertGoodPdf(assert, pdf, [
      '评审专家抽取记录表',
      project.title,
      panel.seed.slice(0, 40),
      '回避：与申报单位同单位',
      unit.name,
      '抽中：评审专家第1位',
      '复现结果与记录一致',
      `候选${panel.candidates.length}名`,
    ])
    assert.include(await pdfCompactText(asPdf(response).buffer), '复现结果与记录一致')
  })

  test('年度统计 equals GET /api/v1/stats/review for the year, by unit and category, with the top cuts', async ({
    client,
    assert,
  }) => {
    const { project, reviewer } = await approvedProject()
    const other = await reviewCast()
    const declined = await reviewedProject(other.applicant, other.reviewer)
    await decisions.decline(declined.id, '重复建设', reviewActorOf(other.reviewer))
    await createDraft(other.applicant, { title: '草稿不计入统计' })

    const { secret } = await issueApiToken(['review:read'], { name: '统计核对' })
    const api = await client
      .get(`/api/v1/stats/review?year=${project.year}`)
      .header('authorization', `Bearer ${secret}`)
    api.assertStatus(200)
    const stats = api.body().data
    assert.equal(stats.count, 2)

    const download = await client
      .get(`/review/reports/annual.pdf?year=${project.year}`)
      .loginAs(reviewer)
    download.assertStatus(200)
    const pdf = await renderAnnualStatistics(project.year)
    const rate = `${Math.floor(stats.cutRateBp / 100)}.${String(stats.cutRateBp % 100).padStart(2, '0')}%`
    const text = await assertGoodPdf(assert, pdf, [
      `${project.year}年度信息化项目管理统计`,
      `审核论证信息化项目${stats.count}个`,
      `审核项目总金额约${formatWanYuan(stats.requestedFen)}万元`,
      `核减项目预算金额约${formatWanYuan(stats.cutFen)}万元`,
      `项目预算核减率${rate}`,
      project.unit.name,
      '升级改造',
      '核减金额前十的项目',
      project.code!,
      '各单位送审与审定金额',
      '本年度验收项目：无',
    ])
    assert.notInclude(text, '草稿不计入统计')
    assert.equal(
      await pdfCompactText(asPdf(download).buffer),
      text,
      'the download is the same document'
    )
    const page = await client.get(`/review/reports?year=${project.year}`).loginAs(reviewer)
    page.assertStatus(200)
    assert.include(page.text(), `/review/reports/annual.pdf?year=${project.year}`)
  })

  test('an empty year gives a valid report that says so', async ({ assert }) => {
    const pdf = await renderAnnualStatistics(2031)
    const text = await assertGoodPdf(assert, pdf, [
      '2031年度信息化项目管理统计',
      '2031年度无已评审（批复或不予立项）的信息化项目。',
      '第1页共1页',
    ])
    assert.include(text, '0.00元')
  })

  test('report:annual --out writes the PDF; report:review-opinion refuses an undecided project in Chinese', async ({
    assert,
  }) => {
    const { project } = await approvedProject()
    const dir = await mkdtemp(join(tmpdir(), 'report-cmd-'))
    try {
      const out = join(dir, 'annual.pdf')
      const command = await ace.create(ReportAnnual, ['--year', String(project.year), '--out', out])
      await command.exec()
      command.assertSucceeded()
      const text = await pdfCompactText(await readFile(out))
      assert.include(text, `${project.year}年度信息化项目管理统计`)
      assert.include(text, project.code!)

      const { applicant, reviewer } = await reviewCast()
      const undecided = await reviewedProject(applicant, reviewer)
      const refused = await ace.create(ReportReviewOpinion, [
        String(undecided.id),
        '--out',
        join(dir, 'x.pdf'),
      ])
      await refused.exec()
      refused.assertFailed()
      refused.assertLogMatches(/尚未批复/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
