import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { ApiResponse } from '@japa/api-client'
import Alert from '#network_monitoring/models/alert'
import { alertSink } from '#network_monitoring/alerts/contract'
import { createUnit, createUser } from '#tests/helpers/identity'
import { createDevice, createSite } from '#tests/helpers/network'
import { threat, unreachable } from '#tests/helpers/alerts'

/**
 * Issue #11: the 告警中心 filters each narrow the rows — state, site (a town includes its
 * villages), unit, device — and more alerts than a page are split over pages with a pager.
 */

/** The alert ids listed as rows on a page of the list. */
function listedIds(response: ApiResponse) {
  return [...response.text().matchAll(/<a href="\/monitoring\/alerts\/(\d+)">/g)].map((m) =>
    Number(m[1])
  )
}

async function fixture() {
  const county = await createSite('county', '过滤县')
  const townA = await createSite('town', '甲镇', county)
  const villageA = await createSite('village', '甲镇一村', townA)
  const townB = await createSite('town', '乙镇', county)
  const unitX = await createUnit({ name: '县公安局' })
  const unitY = await createUnit({ name: '县卫健局' })
  const inTownA = await createDevice(townA, { name: 'jia-rtr', unitId: unitX.id })
  const inVillageA = await createDevice(villageA, { name: 'jia-cun-sw', unitId: unitY.id })
  const inTownB = await createDevice(townB, { name: 'yi-rtr', unitId: unitX.id })
  await alertSink().raise([unreachable(inTownA), unreachable(inVillageA), unreachable(inTownB)])
  const alertOf = (deviceId: number) => Alert.query().where('device_id', deviceId).firstOrFail()
  return {
    townA,
    villageA,
    townB,
    unitX,
    unitY,
    inTownA,
    inVillageA,
    inTownB,
    a: await alertOf(inTownA.id),
    v: await alertOf(inVillageA.id),
    b: await alertOf(inTownB.id),
  }
}

test.group('告警中心 filters and pages', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('state, site (town with its villages), unit and device each narrow the rows', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const f = await fixture()
    // the netadmin acknowledges the town B alert through the page's own action
    const ack = await client
      .post(`/monitoring/alerts/${f.b.id}/acknowledge`)
      .header('referer', `/monitoring/alerts/${f.b.id}`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    assert.oneOf(ack.status(), [302, 303])
    await f.b.refresh()
    assert.equal(f.b.state, 'acknowledged')

    const list = (query: string) => client.get(`/monitoring/alerts?${query}`).loginAs(admin)
    const ids = async (query: string) => {
      const response = await list(query)
      response.assertStatus(200)
      return listedIds(response).sort((x, y) => x - y)
    }
    const sorted = (...values: number[]) => values.sort((x, y) => x - y)

    assert.deepEqual(await ids(''), sorted(f.a.id, f.v.id, f.b.id))
    assert.deepEqual(await ids('state=open'), sorted(f.a.id, f.v.id))
    assert.deepEqual(await ids('state=acknowledged'), [f.b.id])
    assert.deepEqual(await ids('state=closed'), [])

    assert.deepEqual(await ids(`siteId=${f.townA.id}`), sorted(f.a.id, f.v.id), 'town + village')
    assert.deepEqual(await ids(`siteId=${f.villageA.id}`), [f.v.id])
    assert.deepEqual(await ids(`siteId=${f.townB.id}`), [f.b.id])

    assert.deepEqual(await ids(`unitId=${f.unitX.id}`), sorted(f.a.id, f.b.id))
    assert.deepEqual(await ids(`unitId=${f.unitY.id}`), [f.v.id])

    assert.deepEqual(await ids(`deviceId=${f.inVillageA.id}`), [f.v.id])
    assert.deepEqual(await ids(`deviceId=${f.inTownB.id}`), [f.b.id])

    // filters combine
    assert.deepEqual(await ids(`siteId=${f.townA.id}&unitId=${f.unitX.id}`), [f.a.id])
    assert.deepEqual(await ids(`siteId=${f.townA.id}&state=acknowledged`), [])

    // the rows shown carry the names, so a person sees what was kept
    const byUnit = await list(`unitId=${f.unitY.id}`)
    byUnit.assertTextIncludes('jia-cun-sw 无法访问')
    assert.notInclude(byUnit.text(), 'yi-rtr 无法访问')
  })

  test('an end date before the start date is named, not silently an empty list', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const f = await fixture()
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    const response = await client
      .get(`/monitoring/alerts?from=${today}&to=2020-01-01`)
      .loginAs(admin)
    response.assertStatus(200)
    response.assertTextIncludes('结束日期不能早于开始日期。')
    assert.includeMembers(listedIds(response), [f.a.id, f.v.id, f.b.id])
  })

  test('more alerts than a page: page 2 holds the rest, the pager links both ways and keeps the filters', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    await fixture()
    const signals = Array.from({ length: 27 }, (_, i) =>
      threat(`evt-page-${i}`, {
        conditionKey: `platform:trojan:10.7.0.${i + 1}`,
        srcIp: `10.7.0.${i + 1}`,
        summary: { text: `分页木马事件${i + 1}` },
      })
    )
    await alertSink().raise(signals)
    const total = 27 + 3

    const first = await client.get('/monitoring/alerts').loginAs(admin)
    first.assertStatus(200)
    const page1 = listedIds(first)
    assert.lengthOf(page1, 20)
    first.assertTextIncludes(`第 1 / 2 页，共 ${total} 条`)
    first.assertTextIncludes('下一页')
    assert.include(first.text(), 'page=2')

    const second = await client.get('/monitoring/alerts?page=2').loginAs(admin)
    second.assertStatus(200)
    const page2 = listedIds(second)
    assert.lengthOf(page2, total - 20)
    second.assertTextIncludes(`第 2 / 2 页，共 ${total} 条`)
    second.assertTextIncludes('上一页')
    assert.notInclude(second.text(), '下一页')
    assert.deepEqual(
      page1.filter((id) => page2.includes(id)),
      [],
      'no alert on both pages'
    )
    const all = await Alert.query().whereNot('state', 'suppressed').select('id')
    assert.sameMembers(
      [...page1, ...page2],
      all.map((row) => row.id)
    )

    // a filter narrowing below one page: one page, no pager link forward
    const filtered = await client.get(`/monitoring/alerts?category=trojan&page=1`).loginAs(admin)
    assert.lengthOf(listedIds(filtered), 20)
    assert.include(filtered.text(), `category=trojan`)
    const filtered2 = await client.get(`/monitoring/alerts?category=trojan&page=2`).loginAs(admin)
    assert.lengthOf(listedIds(filtered2), 7)
    assert.notInclude(filtered2.text(), 'jia-rtr 无法访问')
  })
})
