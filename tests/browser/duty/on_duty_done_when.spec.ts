/**
 * #12 done-when: a town router stops during a 重点敏感时期 → the on-duty admin receives mail
 * (a real smtp-server) → nobody acknowledges → the escalation mail reaches the next person →
 * they open the mailed link on a phone and acknowledge → recovery closes it.
 *
 * The router really stops: the SNMP simulator stops answering for it, the poller polls it (and its
 * villages) and the alert rules raise the alert. The poll clock and the duty clock move together
 * by hand instead of sleeping.
 */
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import type { Page } from 'playwright-core'
import db from '@adonisjs/lucid/services/db'
import Alert from '#network_monitoring/models/alert'
import duty from '#network_monitoring/duty/duty_service'
import { dutyClock } from '#network_monitoring/duty/duty_clock'
import { alertNotifier } from '#network_monitoring/duty/notifier'
import { defaultDutySettings, type Grade } from '#network_monitoring/duty/duty_settings'
import { mailOutbox } from '#core/mail/outbox'
import { GOOD_PASSWORD, createUser } from '#tests/helpers/identity'
import type SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import {
  e2eJob,
  pollAll,
  resetRules,
  seedTownOne,
  startE2eSimulator,
  testClock,
} from '#tests/helpers/alert_rules_e2e'
import { startSmtp } from '#tests/helpers/mail'

declare const document: { documentElement: { scrollWidth: number } }

const ACTOR = { actorId: null, actorName: 'test', ip: null }

async function netadmin(username: string, fullName: string) {
  const user = await createUser({ roles: ['netadmin'], username, fullName })
  user.email = `${username}@county.gov.test`
  await user.save()
  return user
}

async function login(page: Page, username: string) {
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
}

/** The path of the alert link in a mail's text. */
function linkIn(text: string) {
  const url = /https?:\/\/\S+\/monitoring\/alerts\/\d+/.exec(text)?.[0]
  if (!url) throw new Error(`no alert link in: ${text}`)
  return new URL(url).pathname
}

const clock = testClock()

/** Moves the poll clock (simulator, poller, rules) and the duty clock together. */
function advance(ms: number) {
  clock.advance(ms)
  dutyClock.advance(ms)
}

test.group('#12 done when: on duty in a sensitive period', (group) => {
  let simulator: SnmpSimulator
  group.each.setup(() => {
    resetRules()
    return testUtils.db().wrapInGlobalTransaction()
  })
  group.setup(async () => {
    simulator = await startE2eSimulator(clock.now)
    return () => simulator.stop()
  })
  group.each.teardown(() => {
    simulator.clearFaults()
    dutyClock.reset()
  })

  test('mail to the on-duty admin, escalation to the next person, acknowledge on a phone, recovery closes it', async ({
    visit,
    assert,
  }) => {
    const smtp = await startSmtp()
    try {
      dutyClock.reset()
      dutyClock.advance(clock.offset)
      const now = DateTime.fromJSDate(dutyClock.now()).toUTC()
      const zhang = await netadmin('dw_zhang', '张值班')
      const li = await netadmin('dw_li', '李副班')
      const wang = await netadmin('dw_wang', '王带班')
      const from = now.minus({ hours: 4 })
      const to = now.plus({ hours: 20 })
      await duty.createShift(
        { userId: zhang.id, kind: 'primary', startsAt: from, endsAt: to },
        ACTOR
      )
      await duty.createShift(
        { userId: li.id, kind: 'secondary', startsAt: from, endsAt: to },
        ACTOR
      )
      await duty.createShift({ userId: wang.id, kind: 'leader', startsAt: from, endsAt: to }, ACTOR)
      await duty.createPeriod('国庆期间', now.minus({ days: 1 }), now.plus({ days: 6 }), ACTOR)

      const { router, villages } = await seedTownOne(simulator)
      const job = e2eJob(clock.now)
      let alert: Alert | null = null
      try {
        await pollAll(job)
        advance(60_000)
        await pollAll(job)
        await mailOutbox().deliverDue()
        assert.lengthOf(smtp.messages, 0, 'a healthy county mails nobody')

        // the town router stops answering: two failed polls make it unreachable
        simulator.setFaults('town-01-rtr', { down: true })
        for (let poll = 0; poll < 5 && !alert; poll++) {
          advance(60_000)
          await pollAll(job)
          alert = await Alert.query().where('device_id', router.id).first()
        }
      } finally {
        await job.close()
      }
      if (!alert) throw new Error('the stopped router raised no alert')
      await mailOutbox().deliverDue()
      // one alert for one cause: the villages behind the router are linked, not mailed
      assert.lengthOf(smtp.messages, 1)
      assert.deepEqual(smtp.messages[0].to, [zhang.email])
      assert.include(smtp.messages[0].subject, '告警')
      assert.include(smtp.messages[0].text, router.name)
      for (const village of villages) assert.notInclude(smtp.messages[0].text, village.name)
      assert.include(smtp.messages[0].text, '重点敏感时期：国庆期间')
      assert.equal(linkIn(smtp.messages[0].text), `/monitoring/alerts/${alert.id}`)

      // nobody acknowledges: in the sensitive period the grade's (faster) deadline passes
      const minutes = defaultDutySettings().sensitiveEscalateMinutes[alert.grade as Grade]
      dutyClock.advance((minutes - 1) * 60_000)
      await alertNotifier().escalateDue()
      await mailOutbox().deliverDue()
      assert.lengthOf(smtp.messages, 1, 'not before the deadline')
      dutyClock.advance(2 * 60_000)
      await alertNotifier().escalateDue()
      await mailOutbox().deliverDue()
      assert.lengthOf(smtp.messages, 2)
      const escalation = smtp.messages[1]
      assert.deepEqual(escalation.to, [li.email])
      assert.include(escalation.subject, '升级')

      // the next person opens the mailed link on a phone, logs in and acknowledges
      const page = await visit('/login')
      await page.setViewportSize({ width: 390, height: 844 })
      page.on('dialog', (dialog) => dialog.accept())
      await page.goto(linkIn(escalation.text))
      await login(page, 'dw_li')
      await page.waitForURL((url) => url.pathname === `/monitoring/alerts/${alert.id}`)
      assert.isAtMost(await page.evaluate(() => document.documentElement.scrollWidth), 390)
      await page.locator('#ack').click()
      await page.waitForLoadState('load')
      await page.assertTextContains('#alert-state', '已确认')
      assert.isAtMost(await page.evaluate(() => document.documentElement.scrollWidth), 390)

      // acknowledged: the leader is never mailed
      dutyClock.advance(60 * 60_000)
      await alertNotifier().escalateDue()
      await mailOutbox().deliverDue()
      assert.lengthOf(smtp.messages, 2)
      assert.notInclude(
        smtp.messages.flatMap((m) => m.to),
        wang.email!
      )

      // the router answers again: the next poll resolves the alert and closes its notification
      simulator.clearFaults('town-01-rtr')
      const again = e2eJob(clock.now)
      try {
        advance(60_000)
        await pollAll(again)
      } finally {
        await again.close()
      }
      await alert.refresh()
      assert.include(['resolved', 'closed'], alert.state)
      const state = await db.from('alert_notifications').where('alert_id', alert.id).firstOrFail()
      assert.isFalse(Boolean(state.open))
      await page.reload()
      await page.assertTextContains('#alert-state', alert.state === 'closed' ? '已关闭' : '已解决')
    } finally {
      await smtp.close()
    }
  })
})
