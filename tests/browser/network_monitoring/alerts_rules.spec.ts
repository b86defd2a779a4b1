import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { Page } from 'playwright-core'
import Alert from '#network_monitoring/models/alert'
import type SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import { GOOD_PASSWORD, createUser } from '#tests/helpers/identity'
import {
  e2eJob,
  pollAll,
  resetRules,
  seedTownOne,
  startE2eSimulator,
  testClock,
} from '#tests/helpers/alert_rules_e2e'

const clock = testClock()

async function login(page: Page, username: string) {
  await page.setViewportSize({ width: 1366, height: 768 })
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

/** Saves a screenshot when RULES_SCREENSHOTS names a directory (to look at by eye). */
async function shot(page: Page, name: string) {
  const dir = process.env.RULES_SCREENSHOTS
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: false })
}

test.group('Alert rules | done when: the simulator, the rules and the 告警中心', (group) => {
  let simulator: SnmpSimulator
  group.each.setup(() => {
    resetRules()
    return testUtils.db().wrapInGlobalTransaction()
  })
  group.setup(async () => {
    simulator = await startE2eSimulator(clock.now)
    return () => simulator.stop()
  })
  group.each.teardown(() => simulator.clearFaults())

  test('a stopped town router is ONE 设备设施故障 alert (villages linked) that resolves on recovery; a firewall trojan is a 特洛伊木马 alert of grade III', async ({
    visit,
    assert,
  }) => {
    await createUser({ roles: ['netadmin'], username: 'rules_duty', fullName: '值班网管' })
    const { router, villages } = await seedTownOne(simulator)
    const job = e2eJob(clock.now)
    try {
      await pollAll(job)
      clock.advance(60_000)
      await pollAll(job)

      // the town router stops; the firewall's anti-virus engine catches a trojan
      simulator.setFaults('town-01-rtr', { down: true })
      simulator.detectThreat('xian-fw-01', 'trojan')
      // two polls make the router down; a loaded machine may need one more for the firewall's answer
      for (let poll = 0; poll < 5; poll++) {
        clock.advance(60_000)
        await pollAll(job)
        const raised = await Alert.query().whereIn('state', ['open', 'suppressed'])
        if (poll >= 1 && raised.some((a) => a.category === 'trojan') && raised.length > 1) break
      }

      const page = await visit('/login')
      await login(page, 'rules_duty')
      await page.goto('/monitoring/alerts')
      await page.assertTextContains('h1', '告警中心')
      const rows = page.locator('#alerts-table tbody tr')
      assert.equal(await rows.count(), 2, 'one alert for the router, one for the trojan')
      const routerRow = page.locator('#alerts-table tbody tr', { hasText: 'town-01-rtr' })
      await routerRow.waitFor()
      assert.include(await routerRow.innerText(), 'town-01-rtr 无法访问（连续 2 次轮询失败）')
      assert.include(await routerRow.innerText(), '软硬件故障事件')
      const trojanRow = page.locator('#alerts-table tbody tr', { hasText: '特洛伊木马事件' })
      assert.include(await trojanRow.innerText(), 'xian-fw-01')
      assert.include(await trojanRow.innerText(), 'III级')
      await shot(page, 'rules_alert_center')

      const parent = await Alert.query().where('device_id', router.id).firstOrFail()
      await page.goto(`/monitoring/alerts/${parent.id}`)
      await page.assertTextContains('#alert-category', '设备设施故障事件')
      await page.assertTextContains('body', `归并的下级告警（${villages.length}）`)
      await shot(page, 'rules_router_alert')

      const trojan = await Alert.query().where('category', 'trojan').firstOrFail()
      await page.goto(`/monitoring/alerts/${trojan.id}`)
      await page.assertTextContains('#alert-category', '特洛伊木马事件')
      await page.assertTextContains('body', '较大（III级）')
      await shot(page, 'rules_trojan_alert')

      // the router answers again: its alert and the linked villages' resolve by themselves
      simulator.clearFaults('town-01-rtr')
      clock.advance(60_000)
      await pollAll(job)
      await page.goto(`/monitoring/alerts/${parent.id}`)
      await page.assertTextContains('#alert-state', '已解决')
      await shot(page, 'rules_router_resolved')
      const stillLive = await Alert.query()
        .whereIn('device_id', [router.id, ...villages.map((v) => v.id)])
        .whereIn('state', ['open', 'acknowledged', 'suppressed'])
      assert.lengthOf(stillLive, 0)
      // a threat waits for a person
      await trojan.refresh()
      assert.equal(trojan.state, 'open')
    } finally {
      await job.close()
    }
  })
})
