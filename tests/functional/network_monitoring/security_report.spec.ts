import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import Alert from '#network_monitoring/models/alert'
import { alertSink } from '#network_monitoring/alerts/contract'
import { AlertActions } from '#network_monitoring/alerts/alert_actions'
import { renderSecurityReport, securityMonth } from '#network_monitoring/reports/security_report'
import { createUser } from '#tests/helpers/identity'
import { createDevice, createSiteTree } from '#tests/helpers/network'
import { threat, unreachable } from '#tests/helpers/alerts'
import { assertGoodPdf, pdfCompactText } from '#tests/helpers/pdf'
import { assertStatus } from '#tests/helpers/review'
import { seedIdentity } from '#database/seeders/demo/identity'
import { seedNetwork } from '#database/seeders/demo/network'
import { seedAlertHistory } from '#database/seeders/demo/alert_history'
import { freeBasePort } from '#tests/helpers/network'

const MONTH = '2026-03'
/** 2026-03-10 09:00 Beijing time. */
const AT = DateTime.fromISO('2026-03-10T01:00:00Z')

/** The seeds' table in small: 木马 6 + 恶意软件 2 + 勒索 1, one router outage, and noise outside the month. */
async function seedMonth() {
  const { town, village } = await createSiteTree()
  const router = await createDevice(town, { name: 'town-rtr-1', criticality: 'critical' })
  const sw = await createDevice(village, { name: 'village-sw-1' })
  const signals = [
    ...Array.from({ length: 6 }, (_, i) =>
      threat(`evt-t${i}`, {
        conditionKey: `platform:trojan:10.1.1.${i}`,
        srcIp: `10.1.1.${i}`,
        occurredAt: AT.plus({ hours: i }).toJSDate(),
        deviceId: sw.id,
        siteId: village.id,
      })
    ),
    ...Array.from({ length: 2 }, (_, i) =>
      threat(`evt-m${i}`, {
        conditionKey: `platform:malware:10.2.2.${i}`,
        category: 'malware_other',
        rawType: '恶意软件',
        summary: { text: '安装恶意软件' },
        srcIp: `10.2.2.${i}`,
        occurredAt: AT.plus({ days: 2, hours: i }).toJSDate(),
      })
    ),
    threat('evt-r0', {
      conditionKey: 'platform:ransomware:10.3.3.3',
      category: 'ransomware',
      rawType: '勒索病毒',
      summary: { text: '勒索病毒加密文件' },
      srcIp: '10.3.3.3',
      occurredAt: AT.plus({ days: 5 }).toJSDate(),
      deviceId: router.id,
      siteId: town.id,
    }),
    unreachable(router, AT.plus({ days: 7 }).toJSDate()),
    threat('evt-april', {
      conditionKey: 'platform:trojan:10.9.9.9',
      srcIp: '10.9.9.9',
      occurredAt: DateTime.fromISO('2026-03-31T16:30:00Z').toJSDate(),
    }),
  ]
  await alertSink().raise(signals)
  return { router, sw, town, village }
}

test.group('网络安全月报', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('events by GB/T 20986 category and grade equal the 告警中心 filtered by the month', async ({
    client,
    assert,
  }) => {
    await seedMonth()
    const admin = await createUser({ roles: ['netadmin'] })
    const ransom = await Alert.findByOrFail('category', 'ransomware')
    const actions = new AlertActions(() => AT.plus({ days: 5, minutes: 12 }))
    const actor = { actorId: admin.id, actorName: admin.username, ip: null }
    await actions.acknowledge(ransom.id, actor)
    await new AlertActions(() => AT.plus({ days: 5, hours: 3 })).resolve(ransom.id, actor, {
      cause: '终端打开钓鱼邮件附件',
      action: '隔离主机并从备份恢复',
    })

    const data = await securityMonth(MONTH)
    assert.equal(data.total, 10)
    assert.equal(data.threats, 9)
    const list = await client.get('/monitoring/alerts?from=2026-03-01&to=2026-03-31').loginAs(admin)
    list.assertTextIncludes(`共 ${data.total} 条`)
    const malware = await client
      .get('/monitoring/alerts?from=2026-03-01&to=2026-03-31&category=malware')
      .loginAs(admin)
    malware.assertTextIncludes(`共 ${data.threats} 条`)

    const pdf = await renderSecurityReport(MONTH)
    const text = await assertGoodPdf(assert, pdf, [
      '2026年3月网络安全月报',
      '预警监测9起安全事件',
      '特洛伊木马事件6起',
      '其他恶意程序事件2起',
      '勒索软件事件1起',
      '合计10起',
      '恶意程序事件',
      '设备设施故障事件',
      '乡镇',
      '平均响应时间12.0分钟',
      '平均处置时间180.0分钟',
      'village-sw-1',
      '终端打开钓鱼邮件附件',
      '隔离主机并从备份恢复',
      '本月事件数（按子类）',
      '数资安〔2026〕3号',
    ])
    assert.notInclude(text, '10.9.9.9')
    assert.isBelow(pdf.maxSliceMs, 100)
  })

  test("the demo year's busiest month: the PDF's category table and totals equal the 告警中心 list", async ({
    client,
    assert,
  }) => {
    await seedIdentity()
    await seedNetwork(() => {}, { basePort: freeBasePort() })
    const now = DateTime.fromISO('2026-11-29T12:00:00Z')
    await seedAlertHistory(() => {}, now)
    const admin = await createUser({ roles: ['netadmin'] })
    // the month of the demo year with the most security events
    const perMonth = new Map<string, number>()
    for (const alert of await Alert.query().where('source', 'platform')) {
      const month = alert.firstSeenAt.setZone('Asia/Shanghai').toFormat('yyyy-MM')
      perMonth.set(month, (perMonth.get(month) ?? 0) + 1)
    }
    const [month] = [...perMonth.entries()].sort((a, b) => b[1] - a[1])[0]
    const data = await securityMonth(month)
    assert.isAbove(data.threats, 0)
    const first = DateTime.fromFormat(month, 'yyyy-MM', { zone: 'Asia/Shanghai' })
    const range = `from=${first.toISODate()}&to=${first.endOf('month').toISODate()}`
    const list = await client.get(`/monitoring/alerts?${range}`).loginAs(admin)
    list.assertTextIncludes(`共 ${data.total} 条`)
    for (const row of data.categories) {
      const filtered = await client
        .get(`/monitoring/alerts?${range}&category=${row.category}`)
        .loginAs(admin)
      filtered.assertTextIncludes(`共 ${row.total} 条`)
    }
    const pdf = await renderSecurityReport(month)
    await assertGoodPdf(assert, pdf, [
      `${first.year}年${first.month}月网络安全月报`,
      `预警监测${data.threats}起安全事件`,
      `合计${data.total}起`,
      '恶意程序事件',
      '本月事件数（按子类）',
    ])
  })

  test('a month without events is a valid report that says so; only alert readers may download', async ({
    client,
    assert,
  }) => {
    const pdf = await renderSecurityReport('2031-02')
    await assertGoodPdf(assert, pdf, [
      '2031年2月网络安全月报',
      '本月（2月）无安全事件。',
      `第1页共${pdf.pages}页`,
    ])

    const auditor = await createUser({ roles: ['auditor'] })
    const download = await client
      .get('/monitoring/reports/security.pdf?month=2031-02')
      .loginAs(auditor)
    download.assertStatus(200)
    assert.include(
      await pdfCompactText(Buffer.from(download.body() as Buffer)),
      '本月（2月）无安全事件。'
    )
    const page = await client.get('/monitoring/reports/security?month=2031-02').loginAs(auditor)
    page.assertStatus(200)
    page.assertTextIncludes('/monitoring/reports/security.pdf?month=2031-02')
    const applicant = await createUser({ roles: ['applicant'] })
    await assertStatus(
      client.get('/monitoring/reports/security.pdf?month=2031-02').loginAs(applicant),
      403
    )
  })
})
