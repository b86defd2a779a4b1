import { mkdir, readdir } from 'node:fs/promises'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import mail from '@adonisjs/mail/services/main'
import type { Page } from 'playwright-core'
import Project from '#project_review/models/project'
import AcceptanceRequest from '#project_review/models/acceptance_request'
import PanelMember from '#project_review/models/panel_member'
import ReviewPanel from '#project_review/models/review_panel'
import { DEFAULT_ACCEPTANCE_CHECKLIST } from '#project_review/domain/forms'
import attachments from '#project_review/services/attachments'
import { GOOD_PASSWORD, createUnit, createUser } from '#tests/helpers/identity'
import { TINY_PDF, createDraft, createExperts, driveTo } from '#tests/helpers/review'

async function login(page: Page, username: string) {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => url.pathname === '/')
}

async function logout(page: Page) {
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.waitForURL((url) => url.pathname === '/login')
}

async function upload(page: Page, kind: string, name: string) {
  await page.selectOption('#acceptance-attachment-kind', kind)
  await page.setInputFiles('#acceptance-attachment-file', {
    name,
    mimeType: 'application/pdf',
    buffer: TINY_PDF,
  })
  await page.click('#upload-acceptance-attachment')
  await page.waitForSelector('.flash-success')
}

/**
 * Each sitting acceptance expert logs in, finds the task marked 验收 on 评审任务, opens the
 * checklist and submits it by clicks; with `fail`, the first expert fails 文档齐全 with a note.
 */
async function fillChecklists(page: Page, projectId: number, outcome: 'pass' | 'fail') {
  const panel = await ReviewPanel.query()
    .where('project_id', projectId)
    .where('purpose', 'acceptance')
    .firstOrFail()
  const seats = await PanelMember.query()
    .where('panel_id', panel.id)
    .where('status', 'invited')
    .preload('expert', (expert) => expert.preload('user'))
    .orderBy('draw_order')
  for (const [index, seat] of seats.entries()) {
    const fail = outcome === 'fail' && index === 0
    await login(page, seat.expert.user.username)
    await page.goto('/review/tasks')
    const row = `#tasks-table tr[data-project="${projectId}"][data-kind="acceptance"]`
    await page.assertTextContains(`${row} .task-kind`, '验收')
    await page.assertTextContains(row, '待填写检查表')
    await page.assertTextContains(`${row} .task-deadline`, '前提交')
    await page.click(`${row} .open-checklist`)
    await page.waitForSelector('#check-form')
    for (const [at, item] of DEFAULT_ACCEPTANCE_CHECKLIST.items.entries()) {
      const result = fail && at === 1 ? 'fail' : 'pass'
      await page.check(`#check-${item.key}-${result}`)
      if (result === 'fail') await page.fill(`#check-note-${item.key}`, '缺少运维手册')
    }
    await page.fill('#check-opinion', fail ? '资料不全，建议整改后再验收。' : '同意通过验收。')
    await page.click('#submit-check')
    await page.waitForSelector('#check-done')
    await page.goto('/review/tasks')
    await page.assertTextContains(row, '检查表已提交')
    await logout(page)
  }
  return seats.length
}

test.group('Acceptance | 修改后通过 to evaluation in a browser', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    mail.fake()
    return () => mail.restore()
  })
  group.each.setup(async () => {
    await mkdir(attachments.directory, { recursive: true })
    const before = new Set(await readdir(attachments.directory))
    return async () => {
      const after = await readdir(attachments.directory)
      await attachments.removeFiles(after.filter((name) => !before.has(name)))
    }
  })

  test('revise → 批复 → construction → acceptance with one 整改 round → evaluation', async ({
    visit,
    assert,
  }) => {
    const unit = await createUnit({ name: '县司法局（验收测试）' })
    const applicant = await createUser({ roles: ['applicant'], unit, username: 'acc_applicant' })
    const reviewer = await createUser({ roles: ['reviewer'], username: 'acc_reviewer' })
    await createExperts(6)
    const draft = await createDraft(applicant, { title: '县司法局智慧调解平台' })
    await driveTo(draft.id, 'reviewed', applicant, reviewer)
    const id = draft.id

    const page = await visit('/login')
    page.on('dialog', (dialog) => dialog.accept())

    // 审核员：修改后通过
    await login(page, 'acc_reviewer')
    await page.goto(`/review/projects/${id}`)
    await page.fill('#revision-reason', '请压减摄像机单价，补充等保方案。')
    await page.click('#request-revision')
    await page.assertTextContains('#project-state', '修改中')
    await logout(page)

    // 申报单位：阅读匿名专家意见并修改
    await login(page, 'acc_applicant')
    await page.goto(`/review/projects/${id}`)
    await page.assertTextContains('#expert-opinions', '专家A')
    await page.fill('#revision-price-0', '4000')
    await page.fill('#revision-price-1', '180000')
    await page.fill('#revision-note-input', '摄像机单价压减至 4000 元，软件按 180000 元实施。')
    await page.click('#submit-revision')
    await page.assertTextContains('#project-state', '已修改')
    await logout(page)

    // 审核员：批复
    await login(page, 'acc_reviewer')
    await page.goto(`/review/projects/${id}`)
    await page.fill('input[name="items[0][approved]"]', '40000')
    await page.fill('input[name="items[0][reason]"]', '按修改稿核定')
    await page.fill('input[name="items[1][approved]"]', '180000')
    await page.fill('input[name="items[1][reason]"]', '按修改稿核定')
    await page.fill('#decision-comment', '同意立项，按修改稿实施。')
    await page.click('#approve-project')
    await page.assertText('#confirm-approved', '220,000.00')
    // 返回修改 brings back every typed amount, reason and comment
    await page.click('#back-to-decision')
    await page.assertInputValue('input[name="items[0][approved]"]', '40000.00')
    await page.assertInputValue('input[name="items[0][reason]"]', '按修改稿核定')
    await page.assertInputValue('input[name="items[1][approved]"]', '180000.00')
    await page.assertInputValue('input[name="items[1][reason]"]', '按修改稿核定')
    await page.assertInputValue('#decision-comment', '同意立项，按修改稿实施。')
    await page.click('#approve-project')
    await page.assertText('#confirm-approved', '220,000.00')
    await page.click('#confirm-decision')
    await page.assertTextContains('#project-state', '已批复')
    await logout(page)

    // 申报单位：合同签订、里程碑、申请验收（决算超批复须说明）
    await login(page, 'acc_applicant')
    await page.goto(`/review/projects/${id}`)
    await page.fill('#contract-date', '2026-03-01')
    await page.click('#start-construction')
    await page.assertTextContains('#project-state', '建设中')
    await page.selectOption('#milestone-kind', 'trial_run')
    await page.fill('#milestone-date', '2026-07-01')
    await page.click('#record-milestone')
    await page.assertTextContains('#milestones', '试运行')
    await upload(page, 'trial_run', '试运行报告.pdf')
    await upload(page, 'security_report', '等保测评报告.pdf')
    await page.fill('#settled-0', '38000')
    await page.fill('#settled-1', '185000')
    await page.fill('#deliverables', '源代码、部署文档、用户手册')
    await page.fill('#trial-run', '试运行三个月，运行平稳。')
    await page.click('#request-acceptance')
    await page.assertTextContains('#acceptance-request-form', '书面说明')
    await page.fill('#justification-1', '接口数量增加，经党组会研究同意')
    await page.fill('#settled-0', '38000')
    await page.fill('#settled-1', '185000')
    await page.fill('#deliverables', '源代码、部署文档、用户手册')
    await page.fill('#trial-run', '试运行三个月，运行平稳。')
    await page.click('#request-acceptance')
    await page.assertTextContains('#project-state', '申请验收')
    await page.assertTextContains('#round-1 tr[data-over="1"]', '超批复')
    await logout(page)

    // 审核员：抽取验收专家；专家提交检查表（一项不通过）；责令整改
    await login(page, 'acc_reviewer')
    await page.goto(`/review/projects/${id}`)
    await page.click('#draw-acceptance')
    await page.assertTextContains('#project-state', '验收评审')
    await logout(page)
    const sitting = await fillChecklists(page, id, 'fail')
    await login(page, 'acc_reviewer')
    await page.goto(`/review/projects/${id}`)
    await page.assertTextContains('#check-progress', `${sitting}/${sitting}`)
    await page.assertTextContains('#check-progress', '3/3')
    await page.fill('#rectify-items', '补齐系统运维手册\n补充用户培训记录')
    await page.click('#order-rectification')
    await page.assertTextContains('#project-state', '整改中')
    await logout(page)

    // 申报单位：整改后重新申请验收
    await login(page, 'acc_applicant')
    await page.goto(`/review/projects/${id}`)
    await page.assertTextContains('#round-1 .rectification-items', '补齐系统运维手册')
    await page.fill('#settled-0', '38000')
    await page.fill('#settled-1', '185000')
    await page.fill('#justification-1', '接口数量增加，经党组会研究同意')
    await page.fill('#deliverables', '源代码、部署文档、用户手册、运维手册、培训记录')
    await page.fill('#trial-run', '试运行三个月，运行平稳。')
    await page.click('#request-acceptance')
    await page.assertTextContains('#project-state', '申请验收')
    await logout(page)

    // 审核员：原专家组复验，通过
    await login(page, 'acc_reviewer')
    await page.goto(`/review/projects/${id}`)
    await page.click('#draw-acceptance')
    await logout(page)
    await fillChecklists(page, id, 'pass')
    await login(page, 'acc_reviewer')
    await page.goto(`/review/projects/${id}`)
    await page.assertTextContains('#check-progress', '3/3')
    await page.click('#pass-acceptance')
    await page.assertTextContains('#project-state', '已验收')
    await logout(page)

    // 申报单位：绩效自评
    await login(page, 'acc_applicant')
    await page.goto(`/review/projects/${id}`)
    for (const key of ['usage_rate', 'users_served', 'records_shared', 'money_saved']) {
      await page.fill(`#target-${key}`, '100')
      await page.fill(`#actual-${key}`, '95')
    }
    await page.fill('#self-evaluation', '系统运行稳定，主要指标基本达到预期。')
    await page.click('#save-self-evaluation')
    await page.assertTextContains('#indicator-table', '95%')
    await logout(page)

    // 审核员：评价等级
    await login(page, 'acc_reviewer')
    await page.goto(`/review/projects/${id}`)
    await page.selectOption('#rating', 'excellent')
    await page.fill('#rating-comment', '绩效目标全面实现。')
    await page.click('#rate-evaluation')
    await page.assertTextContains('#project-state', '已绩效评价')
    await page.assertTextContains('#evaluation-rating', '优')

    const project = await Project.findOrFail(id)
    assert.equal(project.state, 'evaluated')
    assert.equal(project.approvedFen, 22_000_000)
    assert.equal(project.settledFen, 22_300_000)
    const rounds = await AcceptanceRequest.query().where('project_id', id).orderBy('round')
    assert.deepEqual(
      rounds.map((round) => round.status),
      ['rectify', 'passed']
    )
  }).timeout(180_000)
})
