import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { Page } from 'playwright-core'
import PanelMember from '#project_review/models/panel_member'
import ReviewPanel from '#project_review/models/review_panel'
import panels from '#project_review/services/panels'
import sheets from '#project_review/services/sheets'
import { reviewActorOf } from '#project_review/services/actor'
import { GOOD_PASSWORD, createUnit, createUser } from '#tests/helpers/identity'
import {
  acceptedProject,
  createExperts,
  reviewCast,
  sittingExperts,
  submitSheet,
} from '#tests/helpers/review'

async function login(page: Page, username: string) {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => url.pathname === '/')
}

/** An accepted project with 5 sitting experts and 2 alternates (no e-mail addresses). */
async function drawn() {
  const { applicant, reviewer } = await reviewCast()
  const project = await acceptedProject(applicant, reviewer)
  await createExperts(7)
  await panels.draw(
    project.id,
    { panelSize: 5, alternates: 2, specialties: [] },
    reviewActorOf(reviewer)
  )
  return { applicant, reviewer, project, seated: await sittingExperts(project.id) }
}

test.group('Project review | forms a user fills in', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a refused proposal keeps exactly its rows, says the date rule in Chinese and totals the budget while typing', async ({
    visit,
    assert,
  }) => {
    const unit = await createUnit({ name: '县档案馆（浏览器测试）' })
    await createUser({ roles: ['applicant'], unit, username: 'form_applicant' })
    const page = await visit('/login')
    await login(page, 'form_applicant')
    await page.goto('/review/projects/new')
    await page.assertElementsCount('#budget-items tbody tr', 3)
    await page.fill('#title', '县档案馆数字化项目')
    await page.fill('#plannedStart', '2026-06-01')
    await page.fill('#plannedEnd', '2026-05-01')
    await page.selectOption('select[name="items[0][category]"]', 'hardware')
    await page.fill('input[name="items[0][name]"]', '扫描仪')
    await page.fill('input[name="items[0][quantity]"]', '4')
    await page.fill('input[name="items[0][unitPrice]"]', '12,500.50')
    await page.assertText('#budget-total', '50,002.00')
    await page.fill('input[name="items[1][quantity]"]', '2')
    await page.fill('input[name="items[1][unitPrice]"]', '0.99')
    await page.assertText('#budget-total', '50,003.98')
    await page.fill('input[name="items[1][quantity]"]', '')
    await page.fill('input[name="items[1][unitPrice]"]', '')
    await page.assertText('#budget-total', '50,002.00')

    for (let attempt = 0; attempt < 2; attempt++) {
      await page.click('#save-draft')
      await page.waitForSelector('.field-error')
      await page.assertTextContains('#proposal-form', '计划完工日期不能早于计划开工日期。')
      await page.assertElementsCount('#budget-items tbody tr', 3)
      await page.assertInputValue('input[name="items[0][name]"]', '扫描仪')
      await page.assertText('#budget-total', '50,002.00')
    }
    const text = await page.locator('#proposal-form').innerText()
    assert.notInclude(text, 'must be')
  })

  test('the score sheet shows every error next to its field, then the weighted total to confirm', async ({
    visit,
  }) => {
    const { project, seated } = await drawn()
    const expert = seated[0]
    const page = await visit('/login')
    page.on('dialog', (dialog) => dialog.accept())
    await login(page, expert.user.username)
    await page.goto('/review/tasks')
    await page.locator('input[name="noConflict"]').check()
    await page.getByRole('button', { name: '声明并打开评审表' }).click()
    await page.waitForURL(/\/review\/sheets\/\d+$/)
    const scores = { necessity: '21', feasibility: '22', budget: '20', security: '13', sharing: '' }
    for (const [key, value] of Object.entries(scores)) await page.fill(`#score-${key}`, value)
    await page.fill('input[name="items[0][unitPrice]"]', '4000')
    await page.click('#submit-sheet')
    await page.waitForSelector('.field-error')
    // All refusals at once, each beside its own field.
    await page.assertTextContains(
      'tr:has(#score-necessity) .field-error',
      '“建设必要性”的得分须在 0 至 20 之间，当前为 21。'
    )
    await page.assertExists('tr:has(#score-sharing) .field-error')
    await page.assertTextContains('tr[data-line="1"] .field-error', '请选择核减理由')
    await page.assertTextContains('#sheet-form', '请填写评审意见。')

    await page.fill('#score-necessity', '18')
    await page.fill('#score-sharing', '12')
    await page.selectOption('select[name="items[0][cutReason]"]', 'overpriced')
    await page.fill('#opinion', '建设必要，硬件单价偏高。')
    await page.click('#submit-sheet')
    // 18/20×20 + 22/25×25 + 20/25×25 + 13/15×15 + 12/15×15 = 85.00
    await page.assertText('#confirm-total', '85.00')
    await page.assertTextContains('#sheet-confirm-warning', '尚未提交')
    await page.click('#confirm-submit-sheet')
    await page.waitForURL((url) => url.pathname === '/review/tasks')
    await page.assertTextContains('#tasks-table', '已提交')
    await page.goto(`/review/projects/${project.id}`)
    await page.assertTextContains('#my-seat', '您的评审表已提交')
  })

  test('the reviewer sees each seat’s real state and withdraws a silent expert for the next alternate', async ({
    visit,
    assert,
  }) => {
    const { reviewer, project, seated } = await drawn()
    await submitSheet(project.id, seated[0].user, seated[0].member.id)
    await sheets.declareNoConflict(seated[1].member.id, reviewActorOf(seated[1].user))
    const panel = await ReviewPanel.findByOrFail('project_id', project.id)

    const page = await visit('/login')
    page.on('dialog', (dialog) => dialog.accept())
    await login(page, reviewer.username)
    await page.goto(`/review/projects/${project.id}`)
    await page.assertElementsText('#panel-table tbody td.seat-state', [
      '已提交',
      '已声明',
      '已邀请',
      '已邀请',
      '已邀请',
      '候补待命',
      '候补待命',
    ])

    const silent = seated[4]
    const row = page.locator('#panel-table tbody tr', { hasText: silent.expert.name })
    await row.locator('input[name="withdrawReason"]').fill('两周未答复，电话无法联系')
    await row.getByRole('button', { name: '撤换' }).click()
    await page.waitForSelector('.flash-success')
    await page.assertTextContains('.flash-success', `已撤换专家 ${silent.expert.name}`)
    const states = await page
      .locator('#panel-table tbody td.seat-state')
      .evaluateAll((cells) => cells.map((cell) => cell.textContent!.trim().split(/\s+/)[0]))
    assert.deepEqual(states, [
      '已提交',
      '已声明',
      '已邀请',
      '已邀请',
      '已撤换',
      '已邀请',
      '候补待命',
    ])
    await page.assertTextContains(
      `#panel-table tbody tr:has-text("${silent.expert.name}")`,
      '撤换理由：两周未答复，电话无法联系'
    )
    const alternate = await PanelMember.query()
      .where('panel_id', panel.id)
      .where('expert_id', panel.result.alternates[0])
      .firstOrFail()
    assert.equal(alternate.status, 'invited')
  })
})
