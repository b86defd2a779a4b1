import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditEvent from '#core/audit/audit_event'
import DutyShift from '#network_monitoring/duty/duty_shift'
import duty, { DutyError } from '#network_monitoring/duty/duty_service'
import { dutyClock } from '#network_monitoring/duty/duty_clock'
import { coverageGaps } from '#network_monitoring/duty/roster'
import SensitivePeriod from '#network_monitoring/duty/sensitive_period'
import { loadDutySettings } from '#network_monitoring/duty/duty_settings'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'

const ACTOR = { actorId: null, actorName: 'test', ip: null }
const bj = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' })

async function staff(name: string, email = true) {
  const user = await createUser({ roles: ['netadmin'], fullName: name })
  user.email = email ? `${user.username}@example.test` : null
  user.phone = '13800000000'
  await user.save()
  return user
}

test.group('值班表 | roster rules', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.teardown(() => dutyClock.reset())

  test('a shift overlapping another of the same person is refused in Chinese; nothing is stored', async ({
    client,
    assert,
  }) => {
    const zhang = await staff('张值班')
    const li = await staff('李值班')
    await duty.createShift(
      {
        userId: zhang.id,
        kind: 'primary',
        startsAt: bj('2026-10-01T08:00'),
        endsAt: bj('2026-10-02T08:00'),
      },
      ACTOR
    )
    const response = await client
      .post('/monitoring/duty/shifts')
      .header('referer', '/monitoring/duty?week=2026-09-28')
      .loginAs(zhang)
      .form({
        userId: String(zhang.id),
        kind: 'primary',
        startsAt: '2026-10-01T20:00',
        endsAt: '2026-10-02T20:00',
      })
      .withCsrfToken()
    response.assertTextIncludes(
      '张值班 在 10-01 08:00 至 10-02 08:00 已有值班，同一人的值班时间不能重叠。'
    )
    assert.equal(
      await DutyShift.query()
        .where('user_id', zhang.id)
        .count('* as n')
        .first()
        .then((r) => Number(r!.$extras.n)),
      1
    )

    // another person at the same time is fine (two on duty), and back-to-back shifts are fine
    await duty.createShift(
      {
        userId: li.id,
        kind: 'secondary',
        startsAt: bj('2026-10-01T20:00'),
        endsAt: bj('2026-10-02T20:00'),
      },
      ACTOR
    )
    await duty.createShift(
      {
        userId: zhang.id,
        kind: 'primary',
        startsAt: bj('2026-10-02T08:00'),
        endsAt: bj('2026-10-03T08:00'),
      },
      ACTOR
    )
    await assert.rejects(
      () =>
        duty.createShift(
          {
            userId: zhang.id,
            kind: 'primary',
            startsAt: bj('2026-10-03T08:00'),
            endsAt: bj('2026-10-03T07:00'),
          },
          ACTOR
        ),
      DutyError
    )
  })

  test('copy last week copies every shift in one transaction; one clash copies nothing', async ({
    assert,
  }) => {
    const zhang = await staff('张值班')
    const li = await staff('李值班')
    for (let d = 0; d < 7; d++) {
      const start = bj('2026-09-21T08:00').plus({ days: d })
      await duty.createShift(
        {
          userId: d % 2 ? li.id : zhang.id,
          kind: 'primary',
          startsAt: start,
          endsAt: start.plus({ days: 1 }),
        },
        ACTOR
      )
    }
    // li already has a shift next week that clashes with a copy
    await duty.createShift(
      {
        userId: li.id,
        kind: 'primary',
        startsAt: bj('2026-09-29T10:00'),
        endsAt: bj('2026-09-29T12:00'),
      },
      ACTOR
    )
    await assert.rejects(() => duty.copyLastWeek(bj('2026-09-28'), ACTOR), /overlap/)
    const next = () =>
      DutyShift.query().where('starts_at', '>=', '2026-09-28 00:00:00').orderBy('starts_at')
    assert.lengthOf(await next(), 1, 'nothing of the refused copy was kept')

    await DutyShift.query().where('starts_at', '>=', '2026-09-28 00:00:00').delete()
    assert.equal(await duty.copyLastWeek(bj('2026-09-28'), ACTOR), 7)
    const copied = await next()
    assert.lengthOf(copied, 7)
    assert.equal(
      copied[0].startsAt.setZone('Asia/Shanghai').toFormat('yyyy-MM-dd HH:mm'),
      '2026-09-28 08:00'
    )
    const event = await AuditEvent.query().where('action', 'duty.copy_week').firstOrFail()
    assert.equal(event.detailsObject.copied, 7)
  })

  test('a swap needs a reason, moves the shift and is audited with it', async ({
    client,
    assert,
  }) => {
    const zhang = await staff('张值班')
    const wang = await staff('王值班')
    const shift = await duty.createShift(
      {
        userId: zhang.id,
        kind: 'primary',
        startsAt: bj('2026-10-05T08:00'),
        endsAt: bj('2026-10-06T08:00'),
      },
      ACTOR
    )
    const noReason = await client
      .post(`/monitoring/duty/shifts/${shift.id}/swap`)
      .header('referer', '/monitoring/duty')
      .loginAs(zhang)
      .form({ toUserId: String(wang.id), reason: '' })
      .withCsrfToken()
    noReason.assertTextIncludes('换班原因')
    const unchanged = await DutyShift.findOrFail(shift.id)
    assert.equal(unchanged.userId, zhang.id)

    const swapped = await client
      .post(`/monitoring/duty/shifts/${shift.id}/swap`)
      .header('referer', '/monitoring/duty?week=2026-10-05')
      .loginAs(zhang)
      .form({ toUserId: String(wang.id), reason: '家中有事，与王值班调班' })
      .withCsrfToken()
    swapped.assertTextIncludes('已换班，该班次现由 王值班 值班。')
    const moved = await DutyShift.findOrFail(shift.id)
    assert.equal(moved.userId, wang.id)
    const event = await AuditEvent.query().where('action', 'duty.swap').firstOrFail()
    assert.equal(event.detailsObject.reason, '家中有事，与王值班调班')
  })

  test('the board shows who is on duty now, and 无人值班 in red on a gap', async ({ client }) => {
    const zhang = await staff('张值班')
    dutyClock.set(bj('2026-10-01T12:00').toJSDate())
    await duty.createShift(
      {
        userId: zhang.id,
        kind: 'primary',
        startsAt: bj('2026-10-01T08:00'),
        endsAt: bj('2026-10-02T08:00'),
        phone: '13912345678',
      },
      ACTOR
    )
    const covered = await client.get('/monitoring/board').loginAs(zhang)
    covered.assertTextIncludes('当前值班')
    covered.assertTextIncludes('<b>张值班</b>')
    covered.assertTextIncludes('13912345678')
    assertNotIncludes(covered, 'id="duty-nobody"')

    dutyClock.set(bj('2026-10-02T09:00').toJSDate())
    const gap = await client.get('/monitoring/board').loginAs(zhang)
    gap.assertTextIncludes('class="card duty-now duty-gap"')
    gap.assertTextIncludes('<p class="duty-nobody" id="duty-nobody">无人值班')
  })

  test('a sensitive period without 24-hour cover shows its gaps on the week page', async ({
    client,
  }) => {
    const zhang = await staff('张值班')
    await duty.createPeriod('国庆期间', bj('2026-10-01T00:00'), bj('2026-10-02T00:00'), ACTOR)
    await duty.createShift(
      {
        userId: zhang.id,
        kind: 'primary',
        startsAt: bj('2026-10-01T08:00'),
        endsAt: bj('2026-10-01T20:00'),
      },
      ACTOR
    )
    const page = await client.get('/monitoring/duty?week=2026-09-28').loginAs(zhang)
    page.assertTextIncludes('重点敏感时期须24小时在岗值班')
    page.assertTextIncludes('国庆期间：10-01 00:00 至 10-01 08:00')
    page.assertTextIncludes('国庆期间：10-01 20:00 至 10-02 00:00')
    const month = await client.get('/monitoring/duty/month?month=2026-10').loginAs(zhang)
    month.assertTextIncludes('2026-10 值班月历')
    month.assertTextIncludes('张值班')
  })

  test('coverage gaps are the uncovered parts, in order', ({ assert }) => {
    assert.deepEqual(
      coverageGaps(
        [
          { start: 2, end: 4 },
          { start: 3, end: 6 },
          { start: 8, end: 9 },
        ],
        0,
        10
      ),
      [
        { start: 0, end: 2 },
        { start: 6, end: 8 },
        { start: 9, end: 10 },
      ]
    )
    assert.deepEqual(coverageGaps([{ start: 0, end: 10 }], 0, 10), [])
  })

  test('only network administrators see or change the roster', async ({ client }) => {
    const reviewer = await createUser({ roles: ['reviewer'] })
    const page = await client.get('/monitoring/duty').loginAs(reviewer)
    page.assertStatus(403)
  })
})

test.group('值班表 | bad input', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  const settingsForm = (overrides: Record<string, string> = {}) => ({
    mailGrade: '3',
    sensitiveMailGrade: '4',
    escalate1: '10',
    escalate2: '15',
    escalate3: '30',
    escalate4: '60',
    sensitive1: '5',
    sensitive2: '5',
    sensitive3: '10',
    sensitive4: '15',
    stormThreshold: '10',
    stormWindowMinutes: '10',
    fallbackEmail: 'noc@localhost',
    leaderUserId: '',
    ...overrides,
  })

  for (const [label, startsAt, endsAt] of [
    ['year 0001', '0001-01-01T08:00', '0001-01-01T20:00'],
    ['year 9999', '9999-12-31T08:00', '9999-12-31T20:00'],
    ['30 February', '2026-02-30T08:00', '2026-02-30T20:00'],
  ]) {
    test(`a shift on an impossible date (${label}) is refused in Chinese; nothing is stored`, async ({
      client,
      assert,
    }) => {
      const zhang = await staff('张值班')
      const response = await client
        .post('/monitoring/duty/shifts')
        .header('referer', '/monitoring/duty')
        .loginAs(zhang)
        .form({ userId: String(zhang.id), kind: 'primary', startsAt, endsAt })
        .withCsrfToken()
      response.assertTextIncludes('请填写有效的日期时间（2000–2099 年）。')
      assert.lengthOf(await DutyShift.query().where('user_id', zhang.id), 0)
      assert.lengthOf(await AuditEvent.query().where('action', 'duty.shift_create'), 0)
    })
  }

  test('a sensitive period of ten years or in year 0 is refused; nothing is stored', async ({
    client,
    assert,
  }) => {
    const zhang = await staff('张值班')
    for (const [startsAt, endsAt, message] of [
      ['2027-01-01T00:00', '2037-01-01T00:00', '重点敏感时期最长 90 天，更长的请分段设置。'],
      ['0000-01-01T00:00', '0000-01-02T00:00', '请填写有效的日期时间（2000–2099 年）。'],
    ]) {
      const response = await client
        .post('/monitoring/duty/periods')
        .header('referer', '/monitoring/duty')
        .loginAs(zhang)
        .form({ name: '全国两会保障', startsAt, endsAt })
        .withCsrfToken()
      response.assertTextIncludes(message)
    }
    assert.lengthOf(await SensitivePeriod.all(), 0)
    const ok = await client
      .post('/monitoring/duty/periods')
      .header('referer', '/monitoring/duty')
      .loginAs(zhang)
      .form({ name: '全国两会保障', startsAt: '2027-03-01T00:00', endsAt: '2027-03-15T00:00' })
      .withCsrfToken()
    ok.assertTextIncludes('重点敏感时期已新增')
  })

  test('the notification settings save as shown (fallback noc@localhost) and refuse a leader who is no netadmin', async ({
    client,
    assert,
  }) => {
    const zhang = await staff('张值班')
    const auditor = await createUser({ roles: ['auditor'] })
    const page = await client.get('/monitoring/duty/settings').loginAs(zhang)
    page.assertTextIncludes('noc@localhost')

    const refused = await client
      .post('/monitoring/duty/settings')
      .header('referer', '/monitoring/duty/settings')
      .loginAs(zhang)
      .form(settingsForm({ leaderUserId: String(auditor.id), stormThreshold: '20' }))
      .withCsrfToken()
    refused.assertTextIncludes('默认带班领导只能是在职的网络管理员。')
    assert.lengthOf(await AuditEvent.query().where('action', 'duty.settings_update'), 0)

    const saved = await client
      .post('/monitoring/duty/settings')
      .header('referer', '/monitoring/duty/settings')
      .loginAs(zhang)
      .form(settingsForm({ leaderUserId: String(zhang.id), stormThreshold: '20' }))
      .withCsrfToken()
    saved.assertTextIncludes('已保存')
    const settings = await loadDutySettings()
    assert.equal(settings.stormThreshold, 20)
    assert.equal(settings.leaderUserId, zhang.id)
    assert.equal(settings.fallbackEmail, 'noc@localhost')
  })

  test('a week or month far outside the calendar shows the current one instead', async ({
    client,
  }) => {
    const zhang = await staff('张值班')
    for (const url of [
      '/monitoring/duty?week=0000-01-01',
      '/monitoring/duty?week=9999-12-31',
      '/monitoring/duty/month?month=0000-01',
    ]) {
      const page = await client.get(url).loginAs(zhang)
      page.assertStatus(200)
      assertNotIncludes(page, '0000-')
      assertNotIncludes(page, '9999-')
    }
  })
})
