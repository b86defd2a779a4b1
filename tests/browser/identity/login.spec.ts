import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedIdentity } from '#database/seeders/demo/identity'

/** Menu entries each demo account must see, and entries it must not. */
const MENUS: Record<string, { sees: string[]; never: string[] }> = {
  admin: { sees: ['工作台', '用户管理', '单位管理', '修改密码'], never: ['审计日志'] },
  admin2: { sees: ['工作台', '用户管理', '单位管理', '修改密码'], never: ['审计日志'] },
  auditor: { sees: ['工作台', '审计日志', '修改密码'], never: ['用户管理', '单位管理'] },
  netadmin: { sees: ['工作台', '修改密码'], never: ['用户管理', '审计日志'] },
  reviewer: { sees: ['工作台', '修改密码'], never: ['用户管理', '审计日志'] },
  expert: { sees: ['工作台', '修改密码'], never: ['用户管理', '审计日志'] },
  applicant: { sees: ['工作台', '修改密码'], never: ['用户管理', '审计日志'] },
}

test.group('Logging in with a real browser', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(async () => {
    await seedIdentity()
  })

  test('the login page is Chinese and a wrong password is refused in Chinese', async ({
    visit,
  }) => {
    const page = await visit('/login')
    await page.assertTitleContains('登录')
    await page.getByLabel('用户名').fill('admin')
    await page.getByLabel('密码').fill('wrong-password')
    await page.getByRole('button', { name: '登录' }).click()
    await page.assertPath('/login')
    await page.assertTextContains('.flash-error', '用户名或密码错误')
  })

  for (const account of DEMO_ACCOUNTS) {
    test(`demo account "${account.username}" logs in and sees its own menu`, async ({ visit }) => {
      const page = await visit('/login')
      await page.getByLabel('用户名').fill(account.username)
      await page.getByLabel('密码').fill(DEMO_PASSWORD)
      await page.getByRole('button', { name: '登录' }).click()
      await page.assertPath('/')
      await page.assertTextContains('.topbar', account.fullName)
      const menu = MENUS[account.username]
      for (const label of menu.sees) {
        await page.assertTextContains('nav.sidebar', label)
      }
      const navText = await page.locator('nav.sidebar').innerText()
      for (const label of menu.never) {
        if (navText.includes(label)) throw new Error(`${account.username} must not see "${label}"`)
      }
      await page.getByRole('button', { name: '退出登录' }).click()
      await page.assertPath('/login')
    })
  }

  test('the sysadmin is refused the audit log even by typing its address', async ({ visit }) => {
    const page = await visit('/login')
    await page.getByLabel('用户名').fill('admin')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.goto(page.url().replace(/\/$/, '') + '/audit')
    await page.assertTextContains('h1', '无权访问')
  })
})
