import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import proposals from '#project_review/services/proposals'
import { reviewActorOf } from '#project_review/services/actor'
import { assertNotIncludes } from '#tests/helpers/http'
import { createUser } from '#tests/helpers/identity'
import { issueApiToken } from '#tests/helpers/api_tokens'
import { createDevice, createSiteTree } from '#tests/helpers/network'
import { createDraft, reviewCast } from '#tests/helpers/review'

/** Two submitted projects, one about 公安 and one not. */
async function twoProjects() {
  const { applicant, reviewer } = await reviewCast()
  for (const title of ['公安视频专网扩容', '教育城域网']) {
    const project = await createDraft(applicant, { title })
    await proposals.submit(project.id, reviewActorOf(applicant))
  }
  return { applicant, reviewer }
}

test.group('List filters | empty fields and invalid values', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the API treats empty query fields as not given', async ({ client, assert }) => {
    await twoProjects()
    const { secret } = await issueApiToken(['review:read'], { name: '列表' })
    const response = await client
      .get('/api/v1/projects?q=%E5%85%AC%E5%AE%89&state=&year=&unitId=&category=&page=')
      .header('authorization', `Bearer ${secret}`)
    response.assertStatus(200)
    const titles = (response.body() as { data: { title: string }[] }).data.map((p) => p.title)
    assert.deepEqual(titles, ['公安视频专网扩容'])
  })

  test('an invalid value is named next to its field while the other filters apply', async ({
    client,
  }) => {
    const { reviewer } = await twoProjects()
    const response = await client
      .get('/review/projects?q=%E5%85%AC%E5%AE%89&state=nonsense&year=1e3&category=')
      .loginAs(reviewer)
    response.assertStatus(200)
    response.assertTextIncludes('data-filter-error="state"')
    response.assertTextIncludes('年度只能填写数字（0–9 和小数点）。')
    response.assertTextIncludes('公安视频专网扩容')
    assertNotIncludes(response, '教育城域网')
    assertNotIncludes(response, '提交的内容有误')
  })

  test('the device list: every field empty lists everything, one filled filters', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town, village } = await createSiteTree()
    await createDevice(town, { name: 'filter-core', deviceType: 'core_switch' })
    await createDevice(village, { name: 'filter-access', deviceType: 'access_switch' })
    const empty = 'q=&type=&level=&townId=&unitId=&criticality=&status='
    const all = await client.get(`/monitoring/devices?${empty}`).loginAs(admin)
    all.assertTextIncludes('filter-core')
    all.assertTextIncludes('filter-access')
    const one = await client
      .get(`/monitoring/devices?${empty.replace('type=', 'type=core_switch')}`)
      .loginAs(admin)
    one.assertTextIncludes('filter-core')
    assertNotIncludes(one, 'filter-access')
    assert.notInclude(one.text(), 'data-filter-error')
  })

  test('the site list exports its filtered rows as CSV', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    await createSiteTree('导出')
    const response = await client
      .get('/monitoring/sites?q=%E4%B8%9C%E9%A3%8E&level=&townId=&format=csv')
      .loginAs(admin)
    response.assertHeader('content-type', 'text/csv; charset=utf-8')
    const lines = response.text().trim().split('\r\n')
    assert.deepEqual(lines, [
      '站点名称,层级,所属乡镇,所属县,设备数',
      '导出东风村,村,导出城关镇,导出测试县,0',
    ])
  })
})
