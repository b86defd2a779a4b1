import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedIdentity } from '#database/seeders/demo/identity'
import { realPasswordHashing } from '#tests/helpers/identity'

/** Menu entries each demo account must see, and entries it must not (app/core/navigation.ts). */
const MENUS: Record<string, { sees: string[]; never: string[] }> = {
  admin: {
    sees: ['工作台', '用户管理', '单位管理', '专家库', '评审设置', '接口令牌', '修改密码'],
    never: ['审计日志', '监测看板', '设备台账', '信息化项目', '评审任务'],
  },
  admin2: {
    sees: ['工作台', '用户管理', '单位管理', '专家库', '评审设置', '接口令牌', '修改密码'],
    never: ['审计日志', '监测看板', '设备台账', '信息化项目', '评审任务'],
  },
  auditor: {
    sees: ['工作台', '审计日志', '告警中心', '修改密码'],
    never: ['用户管理', '单位管理', '监测看板', '信息化项目', '专家库', '评审任务'],
  },
  netadmin: {
    sees: ['工作台', '监测看板', '告警中心', '设备台账', '站点管理', '可用性报表', '修改密码'],
    never: ['用户管理', '审计日志', '信息化项目', '专家库', '评审任务'],
  },
  reviewer: {
    sees: ['工作台', '信息化项目', '专家库', '修改密码'],
    never: ['用户管理', '审计日志', '监测看板', '告警中心', '评审任务', '评审设置', '接口令牌'],
  },
  expert: {
    sees: ['工作台', '评审任务', '修改密码'],
    never: ['信息化项目', '专家库', '用户管理', '审计日志', '监测看板'],
  },
  applicant: {
    sees: ['工作台', '信息化项目', '修改密码'],
    never: ['专家库', '评审任务', '用户管理', '审计日志', '监测看板', '告警中心'],
  },
}

test.group('Logging in with a real browser', (group) => {
  realPasswordHashing(group)
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

  test('a link opened before login leads, after logging in, to the page it pointed to', async ({
    visit,
    assert,
  }) => {
    const page = await visit('/review/projects?year=2026')
    await page.assertPath('/login')
    await page.assertTextContains('.flash-error', '请先登录，登录后将回到您要访问的页面。')
    await page.assertNotExists('text=Unauthorized access')
    await page.getByLabel('用户名').fill('reviewer')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.assertPath('/review/projects')
    assert.equal(new URL(page.url()).search, '?year=2026')
    await page.assertTextContains('h1', '信息化项目')
  })

  test('the sysadmin is refused the audit log even by typing its address', async ({ visit }) => {
    const page = await visit('/login')
    await page.getByLabel('用户名').fill('admin')
    await page.getByLabel('密码').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: '登录' }).click()
    await page.goto(page.url().replace(/\/$/, '') + '/audit')
    await page.assertTextContains('h1', '无权访问')
  })
})
