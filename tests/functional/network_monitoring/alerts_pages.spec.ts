import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Alert from '#network_monitoring/models/alert'
import AuditEvent from '#core/audit/audit_event'
import { alertSink, onAlertChanges, type AlertChange } from '#network_monitoring/alerts/contract'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDevice, createSiteTree } from '#tests/helpers/network'
import { threat, unreachable } from '#tests/helpers/alerts'

async function fixture() {
  const { town, village } = await createSiteTree()
  const router = await createDevice(town, { name: 'town-rtr-1', criticality: 'critical' })
  const sw = await createDevice(village, { name: 'village-sw-1' })
  await alertSink().raise([unreachable(router), unreachable(sw), threat('evt-100')])
  const fault = await Alert.query().where('device_id', router.id).firstOrFail()
  const trojan = await Alert.query().where('category', 'trojan').firstOrFail()
  return { town, village, router, sw, fault, trojan }
}

test.group('告警中心 pages', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the netadmin lists alerts and narrows them by grade and category', async ({ client }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    await fixture()
    const all = await client.get('/monitoring/alerts').loginAs(admin)
    all.assertStatus(200)
    all.assertTextIncludes('告警中心')
    all.assertTextIncludes('检测到木马病毒外联')
    all.assertTextIncludes('特洛伊木马事件')
    all.assertTextIncludes('town-rtr-1 无法访问')

    const grade3 = await client.get('/monitoring/alerts?grade=3').loginAs(admin)
    grade3.assertTextIncludes('town-rtr-1 无法访问')
    assertNotIncludes(grade3, 'village-sw-1 无法访问')

    const malware = await client.get('/monitoring/alerts?category=malware&grade=').loginAs(admin)
    malware.assertTextIncludes('检测到木马病毒外联')
    assertNotIncludes(malware, 'town-rtr-1 无法访问')
  })

  test('the site filter lists county, towns and villages in tree order, indented', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { county, town, village } = await createSiteTree('筛选')
    const page = await client.get(`/monitoring/alerts?siteId=${village.id}`).loginAs(admin)
    page.assertStatus(200)
    const html = page.text()
    const countyAt = html.indexOf(`<option value="${county.id}" >筛选测试县</option>`)
    const townAt = html.indexOf(`<option value="${town.id}" >\u3000筛选城关镇</option>`)
    const villageAt = html.indexOf(
      `<option value="${village.id}" selected>\u3000\u3000筛选东风村</option>`
    )
    assert.isAbove(countyAt, -1)
    assert.isAbove(townAt, countyAt)
    assert.isAbove(villageAt, townAt)
  })

  test('a bad filter value gets its message while the list still shows', async ({ client }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    await fixture()
    const page = await client.get('/monitoring/alerts?grade=9&state=nonsense').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('data-filter-error="grade"')
    page.assertTextIncludes('data-filter-error="state"')
    page.assertTextIncludes('检测到木马病毒外联')
  })

  test('no alerts: the empty state says what to do', async ({ client }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const page = await client.get('/monitoring/alerts').loginAs(admin)
    page.assertTextIncludes('暂无告警')
    const filtered = await client.get('/monitoring/alerts?grade=1').loginAs(admin)
    filtered.assertTextIncludes('请放宽筛选条件')
  })

  test('CSV export streams every matching alert with Chinese headers and names', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    await fixture()
    const csv = await client.get('/monitoring/alerts?format=csv&category=trojan').loginAs(admin)
    csv.assertStatus(200)
    csv.assertHeader('content-type', 'text/csv; charset=utf-8')
    const lines = csv.text().trim().split('\r\n')
    assert.include(lines[0], '事件子类')
    assert.lengthOf(lines, 2)
    assert.include(lines[1], '特洛伊木马事件')
    assert.include(lines[1], '恶意程序事件')
    assert.include(lines[1], '木马病毒')
  })

  test('acknowledge → resolve (a threat needs its 处置记录) → close, each audited', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { trojan } = await fixture()
    const heard: AlertChange[] = []
    const stop = onAlertChanges(async (changes) => {
      heard.push(...changes)
    })
    const post = (action: string, form: Record<string, string> = {}) =>
      client
        .post(`/monitoring/alerts/${trojan.id}/${action}`)
        .loginAs(admin)
        .form(form)
        .withCsrfToken()
        .redirects(0)

    const acked = await post('acknowledge')
    acked.assertHeader('location', `/monitoring/alerts/${trojan.id}`)
    await trojan.refresh()
    assert.equal(trojan.state, 'acknowledged')
    assert.equal(trojan.assigneeId, admin.id, 'who acknowledges takes it')

    await post('resolve')
    await trojan.refresh()
    assert.equal(trojan.state, 'acknowledged', 'no 处置记录: refused')

    await post('resolve', { cause: '办公电脑点击钓鱼邮件附件', action: '断网查杀，重装系统' })
    await trojan.refresh()
    assert.equal(trojan.state, 'resolved')
    assert.equal(trojan.resolvedById, admin.id)

    await post('close')
    await trojan.refresh()
    assert.equal(trojan.state, 'closed')
    stop()

    const actions = await AuditEvent.query()
      .where('target_type', 'alert')
      .where('target_id', String(trojan.id))
      .where('actor_id', admin.id)
      .orderBy('id')
    assert.deepEqual(
      actions.map((a) => a.action),
      ['alert.acknowledge', 'alert.handle', 'alert.resolve', 'alert.close']
    )
    assert.deepEqual(
      heard.map((c) => c.type),
      ['acknowledged', 'resolved', 'closed']
    )

    const detail = await client.get(`/monitoring/alerts/${trojan.id}`).loginAs(admin)
    detail.assertTextIncludes('办公电脑点击钓鱼邮件附件')
    detail.assertTextIncludes('时间线')
    detail.assertTextIncludes('关闭')
  })

  test('reclassifying needs a reason and is audited with before and after', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { trojan } = await fixture()
    await client
      .post(`/monitoring/alerts/${trojan.id}/reclassify`)
      .loginAs(admin)
      .form({ grade: '2', category: 'ransomware', reason: '' })
      .withCsrfToken()
    await trojan.refresh()
    assert.equal(trojan.grade, 4)

    await client
      .post(`/monitoring/alerts/${trojan.id}/reclassify`)
      .loginAs(admin)
      .form({ grade: '2', category: 'ransomware', reason: '样本确认为勒索软件' })
      .withCsrfToken()
    await trojan.refresh()
    assert.equal(trojan.grade, 2)
    assert.equal(trojan.computedGrade, 4)
    assert.equal(trojan.category, 'ransomware')
    assert.equal(trojan.categoryGroup, 'malware')
    assert.equal(trojan.gradeOverrideReason, '样本确认为勒索软件')
    const event = await AuditEvent.query().where('action', 'alert.reclassify').firstOrFail()
    assert.include(event.details, '样本确认为勒索软件')
    assert.include(event.details, 'ransomware')
  })

  test('a netadmin can never delete an alert: there is no such route', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { fault } = await fixture()
    const response = await client
      .delete(`/monitoring/alerts/${fault.id}`)
      .loginAs(admin)
      .withCsrfToken()
    response.assertStatus(404)
    const forged = await client
      .post(`/monitoring/alerts/${fault.id}/delete`)
      .loginAs(admin)
      .withCsrfToken()
    forged.assertStatus(404)
    assert.isNotNull(await Alert.find(fault.id))
  })

  test('the auditor reads alerts but acknowledging is refused (403) and logged', async ({
    client,
    assert,
  }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const { fault } = await fixture()
    const list = await client.get('/monitoring/alerts').loginAs(auditor)
    list.assertStatus(200)
    const detail = await client.get(`/monitoring/alerts/${fault.id}`).loginAs(auditor)
    detail.assertStatus(200)
    assertNotIncludes(detail, `/monitoring/alerts/${fault.id}/acknowledge`)
    const dashboard = await client.get('/monitoring/alert-overview').loginAs(auditor)
    dashboard.assertStatus(200)

    for (const action of ['acknowledge', 'resolve', 'close', 'assign', 'reclassify', 'handling']) {
      const refused = await client
        .post(`/monitoring/alerts/${fault.id}/${action}`)
        .loginAs(auditor)
        .form({ reason: '试试', cause: '试试', action: '试试' })
        .withCsrfToken()
      refused.assertStatus(403)
    }
    await fault.refresh()
    assert.equal(fault.state, 'open')
    const denied = await AuditEvent.query()
      .where('action', 'access.denied')
      .where('actor_id', auditor.id)
    assert.lengthOf(denied, 6)
    assert.include(denied[0].details, `/monitoring/alerts/${fault.id}/acknowledge`)
  })

  test('people without a monitoring role see no alerts', async ({ client }) => {
    const applicant = await createUser({ roles: ['applicant'] })
    const response = await client.get('/monitoring/alerts').loginAs(applicant)
    response.assertStatus(403)
  })

  test('the dashboard shows open alerts by grade, events by category and MTTA/MTTR', async ({
    client,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    await fixture()
    const page = await client.get('/monitoring/alert-overview').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('告警态势')
    page.assertTextIncludes('id="category-chart"')
    page.assertTextIncludes('恶意程序事件 1')
    page.assertTextIncludes('设备设施故障事件 2')
    page.assertTextIncludes('平均解决用时')
  })
})
