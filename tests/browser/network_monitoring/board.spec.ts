import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import type { Page } from 'playwright-core'
import DeviceState from '#network_monitoring/models/device_state'
import MaintenanceWindow from '#network_monitoring/models/maintenance_window'
import type Device from '#network_monitoring/models/device'
import { GOOD_PASSWORD, createUser } from '#tests/helpers/identity'
import { createDevice, createSiteTree } from '#tests/helpers/network'

/** The browser's own, for the callbacks run in the page (the project's types have no DOM). */
declare function getComputedStyle(node: unknown): { backgroundImage: string; filter: string }

/** BOARD_REFRESH_SECONDS' default, plus a little: one refresh of the board. */
const ONE_REFRESH_MS = 16_000

async function login(page: Page, username: string) {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

async function polled(device: Device, status: 'up' | 'down') {
  const now = DateTime.utc()
  await DeviceState.create({
    deviceId: device.id,
    status,
    statusChangedAt: now.minus({ minutes: 10 }),
    lastPollAt: now.minus({ seconds: 30 }),
    lastOkAt: status === 'up' ? now.minus({ seconds: 30 }) : now.minus({ minutes: 10 }),
    consecutiveFailures: status === 'up' ? 0 : 5,
    lastErrorCode: status === 'up' ? null : 'E_SNMP_TIMEOUT',
    interfaceCount: 4,
  })
}

/** A town with a router (up) and two village switches: one up, one down inside a maintenance window. */
async function county() {
  await createUser({ roles: ['netadmin'], username: 'board_duty', fullName: '值班员' })
  const { town, village } = await createSiteTree('浏览器')
  const router = await createDevice(town, { name: 'town-rtr-b', deviceType: 'access_router' })
  const sw = await createDevice(village, { name: 'cun-sw-b' })
  const cut = await createDevice(village, { name: 'cun-sw-cut' })
  await polled(router, 'up')
  await polled(sw, 'up')
  await polled(cut, 'down')
  await MaintenanceWindow.create({
    deviceId: cut.id,
    startsAt: DateTime.utc().minus({ hours: 1 }),
    endsAt: DateTime.utc().plus({ hours: 2 }),
    reason: '光缆割接',
  })
  return { town, router, sw, cut }
}

test.group('Monitoring | the duty board in a browser', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a device in a maintenance window is a 维护中 tile of its own colour, not a red one', async ({
    visit,
    assert,
  }) => {
    const { town, cut } = await county()
    const page = await visit('/login')
    await login(page, 'board_duty')
    await page.goto('/monitoring/board')
    const tile = page.locator(`[data-device="${cut.id}"]`)
    assert.include((await tile.getAttribute('class')) ?? '', 'mon-maintenance')
    assert.include((await tile.getAttribute('title')) ?? '', '维护中')
    const colour = await tile.evaluate((node) => getComputedStyle(node).backgroundImage)
    assert.include(colour, 'gradient')
    const down = await page.locator('.mon-cell.mon-down').count()
    assert.equal(down, 0)
    await page.assertTextContains('.mon-total-maintenance', '1')
    await page.assertTextContains('.mon-total-maintenance', '维护中')
    await page.assertTextContains('.mon-total-down', '0')
    await page.assertTextContains('#board-no-down', '当前没有离线设备')
    // the town card: no red "0", a maintenance badge instead
    await page.assertNotVisible(`[data-count="${town.id}:down"]`)
    await page.assertVisible(`[data-count="${town.id}:maintenance"]`)
    await page.assertTextContains('.mon-legend-line', '维护中')
  })

  test('when the session ends, the next refresh covers the board with 数据已停止更新 and marks the tab', async ({
    visit,
    assert,
  }) => {
    const { sw } = await county()
    const page = await visit('/login')
    await login(page, 'board_duty')
    await page.clock.install()
    await page.goto('/monitoring/board')
    const title = await page.title()
    await page.assertNotVisible('#board-stale')

    // one refresh goes through: nothing to say
    await page.clock.runFor(ONE_REFRESH_MS)
    await page.waitForResponse((response) => response.url().endsWith('/monitoring/board.json'))
    await page.assertNotVisible('#board-stale')

    // the session ends elsewhere (idle time-out, logout in another tab)
    const other = await page.context().newPage()
    await other.goto('/monitoring/board')
    await other.getByRole('button', { name: '退出登录' }).click()
    await other.waitForURL((url) => url.pathname === '/login')
    await other.close()

    await page.clock.runFor(ONE_REFRESH_MS)
    await page.locator('#board-stale').waitFor({ state: 'visible' })
    await page.assertTextContains('#board-stale', '数据已停止更新，请重新登录')
    await page.assertTextContains('#board-stale', '登录会话已过期或已退出')
    await page.assertTextContains('#board-stale', '画面停留在')
    assert.equal(await page.title(), `【已停止更新】${title}`)
    // the stale tiles are no longer green underneath
    const filter = await page.locator('#board').evaluate((node) => getComputedStyle(node).filter)
    assert.include(filter, 'grayscale(1)')
    assert.include(
      (await page.locator(`[data-device="${sw.id}"]`).getAttribute('class')) ?? '',
      'mon-up'
    )

    // the link leads back through the login page to the board
    await page.getByRole('link', { name: '重新登录' }).click()
    await page.waitForURL((url) => url.pathname === '/login')
  })

  test('a network failure covers the board too, and it clears itself when the server answers again', async ({
    visit,
    assert,
  }) => {
    await county()
    const page = await visit('/login')
    await login(page, 'board_duty')
    await page.clock.install()
    await page.goto('/monitoring/board')
    const title = await page.title()

    await page.route('**/monitoring/board.json', (route) => route.abort('connectionrefused'))
    await page.clock.runFor(ONE_REFRESH_MS)
    await page.locator('#board-stale').waitFor({ state: 'visible' })
    await page.assertTextContains('#board-stale', '数据已停止更新')
    await page.assertTextContains('#board-stale', '无法连接服务器')
    assert.notEqual(await page.title(), title)

    await page.unroute('**/monitoring/board.json')
    await page.clock.runFor(ONE_REFRESH_MS)
    await page.locator('#board-stale').waitFor({ state: 'hidden' })
    assert.equal(await page.title(), title)
  })
})
