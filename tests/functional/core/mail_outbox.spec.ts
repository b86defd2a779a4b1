import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import OutboxMail from '#core/mail/outbox_mail'
import { MailOutbox, backoffSeconds, queueMail } from '#core/mail/outbox'
import type { MailTransport } from '#core/mail/transport'
import AuditEvent from '#core/audit/audit_event'
import { createUser } from '#tests/helpers/identity'
import { manualClock, startSmtp } from '#tests/helpers/mail'

const SETTINGS = {
  cron: '* * * * *',
  retryBaseSeconds: 30,
  retryMaxSeconds: 600,
  maxAttempts: 30,
  staleSendingMinutes: 10,
}

function message(n: number) {
  return {
    kind: 'alert.notice',
    to: `duty${n}@example.test`,
    subject: `告警通知 第${n}封 · Router ✓`,
    text: `正文 ${n}`,
  }
}

test.group('Mail outbox (邮件发件箱)', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('mail queued in a transaction that rolls back is never sent', async ({ assert }) => {
    await db
      .transaction(async (trx) => {
        await queueMail(message(1), trx)
        throw new Error('the change failed')
      })
      .catch(() => {})
    assert.equal(
      await OutboxMail.query()
        .count('* as total')
        .first()
        .then((r) => Number(r!.$extras.total)),
      0
    )
  })

  test('SMTP down for an hour: everything is delivered after, in order, none twice', async ({
    assert,
  }) => {
    const smtp = await startSmtp()
    const clock = manualClock()
    const outbox = new MailOutbox({ now: clock.now, settings: SETTINGS })
    try {
      await smtp.stop()
      for (let n = 1; n <= 4; n++) await queueMail(message(n))

      // An hour of ticks every 30 seconds while the server is down: nothing goes, nothing is lost.
      let attempts = 0
      for (let minute = 0; minute < 60; minute += 0.5) {
        const outcome = await outbox.deliverDue()
        attempts += outcome.deferred
        assert.equal(outcome.sent, 0)
        clock.advance(30_000)
      }
      const waiting = await OutboxMail.query().orderBy('id')
      assert.deepEqual(
        waiting.map((row) => row.status),
        ['queued', 'queued', 'queued', 'queued']
      )
      // exponential backoff: 30 s, 60 s, 120 s … capped at 10 min → about 9 tries in an hour, not 120
      assert.isAtLeast(attempts, 6)
      assert.isAtMost(attempts, 12)
      assert.equal(waiting[0].attempts, attempts)
      assert.equal(waiting[1].attempts, 0, 'later mail waits behind the first one')
      assert.include(waiting[0].lastError ?? '', 'ECONNREFUSED')

      await smtp.start()
      clock.advance(600_000)
      // Two senders at once (two ticks, or two processes): each row is claimed once.
      const second = new MailOutbox({ now: clock.now, settings: SETTINGS })
      await Promise.all([outbox.deliverDue(), second.deliverDue(), outbox.deliverDue()])
      await outbox.deliverDue()

      assert.deepEqual(
        smtp.messages.map((m) => m.subject),
        [1, 2, 3, 4].map((n) => message(n).subject)
      )
      assert.deepEqual(
        smtp.messages.map((m) => m.to[0]),
        [1, 2, 3, 4].map((n) => `duty${n}@example.test`)
      )
      assert.equal(new Set(smtp.messages.map((m) => m.messageId)).size, 4)
      const sent = await OutboxMail.query().orderBy('id')
      assert.isTrue(sent.every((row) => row.status === 'sent' && row.sentAt !== null))
    } finally {
      await smtp.close()
    }
  })

  test('a permanent refusal fails that mail at once and does not hold back the others', async ({
    assert,
  }) => {
    const delivered: string[] = []
    const transport: MailTransport = {
      async send(m) {
        if (m.to.address === 'nobody@example.test') {
          throw Object.assign(new Error('550 mailbox unavailable'), { responseCode: 550 })
        }
        delivered.push(m.to.address)
      },
    }
    const outbox = new MailOutbox({ transport, settings: SETTINGS })
    await queueMail({ ...message(1), to: 'nobody@example.test' })
    await queueMail(message(2))
    const outcome = await outbox.deliverDue()
    assert.deepEqual(outcome, { sent: 1, deferred: 0, failed: 1 })
    assert.deepEqual(delivered, ['duty2@example.test'])
    const failed = await OutboxMail.query().where('status', 'failed').firstOrFail()
    assert.include(failed.lastError!, '550')
  })

  test('a greylisted mailbox (4xx) defers only its own mail; it goes once its retry is due', async ({
    assert,
  }) => {
    const clock = manualClock()
    let greylisting = true
    const delivered: string[] = []
    const transport: MailTransport = {
      async send(m) {
        if (greylisting && m.to.address === 'grey@example.test') {
          throw Object.assign(new Error('451 try again later'), { responseCode: 451 })
        }
        delivered.push(m.to.address)
      },
    }
    const outbox = new MailOutbox({ transport, now: clock.now, settings: SETTINGS })
    await queueMail({ ...message(1), to: 'grey@example.test' })
    await queueMail(message(2))
    assert.deepEqual(await outbox.deliverDue(), { sent: 1, deferred: 1, failed: 0 })
    assert.deepEqual(delivered, ['duty2@example.test'])
    greylisting = false
    clock.advance(29_000)
    await outbox.deliverDue()
    assert.lengthOf(delivered, 1, 'not before its 30 s backoff')
    clock.advance(2_000)
    await outbox.deliverDue()
    assert.deepEqual(delivered, ['duty2@example.test', 'grey@example.test'])
  })

  test('backoff doubles and is capped', ({ assert }) => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => backoffSeconds(n, SETTINGS)),
      [30, 60, 120, 240, 480, 600, 600]
    )
  })
})

test.group('邮件发送记录 page', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the sysadmin filters the log, exports CSV and resends a failed mail (audited)', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    const failedId = await queueMail({ ...message(1), to: 'broken@example.test' })
    await queueMail(message(2))
    await db
      .from('mail_outbox')
      .where('id', failedId)
      .update({ status: 'failed', attempts: 30, last_error: '550 mailbox unavailable' })

    const page = await client.get('/admin/mail?status=failed').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('邮件发送记录')
    page.assertTextIncludes('broken@example.test')
    page.assertTextIncludes('550 mailbox unavailable')
    assert.notInclude(page.text(), 'duty2@example.test')

    const csv = await client.get('/admin/mail?format=csv').loginAs(admin)
    assert.include(csv.text(), '收件人')
    assert.include(csv.text(), 'duty2@example.test')

    const resend = await client
      .post(`/admin/mail/${failedId}/resend`)
      .header('referer', '/admin/mail')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    resend.assertStatus(302)
    const row = await OutboxMail.findOrFail(failedId)
    assert.equal(row.status, 'queued')
    assert.equal(row.attempts, 0)
    const event = await AuditEvent.query().where('action', 'mail.resend').firstOrFail()
    assert.equal(event.targetId, String(failedId))

    // a second click finds nothing to resend
    await client
      .post(`/admin/mail/${failedId}/resend`)
      .header('referer', '/admin/mail')
      .loginAs(admin)
      .withCsrfToken()
    assert.equal(
      await AuditEvent.query()
        .where('action', 'mail.resend')
        .count('* as n')
        .first()
        .then((r) => Number(r!.$extras.n)),
      1
    )
  })

  test('the mail log names every kind in Chinese and refuses a date range ending before it starts', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['sysadmin'] })
    await queueMail({ ...message(1), kind: 'review.acceptance_passed', subject: '验收通过：XM-1' })
    await queueMail({ ...message(2), kind: 'review.revision_requested', subject: '退回修改：XM-2' })

    const page = await client.get('/admin/mail').loginAs(admin)
    page.assertTextIncludes('验收通过通知')
    page.assertTextIncludes('退回修改通知')
    assert.notInclude(page.text(), '>review.acceptance_passed<')

    const byKind = await client.get('/admin/mail?kind=review.acceptance_passed').loginAs(admin)
    byKind.assertTextIncludes('验收通过：XM-1')
    assert.notInclude(byKind.text(), '退回修改：XM-2')

    const reversed = await client.get('/admin/mail?from=2026-12-01&until=2026-11-01').loginAs(admin)
    reversed.assertStatus(200)
    reversed.assertTextIncludes('截止日期不能早于起始日期。')

    const wrongType = await client.get('/admin/mail?to[]=x').loginAs(admin)
    wrongType.assertTextIncludes('收件人')
    assert.notInclude(wrongType.text(), '截止日期必须是文本')
  })

  test('nobody but the sysadmin sees or resends mail', async ({ client, assert }) => {
    const netadmin = await createUser({ roles: ['netadmin'] })
    const id = await queueMail(message(1))
    const list = await client.get('/admin/mail').loginAs(netadmin)
    list.assertStatus(403)
    const resend = await client.post(`/admin/mail/${id}/resend`).loginAs(netadmin).withCsrfToken()
    resend.assertStatus(403)
    const row = await OutboxMail.findOrFail(id)
    assert.equal(row.status, 'queued')
  })
})
