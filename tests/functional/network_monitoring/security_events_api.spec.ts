import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import env from '#start/env'
import limiter from '@adonisjs/limiter/services/main'
import {
  alertSink,
  hasAlertSink,
  registerAlertSink,
  type AlertSignal,
  type AlertSink,
} from '#network_monitoring/alerts/contract'
import Alert from '#network_monitoring/models/alert'
import { issueApiToken } from '#tests/helpers/api_tokens'
import { createDevice, createSiteTree } from '#tests/helpers/network'

const PATH = '/api/v1/security-events'

function event(overrides: Record<string, unknown> = {}) {
  return {
    eventId: 'evt-1',
    time: '2026-03-01T08:30:00+08:00',
    source: '态势感知平台',
    type: 'Trojan',
    severity: 'high',
    srcIp: '203.0.113.7',
    dstIp: '10.20.1.5',
    device: '10.20.1.1',
    description: '检测到木马回连',
    ...overrides,
  }
}

/** Records what the push API hands to the alert store, instead of storing it. */
function recordingSink() {
  const raised: AlertSignal[][] = []
  const sink: AlertSink = {
    async raise(signals) {
      raised.push([...signals])
      return { created: signals.length, updated: 0, duplicates: 0, suppressed: 0 }
    },
    async recover() {
      return 0
    },
  }
  return { raised, sink }
}

test.group('Push API | refusals', (group) => {
  let previous: AlertSink | null = null
  let recorded: ReturnType<typeof recordingSink>
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    previous = hasAlertSink() ? alertSink() : null
    recorded = recordingSink()
    registerAlertSink(recorded.sink)
    return () => registerAlertSink(previous)
  })

  test('no token, a wrong token or a read-only token: nothing reaches the alert store', async ({
    client,
    assert,
  }) => {
    const read = await issueApiToken(['review:read'])
    const missing = await client.post(PATH).json({ events: [event()] })
    missing.assertStatus(401)
    missing.assertBody({ error: '缺少或无效的接口令牌。' })
    const wrong = await client
      .post(PATH)
      .header('authorization', 'Bearer szt_MQ.nope')
      .json({ events: [event()] })
    wrong.assertStatus(401)
    const readOnly = await client
      .post(PATH)
      .header('authorization', `Bearer ${read.secret}`)
      .json({ events: [event()] })
    readOnly.assertStatus(403)
    assert.lengthOf(recorded.raised, 0)
  })

  test('one bad event: 422 names the event and field, and nothing is stored', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({
        events: [
          event(),
          event({ eventId: 'evt-2', time: '2026-03-01 08:30:00', srcIp: '999.1.1.1' }),
          event({ eventId: 'evt-3', type: undefined, severity: 'apocalyptic' }),
        ],
      })
    response.assertStatus(422)
    const errors = (response.body() as { errors: { field: string; message: string }[] }).errors
    const byField = Object.fromEntries(errors.map((e) => [e.field, e.message]))
    assert.equal(
      byField['events.1.time'],
      '发生时间（time）应为带时区的 ISO 8601 时间，例如 2026-03-01T08:30:00+08:00。'
    )
    assert.equal(byField['events.1.srcIp'], '源地址（srcIp）不是有效的 IP 地址。')
    assert.equal(byField['events.2.type'], '请填写事件类型（type）或事件分类（category）。')
    assert.include(byField['events.2.severity'], '严重程度（severity）应为 1–5')
    assert.notProperty(byField, 'events.0.time')
    assert.lengthOf(recorded.raised, 0)
  })

  test('a time that does not exist or lies days ahead is refused', async ({ client }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({
        events: [
          event({ time: '2026-02-30T08:00:00+08:00' }),
          event({ eventId: 'x', time: '2999-01-01T00:00:00Z' }),
        ],
      })
    response.assertStatus(422)
    response.assertBodyContains({
      errors: [
        { field: 'events.0.time', message: '发生时间（time）不是真实存在的日期时间。' },
        {
          field: 'events.1.time',
          message: '发生时间（time）晚于当前时间超过 24 小时，请检查发送方时钟。',
        },
      ],
    })
  })

  test('bad events deep in a 500-event batch are named by their own index', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const events: unknown[] = Array.from({ length: 500 }, (_, i) =>
      event({ eventId: `deep-${i}`, time: '2026-03-01T08:30:00+0800' })
    )
    events[237] = event({ eventId: 'deep-237', time: '2026-02-29T08:00:00Z' })
    events[499] = 'not an event'
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events })
    response.assertStatus(422)
    const errors = (response.body() as { errors: { field: string; message: string }[] }).errors
    assert.deepEqual(
      errors.map((e) => e.field),
      ['events.237.time', 'events.499']
    )
    assert.equal(errors[0].message, '发生时间（time）不是真实存在的日期时间。')
    assert.lengthOf(recorded.raised, 0)
  })

  test('more than 500 events: 413 in Chinese JSON, nothing stored', async ({ client, assert }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const events = Array.from({ length: 501 }, (_, i) => event({ eventId: `e${i}` }))
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events })
    response.assertStatus(413)
    response.assertBody({ error: '单次最多推送 500 条事件，本次 501 条，请分批推送。' })
    assert.lengthOf(recorded.raised, 0)
  })

  test('a body over 1 MB: 413 JSON; malformed JSON: 400 JSON', async ({ client, assert }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const big = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event({ description: '木'.repeat(400_000) })] })
    big.assertStatus(413)
    assert.include(String(big.header('content-type')), 'application/json')
    big.assertBody({ error: '提交的内容过大，请精简后重试。' })

    const malformed = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .header('content-type', 'application/json')
      .unsafeJson('{"events": [{"eventId": "a",')
    malformed.assertStatus(400)
    assert.include(String(malformed.header('content-type')), 'application/json')
    malformed.assertBody({ error: '提交的内容格式有误或嵌套过深，无法读取。' })
    assert.lengthOf(recorded.raised, 0)
  })

  test('too many requests from one token: 429 with Retry-After, other tokens unaffected', async ({
    client,
    assert,
    cleanup,
  }) => {
    env.set('PUSH_API_REQUESTS_PER_MINUTE', 3)
    cleanup(() => env.set('PUSH_API_REQUESTS_PER_MINUTE', 600))
    const flood = await issueApiToken(['security-events:write'], { name: '洪水' })
    const other = await issueApiToken(['security-events:write'], { name: '其他平台' })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await client
        .post(PATH)
        .header('authorization', `Bearer ${flood.secret}`)
        .json(event({ eventId: `f${i}` }))
      statuses.push(response.status())
      if (response.status() === 429) {
        assert.match(String(response.header('retry-after')), /^\d+$/)
        assert.include(response.body().error, '每个令牌每分钟最多 3 次请求')
      }
    }
    assert.deepEqual(statuses, [200, 200, 200, 429])
    const fine = await client
      .post(PATH)
      .header('authorization', `Bearer ${other.secret}`)
      .json(event({ eventId: 'o1' }))
    fine.assertStatus(200)
  })
})

test.group('Push API | signals', (group) => {
  let previous: AlertSink | null = null
  let recorded: ReturnType<typeof recordingSink>
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(() => {
    previous = hasAlertSink() ? alertSink() : null
    recorded = recordingSink()
    registerAlertSink(recorded.sink)
    return () => registerAlertSink(previous)
  })

  test('one event object: a platform signal with the device resolved by address or name', async ({
    client,
    assert,
  }) => {
    const { town } = await createSiteTree()
    const firewall = await createDevice(town, { name: '城关镇防火墙', managementIp: '10.20.1.1' })
    const { secret } = await issueApiToken(['security-events:write'])
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json(event({ srcIp: '::ffff:203.0.113.7' }))
    response.assertStatus(200)
    response.assertBodyContains({ data: { received: 1, created: 1, duplicates: 0 } })
    const [signal] = recorded.raised[0]
    assert.equal(signal.source, 'platform')
    assert.equal(signal.deviceId, firewall.id)
    assert.equal(signal.siteId, town.id)
    assert.equal(signal.srcIp, '203.0.113.7')
    assert.equal(signal.rawType, 'Trojan')
    assert.equal(signal.externalId, '态势感知平台:evt-1')
    assert.equal(signal.occurredAt.toISOString(), '2026-03-01T00:30:00.000Z')
    assert.equal(signal.severity, 4)

    await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event({ eventId: 'evt-9', device: '城关镇防火墙' })] })
    assert.equal(recorded.raised[1][0].deviceId, firewall.id)
  })

  test('an unknown device is kept without a device; a repeated id in one request counts once', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event({ device: '不存在的设备' }), event({ device: '不存在的设备' })] })
    response.assertStatus(200)
    response.assertBodyContains({ data: { received: 2, duplicates: 1, unknownDevices: 1 } })
    assert.lengthOf(recorded.raised[0], 1)
    assert.isNull(recorded.raised[0][0].deviceId)
    assert.equal(recorded.raised[0][0].details?.device, '不存在的设备')
  })
})

test.group('Push API | into the alert store', (group) => {
  group.each.setup(() => limiter.clear())
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a replayed event id stores nothing and is reported as a duplicate', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const first = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event()] })
    first.assertBodyContains({ data: { created: 1, updated: 0, duplicates: 0 } })
    const replay = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event()] })
    replay.assertStatus(200)
    replay.assertBodyContains({ data: { created: 0, updated: 0, duplicates: 1 } })
    const alerts = await Alert.query()
    assert.lengthOf(alerts, 1)
    assert.equal(alerts[0].count, 1)
    assert.equal(alerts[0].category, 'trojan')
    assert.equal(alerts[0].source, 'platform')

    // The same id from another sender is another event.
    const other = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event({ source: '省级态势感知平台' })] })
    other.assertBodyContains({ data: { created: 0, updated: 1, duplicates: 0 } })
  })

  test('an unknown type is kept as 其他 with the raw type, never dropped', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event({ type: 'Suspicious-DNS-Tunnel-X9' })] })
    response.assertBodyContains({ data: { created: 1, unclassified: 1 } })
    const alert = await Alert.firstOrFail()
    assert.equal(alert.category, 'other')
    assert.equal(alert.rawType, 'Suspicious-DNS-Tunnel-X9')
    const byCategory = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event({ eventId: 'c1', type: undefined, category: '勒索软件' })] })
    byCategory.assertBodyContains({ data: { created: 1, unclassified: 0 } })
    const latest = await Alert.query().orderBy('id', 'desc').firstOrFail()
    assert.equal(latest.category, 'ransomware')
  })

  test('a bad event among good ones stores nothing at all', async ({ client, assert }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const response = await client
      .post(PATH)
      .header('authorization', `Bearer ${secret}`)
      .json({ events: [event(), event({ eventId: 'evt-2', dstIp: 'not-an-ip' })] })
    response.assertStatus(422)
    assert.lengthOf(await Alert.query(), 0)
  })

  test('a 500-event push of new conditions never holds the event loop over 100 ms of CPU', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const { town } = await createSiteTree()
    await createDevice(town, { name: '城关镇防火墙', managementIp: '10.20.1.1' })
    const events = Array.from({ length: 500 }, (_, i) =>
      event({
        eventId: `stall-${i}`,
        type: i % 2 ? 'Trojan' : 'Ransomware',
        srcIp: `198.51.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        time: new Date(Date.now() - 60_000 + i).toISOString(),
      })
    )
    // The main thread's CPU time between two 1 ms ticks: what blocks other requests on a quiet
    // core (wall time would also count other processes on a busy machine).
    const cpu = () => {
      const usage = process.threadCpuUsage()
      return (usage.user + usage.system) / 1000
    }
    let last = cpu()
    let longest = 0
    const ticker = setInterval(() => {
      const now = cpu()
      longest = Math.max(longest, now - last)
      last = now
    }, 1)
    try {
      const response = await client
        .post(PATH)
        .header('authorization', `Bearer ${secret}`)
        .json({ events })
      response.assertStatus(200)
      assert.equal(response.body().data.created, 500)
    } finally {
      clearInterval(ticker)
    }
    assert.isBelow(longest, 100, `the event loop was held ${longest.toFixed(0)} ms`)
  })

  test('10,000 events in a minute: one alert per condition, other requests still answered', async ({
    client,
    assert,
  }) => {
    const { secret } = await issueApiToken(['security-events:write'])
    const read = await issueApiToken(['review:read'])
    const conditions = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']
    const batches = Array.from({ length: 20 }, (_batch, b) =>
      Array.from({ length: 500 }, (_event, i) =>
        event({
          eventId: `flood-${b}-${i}`,
          srcIp: conditions[(b * 500 + i) % conditions.length],
          time: new Date(Date.now() - 60_000 + b * 3000 + i).toISOString(),
        })
      )
    )
    let lastPushDone = 0
    const started = Date.now()
    const pushes = batches.map((events) =>
      client
        .post(PATH)
        .header('authorization', `Bearer ${secret}`)
        .json({ events })
        .then((response) => {
          lastPushDone = Date.now()
          return response
        })
    )
    let readerDone = 0
    // A plain fetch: the test client sends its requests one after another.
    const reader = fetch(`http://${process.env.HOST}:${process.env.PORT}/api/v1/stats/review`, {
      headers: { authorization: `Bearer ${read.secret}` },
    }).then((response) => {
      readerDone = Date.now()
      return response
    })
    const [answered, results] = await Promise.all([reader, Promise.all(pushes)])
    // The read was answered while the flood was still being stored, not after it.
    assert.isBelow(readerDone, lastPushDone)
    assert.equal(answered.status, 200)
    let created = 0
    let updated = 0
    for (const response of results) {
      response.assertStatus(200)
      created += response.body().data.created
      updated += response.body().data.updated
    }
    assert.equal(created, conditions.length)
    const alerts = await Alert.query().orderBy('src_ip')
    assert.deepEqual(
      alerts.map((a) => [a.srcIp, a.count]),
      conditions.map((ip) => [ip, 2500])
    )
    assert.isAbove(updated, 0)
    assert.isBelow(Date.now() - started, 60_000)
  })
})
