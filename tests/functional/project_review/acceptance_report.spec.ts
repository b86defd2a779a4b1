import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import mail from '@adonisjs/mail/services/main'
import Project from '#project_review/models/project'
import BudgetItem from '#project_review/models/budget_item'
import { formatWanYuan } from '#core/money'
import { renderAcceptanceOpinion } from '#project_review/reports/acceptance_opinion'
import { renderAnnualStatistics } from '#project_review/reports/annual_statistics'
import { acceptanceFigures } from '#project_review/reports/acceptance_figures'
import {
  assertStatus,
  createDraft,
  createExperts,
  driveTo,
  reviewCast,
} from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'
import { assertGoodPdf, pdfCompactText } from '#tests/helpers/pdf'

/** A project accepted after one 整改 round, its first line settled 1,000 元 above approval. */
async function acceptedAfterRectification() {
  const cast = await reviewCast()
  await createExperts(6, { email: true })
  const draft = await createDraft(cast.applicant)
  const [first] = await BudgetItem.query().where('project_id', draft.id).orderBy('id').limit(1)
  await driveTo(draft.id, 'completed', cast.applicant, cast.reviewer, {
    rectificationRounds: 1,
    settlement: (item) =>
      item.id === first.id
        ? { settled: item.approvedFen! + 100_000, justification: '增加 1 台备用存储' }
        : { settled: item.approvedFen! },
  })
  const project = await Project.query()
    .where('id', draft.id)
    .preload('unit')
    .preload('items')
    .firstOrFail()
  return { ...cast, project }
}

test.group('验收意见书', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })

  test('approved vs settlement per line, checklist results, the 整改 round and the conclusion', async ({
    assert,
  }) => {
    const { project } = await acceptedAfterRectification()
    assert.isNotNull(project.completedAt)
    const pdf = await renderAcceptanceOpinion(project.id, { revealExperts: true })
    const text = await assertGoodPdf(assert, pdf, [
      '信息化项目竣工验收意见书',
      project.title,
      project.code!,
      '建设内容完成度',
      '等保测评通过',
      '资金使用合规',
      '整改记录',
      '同意通过竣工验收',
      `决算金额${(project.settledFen! / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}元`,
      '验收组长（签字）',
      `数资验〔${project.year}〕${project.id}号`,
    ])
    assert.equal(project.settledFen, project.approvedFen! + 100_000)
    assert.include(text, '超批复：增加1台备用存储')
    assert.isBelow(pdf.maxSliceMs, 100)

    const year = project.completedAt!.setZone('Asia/Shanghai').year
    const annualPdf = await renderAnnualStatistics(year)
    const figures = await acceptanceFigures(year)
    const annual = await pdfCompactText(annualPdf.buffer)
    assert.equal(figures.accepted, 1)
    assert.equal(figures.amountFen, project.settledFen)
    assert.equal(figures.rectifications, 1)
    assert.include(
      annual,
      `组织专家验收项目1个，项目累计金额约${formatWanYuan(project.settledFen!)}万元`
    )
  })

  test('the unit downloads its acceptance opinion without expert names; another unit gets 403', async ({
    client,
    assert,
  }) => {
    const { project, applicant } = await acceptedAfterRectification()
    const own = await client
      .get(`/review/projects/${project.id}/documents/acceptance.pdf`)
      .loginAs(applicant)
    own.assertStatus(200)
    const text = await pdfCompactText(Buffer.from(own.body() as Buffer))
    assert.include(text, '信息化项目竣工验收意见书')
    assert.include(text, '专家A')
    const page = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    assert.include(page.text(), `/review/projects/${project.id}/documents/acceptance.pdf`)

    const stranger = await createUser({ roles: ['applicant'] })
    await assertStatus(
      client.get(`/review/projects/${project.id}/documents/acceptance.pdf`).loginAs(stranger),
      403
    )
  })
})
