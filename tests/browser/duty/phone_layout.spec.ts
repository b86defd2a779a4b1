import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import type { Page } from 'playwright-core'
import duty from '#network_monitoring/duty/duty_service'
import Alert from '#network_monitoring/models/alert'
import { alertSink } from '#network_monitoring/alerts/contract'
import { unreachable } from '#tests/helpers/alerts'
import { GOOD_PASSWORD, createUser } from '#tests/helpers/identity'
import { createDevice, createSiteTree } from '#tests/helpers/network'

/** The browser's own (the project's types have no DOM). */
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number }
  querySelectorAll(selector: string): Iterable<{ open: boolean }>
}

async function login(page: Page, username: string) {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

test.group('On a phone (390 px)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the sidebar folds into a menu button and no page scrolls sideways', async ({
    visit,
    assert,
  }) => {
    const admin = await createUser({
      roles: ['netadmin'],
      username: 'phone_duty',
      fullName: '手机值班员',
    })
    const { town, village } = await createSiteTree('手机')
    const router = await createDevice(town, {
      name: 'town-router-with-a-rather-long-name-01',
      deviceType: 'access_router',
    })
    await createDevice(village, { name: 'cun-sw-phone' })
    const now = DateTime.utc()
    await duty.createShift(
      {
        userId: admin.id,
        kind: 'primary',
        startsAt: now.minus({ hours: 2 }),
        endsAt: now.plus({ hours: 20 }),
        phone: '13900000000',
      },
      { actorId: null, actorName: 'test', ip: null }
    )

    await alertSink().raise([unreachable(router, new Date())])
    const alert = await Alert.query().where('device_id', router.id).firstOrFail()

    const page = await visit('/login')
    await page.setViewportSize({ width: 390, height: 844 })
    await login(page, 'phone_duty')

    for (const path of [
      '/monitoring/alerts',
      `/monitoring/alerts/${alert.id}`,
      '/monitoring/board',
      '/monitoring/duty',
      '/monitoring/duty/month',
      `/monitoring/devices/${router.id}`,
      '/monitoring/devices',
    ]) {
      await page.goto(path)
      // the ack / resolve / handling forms folded in <details> are opened too
      await page.evaluate(() => {
        for (const details of document.querySelectorAll('details')) details.open = true
      })
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.isAtMost(width, 390, `${path} scrolls sideways (${width} px)`)
    }

    await page.goto('/monitoring/board')
    await page.assertTextContains('#duty-now', '手机值班员')
    const sidebar = page.locator('#sidebar')
    assert.isFalse(await sidebar.isVisible(), 'the sidebar is folded away')
    await page.locator('#menu-button').click()
    assert.isTrue(await sidebar.isVisible(), 'the menu button opens it')
    await page.getByRole('link', { name: '值班表' }).click()
    await page.waitForURL((url) => url.pathname === '/monitoring/duty')

    // the office screen keeps its sidebar
    await page.setViewportSize({ width: 1366, height: 768 })
    await page.goto('/monitoring/board')
    assert.isTrue(await page.locator('#sidebar').isVisible())
    assert.isFalse(await page.locator('#menu-button').isVisible())
  })
})
