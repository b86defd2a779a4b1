import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import type { Page } from 'playwright-core'
import audit from '#core/audit/audit_service'
import Device from '#network_monitoring/models/device'
import Expert from '#project_review/models/expert'
import proposals from '#project_review/services/proposals'
import { reviewActorOf } from '#project_review/services/actor'
import { GOOD_PASSWORD, createUnit, createUser } from '#tests/helpers/identity'
import { createDevice, createSite, createSiteTree } from '#tests/helpers/network'
import { createDraft } from '#tests/helpers/review'

/**
 * Every list page, used as a person does: one filter filled, the others left at 全部 or empty,
 * the form submitted by clicking 查询. The browser sends the empty fields (`state=&year=`); they
 * must mean "no filter" and the list must show exactly the matching rows.
 */
async function login(page: Page, username: string) {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill(GOOD_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.waitForURL((url) => url.pathname === '/')
}

/** Clicks 查询 in the page's filter form and waits for the list that comes back. */
async function search(page: Page, form = 'form.filters') {
  await Promise.all([
    page.waitForURL((url) => url.search.length > 0),
    page.locator(form).getByRole('button', { name: '查询' }).click(),
  ])
}

async function texts(page: Page, selector: string) {
  const all = await page.locator(selector).allInnerTexts()
  return all.map((text) => text.trim())
}

test.group('List filters in a browser | empty fields mean no filter', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('项目工作台: searching 公安 with 全部 and an empty 年度 lists the 公安 projects only', async ({
    visit,
    assert,
  }) => {
    const unit = await createUnit({ name: '县公安局（列表）' })
    const applicant = await createUser({ roles: ['applicant'], unit })
    await createUser({ roles: ['reviewer'], username: 'list_reviewer' })
    const titles = [
      '公安视频专网扩容',
      '公安指挥中心升级',
      '智慧公安大数据平台',
      '教育城域网',
      '医保结算系统',
    ]
    for (const title of titles) {
      const project = await createDraft(applicant, { title })
      await proposals.submit(project.id, reviewActorOf(applicant))
    }
    const page = await visit('/login')
    await login(page, 'list_reviewer')
    await page.goto('/review/projects')
    assert.lengthOf(await texts(page, '#projects-table tbody tr'), 5)
    await page.locator('#project-filters input[name="q"]').fill('公安')
    await search(page, '#project-filters')
    assert.include(page.url(), 'state=')
    await page.assertNotExists('.flash-error')
    const rows = await texts(page, '#projects-table tbody tr')
    assert.lengthOf(rows, 3)
    for (const row of rows) assert.include(row, '公安')
    assert.equal(await page.locator('#project-filters input[name="q"]').inputValue(), '公安')
  })

  test('项目工作台: an invalid 年度 is explained next to the field and the search still applies', async ({
    visit,
    assert,
  }) => {
    const unit = await createUnit()
    const applicant = await createUser({ roles: ['applicant'], unit })
    await createUser({ roles: ['reviewer'], username: 'list_reviewer2' })
    for (const title of ['公安视频专网扩容', '教育城域网']) {
      const project = await createDraft(applicant, { title })
      await proposals.submit(project.id, reviewActorOf(applicant))
    }
    const page = await visit('/login')
    await login(page, 'list_reviewer2')
    await page.goto('/review/projects?q=%E5%85%AC%E5%AE%89&state=&year=1999')
    await page.assertTextContains('[data-filter-error="year"]', '年度不能小于 2000')
    const rows = await texts(page, '#projects-table tbody tr')
    assert.lengthOf(rows, 1)
    assert.include(rows[0], '公安视频专网扩容')
    assert.equal(await page.locator('#project-filters input[name="year"]').inputValue(), '1999')
  })

  test('设备台账: one device type chosen, every other filter at 全部', async ({
    visit,
    assert,
  }) => {
    await createUser({ roles: ['netadmin'], username: 'list_netadmin' })
    const { town, village } = await createSiteTree('列表')
    await createDevice(town, { name: 'list-core', deviceType: 'core_switch' })
    await createDevice(village, { name: 'list-access-1', deviceType: 'access_switch' })
    await createDevice(village, { name: 'list-access-2', deviceType: 'access_switch' })
    const page = await visit('/login')
    await login(page, 'list_netadmin')
    await page.goto('/monitoring/devices')
    await page.locator('form.filters select[name="type"]').selectOption('access_switch')
    await search(page)
    assert.include(page.url(), 'townId=')
    const rows = await texts(page, '#devices-table tbody tr')
    assert.lengthOf(rows, 2)
    assert.isTrue(rows.every((row) => row.includes('list-access-')))
  })

  test('用户管理: one role chosen, 单位 and 状态 at 全部', async ({ visit, assert }) => {
    await createUser({ roles: ['sysadmin'], username: 'list_admin' })
    await createUser({ roles: ['auditor'], username: 'list_auditor_a' })
    await createUser({ roles: ['auditor'], username: 'list_auditor_b' })
    await createUser({ roles: ['applicant'], username: 'list_applicant' })
    const page = await visit('/login')
    await login(page, 'list_admin')
    await page.goto('/admin/users')
    await page.locator('form.filters select[name="role"]').selectOption('auditor')
    await search(page)
    assert.include(page.url(), 'unitId=')
    const rows = await texts(page, '#users-table tbody tr')
    const names = rows.map((row) => row.split(/\s/)[0])
    // only auditors are listed (an earlier suite may have left an auditor of its own)
    assert.includeMembers(names, ['list_auditor_a', 'list_auditor_b'])
    assert.notInclude(names, 'list_admin')
    assert.notInclude(names, 'list_applicant')
    assert.isTrue(rows.every((row) => row.includes('审计员')))
  })

  test('单位管理: a search term finds the matching units', async ({ visit, assert }) => {
    await createUser({ roles: ['sysadmin'], username: 'list_admin2' })
    await createUnit({ name: '县公安局（单位列表）', code: 'LGA' })
    await createUnit({ name: '县教育局（单位列表）', code: 'LJY' })
    const page = await visit('/login')
    await login(page, 'list_admin2')
    await page.goto('/admin/units')
    await page.locator('form.filters input[name="q"]').fill('教育局（单位列表')
    await search(page)
    const rows = await texts(page, 'table.table tbody tr')
    assert.lengthOf(rows, 1)
    assert.include(rows[0], '县教育局（单位列表）')
  })

  test('专家库: one specialty chosen, 状态 at 全部', async ({ visit, assert }) => {
    await createUser({ roles: ['sysadmin'], username: 'list_admin3' })
    const base = { employer: '某大学', conflictUnitIds: [], isActive: true, yearlyCap: 10 }
    await Expert.create({ ...base, name: '数据专家甲', specialties: ['data'] })
    await Expert.create({ ...base, name: '安全专家乙', specialties: ['security'] })
    await Expert.create({ ...base, name: '数据专家丙', specialties: ['data', 'software'] })
    const page = await visit('/login')
    await login(page, 'list_admin3')
    await page.goto('/review/experts')
    await page.locator('form.filters select[name="specialty"]').selectOption('data')
    await search(page)
    assert.include(page.url(), 'status=')
    const rows = await texts(page, '#experts-table tbody tr')
    assert.lengthOf(rows, 2)
    assert.isTrue(rows.every((row) => row.startsWith('数据专家')))
  })

  test('可用性报表: one town chosen, 层级 at 全部', async ({ visit, assert }) => {
    await createUser({ roles: ['netadmin'], username: 'list_netadmin2' })
    const county = await createSite('county', '可用性县')
    const east = await createSite('town', '东镇', county)
    const west = await createSite('town', '西镇', county)
    await createSite('village', '东村', east)
    await createSite('village', '西村', west)
    const page = await visit('/login')
    await login(page, 'list_netadmin2')
    await page.goto('/monitoring/reports/availability')
    await page.locator('form.filters select[name="townId"]').selectOption(String(east.id))
    await search(page)
    assert.include(page.url(), 'level=')
    const rows = await texts(page, '#availability-table tbody tr')
    const names = rows.slice(1).map((row) => row.split(/\s/)[0])
    assert.deepEqual(names, ['东镇', '东村'])
  })

  test('审计日志: an operator typed in, both dates left empty', async ({ visit, assert }) => {
    await createUser({ roles: ['auditor'], username: 'list_auditor' })
    for (const actorName of ['张三(zhangsan)', '李四(lisi)', '张三(zhangsan)']) {
      await audit.record({ actorId: null, actorName, action: 'device.create', outcome: 'success' })
    }
    const page = await visit('/login')
    await login(page, 'list_auditor')
    await page.goto('/audit')
    await page.locator('form.filters input[name="actor"]').fill('zhangsan')
    await search(page)
    assert.include(page.url(), 'from=&to=')
    await page.assertNotExists('.flash-error')
    const rows = await texts(page, '#audit-table tbody tr')
    assert.lengthOf(rows, 2)
    assert.isTrue(rows.every((row) => row.includes('张三(zhangsan)')))
  })
})

test.group(
  '站点管理 in a browser | paginated, searchable, and a site picker that tells villages apart',
  (group) => {
    group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

    /** A county with 2 towns that each have a 孙寨村, plus 40 more villages. */
    async function countyWithNamesakes() {
      const county = await createSite('county', '站点县')
      const chengguan = await createSite('town', '城关镇', county)
      const wangzhuang = await createSite('town', '王庄镇', county)
      await createSite('village', '孙寨村', chengguan)
      const namesake = await createSite('village', '孙寨村', wangzhuang)
      for (let i = 1; i <= 40; i++) {
        await createSite('village', `第${i}村`, i % 2 ? chengguan : wangzhuang)
      }
      return { county, chengguan, wangzhuang, namesake }
    }

    test('the site list comes in pages of 20 and a search shows both 孙寨村 with their towns', async ({
      visit,
      assert,
    }) => {
      await createUser({ roles: ['netadmin'], username: 'site_netadmin' })
      await countyWithNamesakes()
      const page = await visit('/login')
      await login(page, 'site_netadmin')
      await page.goto('/monitoring/sites')
      assert.lengthOf(await texts(page, '#sites-table tbody tr'), 20)
      await page.assertTextContains('.pagination', '共 45')
      await page.locator('#site-filters input[name="q"]').fill('孙寨村')
      await search(page, '#site-filters')
      assert.include(page.url(), 'level=')
      const rows = await texts(page, '#sites-table tbody tr')
      assert.lengthOf(rows, 2)
      assert.include(rows[0], '城关镇')
      assert.include(rows[1], '王庄镇')
      await page.getByRole('link', { name: '新增站点' }).click()
      await page.assertPath('/monitoring/sites/new')
      await page.assertExists('#site-form')
    })

    test('the device form finds 孙寨村 by typing and saves the one under 王庄镇', async ({
      visit,
      assert,
    }) => {
      await createUser({ roles: ['netadmin'], username: 'site_netadmin2' })
      const { namesake } = await countyWithNamesakes()
      const page = await visit('/login')
      await login(page, 'site_netadmin2')
      await page.goto('/monitoring/devices/new')
      await page.locator('#siteId-search').fill('孙寨')
      const visible = page.locator('#siteId option:not([hidden])')
      assert.deepEqual(await visible.allInnerTexts(), ['城关镇 / 孙寨村', '王庄镇 / 孙寨村'])
      await page.assertTextContains('#siteId-count', '找到 2 个站点')
      await page.locator('#siteId').selectOption({ label: '王庄镇 / 孙寨村' })
      await page.fill('#name', 'sunzhai-sw')
      await page.fill('#managementIp', '10.66.0.1')
      await page.fill('#community', 'S3cret-Comm')
      await page.locator('#device-form button[type="submit"]').click()
      await page.waitForURL((url) => /\/monitoring\/devices\/\d+$/.test(url.pathname))
      const device = await Device.findByOrFail('name', 'sunzhai-sw')
      assert.equal(device.siteId, namesake.id)
    })
  }
)
