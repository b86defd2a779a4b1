import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { Page } from 'playwright-core'
import { alertSink } from '#network_monitoring/alerts/contract'
import { GOOD_PASSWORD, createUser } from '#tests/helpers/identity'
import { createDevice, createSite } from '#tests/helpers/network'
import { unreachable } from '#tests/helpers/alerts'

/**
 * Issue #11: the board's new-alert notice. An alert below the chosen grade neither sounds nor
 * flashes the tab title; one at the grade does both; 静音 silences it, and the grade and the mute
 * survive a reload. The tone is counted through a stand-in AudioContext; the page's timers run
 * on Playwright's clock (no waiting for the 15 s refresh).
 */

/** The browser's own, for callbacks run in the page (the project's types have no DOM). */
declare const window: { __tones: number }

/** BOARD_REFRESH_SECONDS' default, plus a little: one refresh of the board. */
const ONE_REFRESH_MS = 16_000
const NEW_ALERT = '【新告警】'

/** Counts the oscillators the board starts: two per tone. */
const FAKE_AUDIO = `
  window.__tones = 0
  class FakeAudioContext {
    constructor() { this.state = 'running'; this.currentTime = 0; this.destination = {} }
    resume() { return Promise.resolve() }
    createOscillator() {
      window.__tones++
      return { frequency: {}, connect: (node) => node, start() {}, stop() {} }
    }
    createGain() {
      return {
        gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} },
        connect: (node) => node,
      }
    }
  }
  window.AudioContext = FakeAudioContext
  window.webkitAudioContext = FakeAudioContext
`

async function login(page: Page, username: string) {
  await page.setViewportSize({ width: 1366, height: 768 })
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => url.pathname !== '/login')
}

const tones = (page: Page) => page.evaluate(() => window.__tones)

/** Lets the board refresh once and waits until it lists `text`. */
async function refreshUntilListed(page: Page, text: string) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/monitoring/alerts/live.json'))
  await page.clock.runFor(ONE_REFRESH_MS)
  await answered
  await page.locator('#board-alerts-list li', { hasText: text }).waitFor()
}

test.group('Alerts | board notice by grade, and mute', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('below the grade: no tone, no flash; at the grade: both; muted: neither, and it stays muted after a reload', async ({
    visit,
    assert,
  }) => {
    await createUser({ roles: ['netadmin'], username: 'notify_duty', fullName: '值班网管' })
    const county = await createSite('county', '提示县')
    const town = await createSite('town', '提示镇', county)
    const ordinary = await createDevice(town, { name: '提示镇-普通交换机' })
    const critical = await createDevice(town, {
      name: '提示镇-核心路由器',
      criticality: 'critical',
    })
    const critical2 = await createDevice(town, { name: '提示镇-备用核心', criticality: 'critical' })

    const page = await visit('/login')
    await page.addInitScript(FAKE_AUDIO)
    await login(page, 'notify_duty')
    await page.clock.install()
    await page.goto('/monitoring/board')
    await page.waitForSelector('#board-alerts:not([hidden])')
    const title = await page.title()
    await page.locator('#alert-notify-grade').selectOption('3')

    // An ordinary switch unreachable is 一般 (IV): below III, so nothing is said.
    await alertSink().raise([unreachable(ordinary)])
    await refreshUntilListed(page, '提示镇-普通交换机 无法访问')
    await page.clock.runFor(2500)
    assert.equal(await page.title(), title)
    assert.equal(await tones(page), 0)

    // A critical router unreachable is 较大 (III): the tone plays and the title flashes.
    await alertSink().raise([unreachable(critical)])
    await refreshUntilListed(page, '提示镇-核心路由器 无法访问')
    assert.equal(await tones(page), 2, 'one two-note tone')
    await page.clock.runFor(1200)
    const flashed = await page.title()
    assert.isTrue(flashed.startsWith(NEW_ALERT))

    // 静音, then a reload: the choices are kept.
    await page.locator('#alert-mute').check()
    await page.reload()
    await page.waitForSelector('#board-alerts:not([hidden])')
    assert.isTrue(await page.locator('#alert-mute').isChecked())
    assert.equal(await page.locator('#alert-notify-grade').inputValue(), '3')
    const reloadedTitle = await page.title()
    assert.notInclude(reloadedTitle, NEW_ALERT)

    // Muted: another III alert neither sounds nor flashes.
    await alertSink().raise([unreachable(critical2)])
    await refreshUntilListed(page, '提示镇-备用核心 无法访问')
    await page.clock.runFor(2500)
    assert.equal(await tones(page), 0)
    assert.equal(await page.title(), reloadedTitle)
  }).timeout(90_000)
})
