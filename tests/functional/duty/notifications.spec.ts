import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#core/audit/audit_event'
import OutboxMail from '#core/mail/outbox_mail'
import duty from '#network_monitoring/duty/duty_service'
import { AlertNotifier, type AlertInfo } from '#network_monitoring/duty/notifier'
import { defaultDutySettings, saveDutySettings } from '#network_monitoring/duty/duty_settings'
import type { AlertChange } from '#network_monitoring/alerts/contract'
import { createUser } from '#tests/helpers/identity'
import { manualClock } from '#tests/helpers/mail'

const ACTOR = { actorId: null, actorName: 'test', ip: null }
const bj = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' })
const MINUTE = 60_000

async function person(name: string, email: boolean = true) {
  const user = await createUser({ roles: ['netadmin'], fullName: name })
  user.email = email ? `${user.username}@example.test` : null
  await user.save()
  return user
}

/** 张 on duty, 李 second, 王 leader on 2026-10-01 08:00 → 10-02 08:00 (Beijing). */
async function roster(options: { secondEmail?: boolean } = {}) {
  const zhang = await person('张值班')
  const li = await person('李副班', options.secondEmail ?? true)
  const wang = await person('王带班')
  const from = bj('2026-10-01T08:00')
  const to = bj('2026-10-02T08:00')
  await duty.createShift({ userId: zhang.id, kind: 'primary', startsAt: from, endsAt: to }, ACTOR)
  await duty.createShift({ userId: li.id, kind: 'secondary', startsAt: from, endsAt: to }, ACTOR)
  await duty.createShift({ userId: wang.id, kind: 'leader', startsAt: from, endsAt: to }, ACTOR)
  return { zhang, li, wang }
}

function setup(start = bj('2026-10-01T12:00')) {
  const clock = manualClock(start.toJSDate())
  const alerts = new Map<number, AlertInfo>()
  const notifier = new AlertNotifier({ now: clock.now, lookup: async () => alerts })
  let next = 9000
  const raise = async (grade: 1 | 2 | 3 | 4, title = '乡镇路由器 城关镇-R1 不可达') => {
    const id = next++
    alerts.set(id, {
      id,
      grade,
      title,
      status: 'open',
      deviceName: '城关镇-R1',
      siteName: '城关镇',
      occurredAt: clock.now(),
    })
    const change: AlertChange = { type: 'raised', alertId: id, grade, at: clock.now() }
    await notifier.handle([change])
    return id
  }
  const ack = async (id: number) => {
    alerts.get(id)!.status = 'acknowledged'
    await notifier.handle([
      { type: 'acknowledged', alertId: id, grade: alerts.get(id)!.grade, at: clock.now() },
    ])
  }
  return { clock, notifier, raise, ack }
}

async function mails(kind?: string) {
  const query = OutboxMail.query().orderBy('id')
  if (kind) query.where('kind', kind)
  return query
}

test.group('告警通知 | notification policy', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a new alert at or above the mail grade mails the admin on duty, with a link to the alert', async ({
    assert,
  }) => {
    const { zhang } = await roster()
    const { raise } = setup()
    const id = await raise(2)
    await raise(4, '接口利用率偏高')
    const sent = await mails()
    assert.lengthOf(sent, 1, 'grade IV is below the normal threshold (III)')
    assert.equal(sent[0].toAddress, zhang.email)
    assert.equal(sent[0].kind, 'alert.notice')
    assert.include(sent[0].subject, '重大（II级）')
    assert.include(sent[0].text, `/monitoring/alerts/${id}`)
    assert.include(sent[0].text, '城关镇-R1')
  })

  test('in a sensitive period lower grades are mailed and escalation is faster', async ({
    assert,
  }) => {
    const { zhang, li } = await roster()
    await duty.createPeriod('国庆期间', bj('2026-10-01T00:00'), bj('2026-10-08T00:00'), ACTOR)
    const { raise, clock, notifier } = setup()
    await raise(4, '接口利用率偏高')
    const notice = await mails('alert.notice')
    assert.lengthOf(notice, 1)
    assert.equal(notice[0].toAddress, zhang.email)
    assert.include(notice[0].text, '重点敏感时期：国庆期间')
    // grade IV escalates after 15 min in a sensitive period (60 min otherwise)
    clock.advance(14 * MINUTE)
    assert.equal(await notifier.escalateDue(), 0)
    clock.advance(2 * MINUTE)
    assert.equal(await notifier.escalateDue(), 1)
    const escalation = await mails('alert.escalation')
    assert.deepEqual(
      escalation.map((m) => m.toAddress),
      [li.email]
    )
  })

  test('not acknowledged: escalates to the next person, then the leader; acknowledged: stops', async ({
    assert,
  }) => {
    const { li, wang } = await roster()
    const { raise, ack, clock, notifier } = setup()
    const first = await raise(2)
    const second = await raise(2, '汇聚交换机 接口中断')
    await ack(second)
    clock.advance(16 * MINUTE) // grade II: 15 minutes
    await notifier.escalateDue()
    let escalations = await mails('alert.escalation')
    assert.deepEqual(
      escalations.map((m) => [m.toAddress, m.refId]),
      [[li.email, String(first)]]
    )
    assert.include(escalations[0].subject, '升级')
    // running the job again at the same time escalates nothing twice
    await notifier.escalateDue()
    assert.lengthOf(await mails('alert.escalation'), 1)
    clock.advance(16 * MINUTE)
    await notifier.escalateDue()
    escalations = await mails('alert.escalation')
    assert.deepEqual(
      escalations.map((m) => m.toAddress),
      [li.email, wang.email]
    )
    await ack(first)
    clock.advance(60 * MINUTE)
    await notifier.escalateDue()
    assert.lengthOf(await mails('alert.escalation'), 2)
  })

  test('an escalation target without an e-mail address is skipped, audited, and the leader is mailed', async ({
    assert,
  }) => {
    const { li, wang } = await roster({ secondEmail: false })
    const { raise, clock, notifier } = setup()
    const id = await raise(1, '核心交换机 不可达')
    clock.advance(11 * MINUTE) // grade I: 10 minutes
    await notifier.escalateDue()
    const escalations = await mails('alert.escalation')
    assert.deepEqual(
      escalations.map((m) => m.toAddress),
      [wang.email]
    )
    const skipped = await AuditEvent.query()
      .where('action', 'duty.escalation_skipped')
      .firstOrFail()
    assert.equal(skipped.targetId, String(id))
    assert.equal(skipped.outcome, 'failure')
    assert.equal(skipped.detailsObject.username, li.username)
  })

  test('a roster gap sends the alert to the fallback address', async ({ assert }) => {
    await roster()
    await db.transaction(async (trx) => {
      await saveDutySettings(
        { ...defaultDutySettings(), fallbackEmail: 'noc@county.gov.test' },
        trx
      )
    })
    const { raise } = setup(bj('2026-10-02T09:00')) // the shifts ended at 08:00
    await raise(2)
    const sent = await mails()
    assert.deepEqual(
      sent.map((m) => m.toAddress),
      ['noc@county.gov.test']
    )
    assert.include(sent[0].text, '当前无人值班')
  })

  test('a storm raised in one batch: the first M are mailed in order, the rest wait for the digest, without reading every alert', async ({
    assert,
  }) => {
    const { zhang } = await roster()
    const clock = manualClock(bj('2026-10-01T12:00').toJSDate())
    const looked: number[][] = []
    const transactions: number[] = []
    let turns = 0
    const notifier = new AlertNotifier({
      now: clock.now,
      breathe: async () => {
        turns++
      },
      lookup: async (ids) => {
        looked.push(ids)
        return new Map(
          ids.map((id) => [
            id,
            {
              id,
              grade: id % 3 === 20_000 % 3 ? 4 : 2,
              title: `告警 ${id}`,
              status: 'open',
              occurredAt: clock.now(),
            },
          ])
        )
      },
    })
    const changes: AlertChange[] = Array.from({ length: 450 }, (_, i) => ({
      type: 'raised' as const,
      alertId: 20_000 + i,
      grade: i % 3 === 0 ? 4 : 2,
      at: clock.now(),
    }))
    const transaction = db.transaction.bind(db)
    db.transaction = ((callback: unknown) => {
      transactions.push(1)
      return (transaction as (cb: unknown) => Promise<unknown>)(callback)
    }) as typeof db.transaction
    try {
      await notifier.handle(changes)
    } finally {
      db.transaction = transaction
    }
    assert.equal(turns, 3, 'the event loop gets a turn before each chunk of 200 new alerts')
    const notices = await mails('alert.notice')
    const threshold = defaultDutySettings().stormThreshold
    assert.lengthOf(notices, threshold)
    assert.deepEqual(
      notices.map((mail) => mail.text.match(/告警 (\d+)/)?.[1]),
      changes
        .filter((c) => c.grade === 2)
        .slice(0, threshold)
        .map((c) => String(c.alertId)),
      'the first alerts are mailed, in the order they were raised'
    )
    assert.equal(notices[0].toAddress, zhang.email)
    const rows = await db.from('alert_notifications').select('mode')
    assert.lengthOf(rows, 450, 'every new alert gets its notification row')
    assert.equal(rows.filter((r) => r.mode === 'skipped').length, 150)
    assert.equal(rows.filter((r) => r.mode === 'digest').length, 300 - threshold)
    assert.isAtMost(
      looked.flat().length,
      threshold,
      'only the alerts that may be mailed are looked up'
    )
    assert.isAtMost(transactions.length, 3, 'a few transactions, not one per alert')
  })

  test('a storm: more than M alerts in the window become one digest mail', async ({ assert }) => {
    const { zhang } = await roster()
    await db.transaction(async (trx) => {
      await saveDutySettings(
        { ...defaultDutySettings(), stormThreshold: 3, stormWindowMinutes: 10 },
        trx
      )
    })
    const { raise, clock, notifier } = setup()
    for (let n = 1; n <= 12; n++) {
      await raise(2, `村级接入路由器 ${n} 不可达`)
      clock.advance(10_000)
    }
    assert.lengthOf(await mails('alert.notice'), 3)
    assert.equal(await notifier.sendDigest(), 9)
    // nothing more to digest, and at most one digest per window
    assert.equal(await notifier.sendDigest(), 0)
    const digests = await mails('alert.digest')
    assert.lengthOf(digests, 1)
    assert.equal(digests[0].toAddress, zhang.email)
    assert.include(digests[0].subject, '9 条告警')
    assert.include(digests[0].text, '村级接入路由器 12 不可达')
    await raise(2, '又一条')
    clock.advance(5 * MINUTE)
    assert.equal(await notifier.sendDigest(), 0, 'the next digest waits for the window')
    clock.advance(6 * MINUTE)
    assert.equal(await notifier.sendDigest(), 1)
  })
})
