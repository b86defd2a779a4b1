import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import limiter from '@adonisjs/limiter/services/main'
import sessionRegistry from '#identity/services/session_registry'
import { createUser, GOOD_PASSWORD } from '#tests/helpers/identity'
import { totpCode } from '#tests/helpers/second_factor'

test.group('Identity in a real browser: TOTP and revocable sessions', (group) => {
  // the limiter's stores first: a database store waits for the connection a global transaction holds
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a user enrols TOTP from the QR page and logs in with the code', async ({
    visit,
    assert,
  }) => {
    const user = await createUser({ roles: ['reviewer'], fullName: '孙审核' })
    await sessionRegistry.endAll(user.id)
    const page = await visit('/login')
    await page.getByLabel('用户名').fill(user.username)
    await page.getByLabel('密码').fill(GOOD_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.assertPath('/')

    await page.locator('nav.sidebar').getByText('两步验证').click()
    await page.getByRole('button', { name: '开始绑定' }).click()
    await page.assertPath('/account/mfa')
    const qr = page.locator('#mfa-qr')
    await qr.waitFor()
    const size = await qr.evaluate(
      (img) => (img as unknown as { naturalWidth: number }).naturalWidth
    )
    assert.isAbove(size, 100)
    const secretText = await page.locator('#mfa-secret').innerText()
    const secret = secretText.trim()
    await page.getByLabel('输入应用显示的 6 位动态码').fill(totpCode(secret))
    await page.getByRole('button', { name: '确认绑定' }).click()
    await page.assertTextContains('h1', '请保存恢复码')
    assert.equal(await page.locator('#recovery-codes li').count(), 10)

    await page.getByRole('button', { name: '退出登录' }).click()
    await page.assertPath('/login')
    await page.getByLabel('用户名').fill(user.username)
    await page.getByLabel('密码').fill(GOOD_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.assertPath('/login/verify')
    // the code of the next period: the enrolment already used this period's code
    await page.getByLabel('动态码或恢复码').fill(totpCode(secret, 1))
    await page.getByRole('button', { name: '验证' }).click()
    await page.assertPath('/')
    await page.assertTextContains('.topbar', '孙审核')
    await sessionRegistry.endAll(user.id)
  })

  test('a copied cookie stops working after logout', async ({ visit, browser, assert }) => {
    const user = await createUser({ roles: ['expert'], fullName: '钱专家' })
    await sessionRegistry.endAll(user.id)
    const page = await visit('/login')
    await page.getByLabel('用户名').fill(user.username)
    await page.getByLabel('密码').fill(GOOD_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.assertPath('/')

    // Another browser gets a copy of the cookies (what a thief would carry away).
    const origin = new URL(page.url()).origin
    const thief = await browser.newContext()
    await thief.addCookies(await page.context().cookies())
    const stolen = await thief.newPage()
    await stolen.goto(`${origin}/account/sessions`)
    assert.equal(new URL(stolen.url()).pathname, '/account/sessions')
    await stolen.locator('h1', { hasText: '我的会话' }).waitFor()

    await page.getByRole('button', { name: '退出登录' }).click()
    await page.assertPath('/login')
    await stolen.goto(`${origin}/account/sessions`)
    assert.equal(new URL(stolen.url()).pathname, '/login')
    await thief.close()
  })
})
