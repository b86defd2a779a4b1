import { mkdir, readdir } from 'node:fs/promises'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { Page } from 'playwright-core'
import Project from '#project_review/models/project'
import ReviewPanel from '#project_review/models/review_panel'
import attachments from '#project_review/services/attachments'
import { GOOD_PASSWORD, createUnit, createUser } from '#tests/helpers/identity'
import { TINY_PDF, createExperts } from '#tests/helpers/review'

/**
 * The hand computation the page must agree with.
 *   line 1 服务器:       10 × 5,000.00 =  50,000.00
 *   line 2 业务系统开发:   1 × 200,000.00 = 200,000.00        requested 250,000.00
 * Experts recommend (unit prices, quantities unchanged):
 *   line 1: 4,000 4,500 4,800 5,000 3,000 → amounts 40,000 45,000 48,000 50,000 30,000 → median 45,000.00
 *   line 2: 150,000 180,000 200,000 160,000 170,000 → median 170,000.00
 * The reviewer approves line 1 at the median and line 2 at 160,000.00 (with a reason):
 *   approved 205,000.00, cut 45,000.00, cut rate 45,000 / 250,000 = 18.00 %
 *   line cuts: 5,000.00 (10.00 %) and 40,000.00 (20.00 %)
 */
const EXPERT_PLANS = [
  { prices: ['4000', '150000'], scores: ['16', '20', '20', '12', '12'] },
  { prices: ['4500', '180000'], scores: ['18', '22', '21', '13', '12'] },
  { prices: ['4800', '200000'], scores: ['19', '24', '23', '14', '14'] },
  { prices: ['5000', '160000'], scores: ['20', '25', '25', '15', '15'] },
  { prices: ['3000', '170000'], scores: ['12', '15', '15', '9', '9'] },
]
const CRITERIA = ['necessity', 'feasibility', 'budget', 'security', 'sharing']

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

test.group('Project review | the whole walk in a browser', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(async () => {
    await mkdir(attachments.directory, { recursive: true })
    const before = new Set(await readdir(attachments.directory))
    return async () => {
      const after = await readdir(attachments.directory)
      await attachments.removeFiles(after.filter((name) => !before.has(name)))
    }
  })

  test('a project goes from draft to approval with five experts and the page shows the hand-computed cut', async ({
    visit,
    assert,
  }) => {
    const unit = await createUnit({ name: '县司法局（浏览器测试）' })
    await createUser({ roles: ['applicant'], unit, username: 'walk_applicant', fullName: '周经办' })
    await createUser({ roles: ['reviewer'], username: 'walk_reviewer', fullName: '赵审核' })
    const pool = await createExperts(5)

    const page = await visit('/login')
    page.on('dialog', (dialog) => dialog.accept())

    // 申报单位：填写并保存草稿
    await login(page, 'walk_applicant')
    await page.goto('/review/projects')
    await page.getByRole('link', { name: '新建申报书' }).click()
    await page.fill('#title', '县司法局社区矫正智能监管平台')
    await page.selectOption('#category', 'new')
    await page.selectOption('#securityLevel', '3')
    await page.fill('#content', '建设社区矫正对象电子定位、远程视频督察和风险评估。')
    await page.fill('#necessity', '现有人工报到方式效率低，脱管漏管风险高。')
    await page.fill('#technicalPlan', '部署于政务云，接入数据共享交换平台。')
    await page.getByLabel('政务云').check()
    await page.fill('#plannedStart', '2026-03-01')
    await page.fill('#plannedEnd', '2026-12-31')
    await page.fill('#contactName', '周经办')
    await page.fill('#contactPhone', '0571-7654321')
    await page.selectOption('select[name="items[0][category]"]', 'hardware')
    await page.fill('input[name="items[0][name]"]', '服务器')
    await page.fill('input[name="items[0][quantity]"]', '10')
    await page.fill('input[name="items[0][unitPrice]"]', '5,000.00')
    await page.selectOption('select[name="items[1][category]"]', 'software')
    await page.fill('input[name="items[1][name]"]', '业务系统开发')
    await page.fill('input[name="items[1][quantity]"]', '1')
    await page.fill('input[name="items[1][unitPrice]"]', '200000')
    await page.assertText('#budget-total', '250,000.00')
    await page.click('#save-and-attach')
    await page.waitForURL(/\/review\/projects\/\d+#attachments$/)
    await page.assertTextContains('#project-state', '草稿')
    await page.assertTextContains('#requested-yuan', '250,000.00')
    await page.assertTextContains('#missing-attachments', '可行性研究报告')
    const projectId = Number(new URL(page.url()).pathname.split('/').pop())

    // 上传可行性研究报告后才能提交
    await page.selectOption('#attachment-kind', 'feasibility')
    await page.setInputFiles('#attachment-file', {
      name: '可行性研究报告.pdf',
      mimeType: 'application/pdf',
      buffer: TINY_PDF,
    })
    await page.click('#attachment-form button[type="submit"]')
    await page.assertTextContains('#proposal-ready', '申报书已填写完整，可以提交')

    // 提交 → 审核员退回补正
    await page.click('#submit-proposal')
    await page.assertTextContains('#project-state', '已申报')
    await logout(page)
    await login(page, 'walk_reviewer')
    await page.goto(`/review/projects/${projectId}`)
    await page.fill('#return-reasons-input', '缺少可行性研究报告\n联系电话请填写手机号码')
    await page.click('#return-project')
    await page.assertTextContains('#project-state', '退回补正')
    await logout(page)

    // 申报单位看到逐条理由，修改后重新申报
    await login(page, 'walk_applicant')
    await page.goto(`/review/projects/${projectId}`)
    await page.assertTextContains('#return-reasons', '缺少可行性研究报告')
    await page.assertTextContains('#return-reasons', '联系电话请填写手机号码')
    await page.click('#edit-proposal')
    await page.fill('#contactPhone', '13800138000')
    await page.click('#save-draft')
    await page.waitForURL(`**/review/projects/${projectId}`)
    await page.click('#submit-proposal')
    await page.assertTextContains('#project-state', '已申报')
    await logout(page)

    // 审核员受理并随机抽取 5 名专家
    await login(page, 'walk_reviewer')
    await page.goto(`/review/projects/${projectId}`)
    await page.click('#accept-project')
    await page.assertTextContains('#project-state', '已受理')
    await page.fill('#panelSize', '5')
    await page.fill('#alternates', '0')
    await page.click('#draw-panel')
    await page.assertTextContains('#project-state', '已抽取专家')
    await page.assertElementsCount('#panel-table tbody tr', 5)
    await logout(page)

    // 五位专家各自声明无利害关系、评分、提出核减建议并提交
    for (const [index, { user }] of pool.entries()) {
      const plan = EXPERT_PLANS[index]
      await login(page, user.username)
      await page.goto('/review/tasks')
      await page.locator('input[name="noConflict"]').check()
      await page.getByRole('button', { name: '声明并打开评审表' }).click()
      await page.waitForURL(/\/review\/sheets\/\d+$/)
      for (const [position, key] of CRITERIA.entries()) {
        await page.fill(`#score-${key}`, plan.scores[position])
      }
      for (const [line, price] of plan.prices.entries()) {
        await page.fill(`input[name="items[${line}][unitPrice]"]`, price)
        await page.selectOption(
          `select[name="items[${line}][cutReason]"]`,
          index === 3 && line === 0 ? '' : 'overpriced'
        )
      }
      await page.fill('#opinion', `专家${index + 1}意见：建设必要，预算偏高。`)
      await page.click('#submit-sheet')
      await page.waitForSelector('#confirm-total')
      await page.click('#confirm-submit-sheet')
      await page.waitForURL((url) => url.pathname === '/review/tasks')
      await page.assertTextContains('#tasks-table', '已提交')
      await logout(page)
    }

    // 审核员关闭评审、按中位数批复，第 2 项调整并说明理由
    await login(page, 'walk_reviewer')
    await page.goto(`/review/projects/${projectId}`)
    await page.assertTextContains('#project-state', '评审中')
    await page.click('#close-panel')
    await page.assertTextContains('#project-state', '评审完成')
    await page.assertInputValue('input[name="items[0][approved]"]', '45000.00')
    await page.assertInputValue('input[name="items[1][approved]"]', '170000.00')
    await page.fill('input[name="items[1][approved]"]', '160000')
    await page.fill('input[name="items[1][reason]"]', '接口开发工作量按 160 人日核定')
    await page.fill('#decision-comment', '同意立项。')
    await page.click('#approve-project')
    await page.assertText('#confirm-approved', '205,000.00')
    await page.click('#confirm-decision')
    await page.assertTextContains('#project-state', '已批复')

    await page.assertText('#requested-yuan', '250,000.00')
    await page.assertText('#approved-yuan', '205,000.00')
    await page.assertText('#cut-yuan', '45,000.00')
    await page.assertText('#cut-rate', '18.00%')
    await page.assertElementsText('#budget-table .line-cut', ['5,000.00', '40,000.00'])
    await page.assertElementsText('#budget-table .line-rate', ['10.00%', '20.00%'])
    await page.assertTextContains('#timeline-table', '已批复')
    await page.assertTextContains('#sheets-table', pool[0].expert.name)

    const project = await Project.findOrFail(projectId)
    assert.equal(project.state, 'approved')
    assert.equal(project.requestedFen, 25_000_000)
    assert.equal(project.approvedFen, 20_500_000)
    assert.equal(project.returnCount, 1)
    const panel = await ReviewPanel.findByOrFail('project_id', projectId)
    assert.equal(panel.status, 'closed')
  })
})
