import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { Page } from 'playwright-core'
import Alert from '#network_monitoring/models/alert'
import { alertSink } from '#network_monitoring/alerts/contract'
import { GOOD_PASSWORD, createUser } from '#tests/helpers/identity'
import { createDevice, createSite } from '#tests/helpers/network'
import { threat, unreachable } from '#tests/helpers/alerts'

/** The browser's own, for callbacks run in the page (the project's types have no DOM). */
declare const document: { title: string }

async function login(page: Page, username: string) {
  await page.setViewportSize({ width: 1366, height: 768 })
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

/** Saves a screenshot when ALERT_SCREENSHOTS names a directory (to look at by eye). */
async function shot(page: Page, name: string) {
  const dir = process.env.ALERT_SCREENSHOTS
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: false })
}

/** A town router with two villages behind it, and a firewall that saw a trojan. */
async function county() {
  await createUser({ roles: ['netadmin'], username: 'alert_duty', fullName: '值班网管' })
  const root = await createSite('county', '示范县')
  const town = await createSite('town', '城关镇', root)
  const villages = [
    await createSite('village', '东风村', town),
    await createSite('village', '红旗村', town),
  ]
  const router = await createDevice(town, {
    name: '城关镇-接入路由器',
    deviceType: 'access_router',
    criticality: 'important',
  })
  const children = [
    await createDevice(villages[0], { name: '东风村-交换机', parentDeviceId: router.id }),
    await createDevice(villages[1], { name: '红旗村-交换机', parentDeviceId: router.id }),
  ]
  const firewall = await createDevice(root, {
    name: '县中心-防火墙',
    deviceType: 'firewall',
    criticality: 'critical',
  })
  const at = new Date(Date.now() - 20 * 60_000)
  await alertSink().raise([
    unreachable(router, at),
    unreachable(children[0], at),
    unreachable(children[1], at),
    threat('fw-1', { deviceId: firewall.id, siteId: root.id, occurredAt: at }),
  ])
  return { town, router, children, firewall }
}

test.group('Alerts | 告警中心 in a browser', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the netadmin finds the town router alert (villages linked), acknowledges and resolves a trojan with its 处置记录', async ({
    visit,
    assert,
  }) => {
    const { router } = await county()
    const page = await visit('/login')
    await login(page, 'alert_duty')
    await page.goto('/monitoring/alerts')
    await page.assertTextContains('h1', '告警中心')
    // One alert for one cause: the villages are linked behind the router, not listed.
    assert.equal(await page.locator('#alerts-table tbody tr').count(), 2)
    await page.assertTextContains('#alerts-table', '城关镇-接入路由器 无法访问')
    await shot(page, 'alerts_index')

    const parent = await Alert.query().where('device_id', router.id).firstOrFail()
    await page.goto(`/monitoring/alerts/${parent.id}`)
    await page.assertTextContains('body', '归并的下级告警（2）')
    await page.assertTextContains('#alert-category', '设备设施故障事件')

    const trojan = await Alert.query().where('category', 'trojan').firstOrFail()
    await page.goto(`/monitoring/alerts/${trojan.id}`)
    page.on('dialog', (dialog) => dialog.accept())
    await page.locator('#ack').click()
    await page.waitForSelector('.flash-success')
    await page.assertTextContains('#alert-state', '已确认')
    await page.locator('textarea[name="cause"]').first().fill('办公终端访问恶意网址')
    await page.locator('textarea[name="action"]').first().fill('隔离终端并全盘查杀')
    await page.locator('#resolve').click()
    await page.waitForSelector('.flash-success')
    await page.assertTextContains('#alert-state', '已解决')
    await page.assertTextContains('#handling-records', '隔离终端并全盘查杀')
    await shot(page, 'alert_detail')

    await page.goto('/monitoring/alert-overview')
    await page.assertTextContains('h1', '告警态势')
    assert.isAbove(await page.locator('#category-chart rect').count(), 0)
    await shot(page, 'alerts_dashboard')
  })

  test('the board flashes the tab title on a new alert at or above the chosen grade', async ({
    visit,
    assert,
  }) => {
    const { town } = await county()
    const page = await visit('/login')
    await login(page, 'alert_duty')
    await page.goto('/monitoring/board')
    await page.waitForSelector('#board-alerts:not([hidden])')
    await page.assertTextContains(`[data-group="${town.id}"] header`, '1')
    await page.locator('#alert-notify-grade').selectOption('4')
    await shot(page, 'board_alerts')
    const title = await page.title()
    assert.notInclude(title, '【新告警】')

    const another = await createDevice(town, { name: '城关镇-备用路由器' })
    await alertSink().raise([unreachable(another)])
    await page.waitForFunction(() => document.title.startsWith('【新告警】'), undefined, {
      timeout: 40_000,
    })
    const stored = await page.evaluate(() =>
      (globalThis as any).localStorage.getItem('shuzhi.alerts.notifyGrade')
    )
    assert.equal(stored, '4')
  })
})
