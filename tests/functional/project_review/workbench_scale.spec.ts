import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import decisions from '#project_review/services/decisions'
import { reviewActorOf } from '#project_review/services/actor'
import {
  cachedProjectsAggregate,
  projectsCacheSize,
  setProjectsCacheClock,
  TTL_MS,
} from '#project_review/services/projects_cache'
import { MAX_LIST_PAGE, shanghaiTime } from '#project_review/services/project_queries'
import { formatDateTime } from '#start/view'
import { assertNotIncludes } from '#tests/helpers/http'
import { reviewCast, reviewedProject } from '#tests/helpers/review'

/** Inserts `count` submitted projects of one unit and year straight into the table, oldest first. */
async function bulkProjects(unitId: number, year: number, count: number) {
  for (let start = 0; start < count; start += 500) {
    const rows = []
    for (let i = start; i < Math.min(count, start + 500); i++) {
      rows.push({
        code: `XM${year}-T${String(i).padStart(4, '0')}`,
        unit_id: unitId,
        year,
        title: `批量导入项目${String(i).padStart(4, '0')}`,
        category: 'new',
        state: 'submitted',
        return_count: 0,
        requested_fen: 1_000_000,
        similarity_flagged: false,
        submitted_at: '2026-03-01 00:30:00',
        created_at: '2026-03-01 00:30:00',
        updated_at: '2026-03-01 00:30:00',
      })
    }
    await db.table('projects').multiInsert(rows)
  }
}

test.group('Reviewer workbench at scale', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.teardown(() => setProjectsCacheClock(() => performance.now()))

  test('cached statistics and counts change as soon as a project is decided', async ({
    client,
    assert,
  }) => {
    let now = 0
    setProjectsCacheClock(() => now)
    // the cache listens to the database from its first use on
    await cachedProjectsAggregate('first use', async () => 0)
    const { unit, applicant, reviewer } = await reviewCast()
    const a = await reviewedProject(applicant, reviewer)
    await decisions.approve(
      a.id,
      a.items.map((item) => ({ budgetItemId: item.id, approved: item.amountFen, reason: '全额' })),
      null,
      reviewActorOf(reviewer)
    )
    const b = await reviewedProject(applicant, reviewer)
    now += 60_000

    const before = await client.get(`/review/projects?unitId=${unit.id}`).loginAs(reviewer)
    before.assertTextIncludes('<b id="stats-count">1</b>')
    before.assertTextIncludes('<b id="stats-requested">25.00</b>')
    const declinedBefore = await client
      .get(`/review/projects?unitId=${unit.id}&state=declined`)
      .loginAs(reviewer)
    declinedBefore.assertTextIncludes('没有符合条件的项目')
    assert.isAbove(projectsCacheSize(), 0, 'the figures are served from the cache')

    await decisions.decline(b.id, '与县公安局平台重复建设', reviewActorOf(reviewer))

    // 250,000 approved in full + 250,000 declined → 500,000 requested, 250,000 cut = 50.00 %
    const after = await client.get(`/review/projects?unitId=${unit.id}`).loginAs(reviewer)
    after.assertTextIncludes('<b id="stats-count">2</b>')
    after.assertTextIncludes('<b id="stats-requested">50.00</b>')
    after.assertTextIncludes('<b id="stats-approved">25.00</b>')
    after.assertTextIncludes('<b id="stats-rate">50.00%</b>')
    const declinedAfter = await client
      .get(`/review/projects?unitId=${unit.id}&state=declined`)
      .loginAs(reviewer)
    declinedAfter.assertTextIncludes('第 1 / 1 页，共 1 条')
  })

  test('a cached figure is computed again after any write to projects and after its TTL', async ({
    assert,
  }) => {
    let now = 0
    setProjectsCacheClock(() => now)
    let computed = 0
    const figure = () => cachedProjectsAggregate('test-figure', async () => ++computed)
    assert.equal(await figure(), 1)
    assert.equal(await figure(), 1, 'served from the cache')
    now += TTL_MS
    assert.equal(await figure(), 2, 'expired (what another process changed shows by now)')
    await db.from('projects').where('id', -1).update({ title: '无' })
    assert.equal(await figure(), 3, 'any write to projects drops the cached figures')
    assert.equal(await figure(), 4, 'nothing is kept right after a change (commits settle)')
    now += 2_000
    assert.equal(await figure(), 5)
    assert.equal(await figure(), 5)
  })

  test('the list pages through the newest 5,000 projects and says how to reach the rest', async ({
    client,
  }) => {
    const { unit, reviewer } = await reviewCast()
    await bulkProjects(unit.id, 2031, MAX_LIST_PAGE * 20 + 20)

    const last = await client.get('/review/projects?year=2031&page=400').loginAs(reviewer)
    last.assertTextIncludes(`第 ${MAX_LIST_PAGE} / ${MAX_LIST_PAGE} 页`)
    last.assertTextIncludes('批量导入项目0020')
    last.assertTextIncludes('批量导入项目0039')
    assertNotIncludes(last, '批量导入项目0019')
    last.assertTextIncludes('筛选结果共 5020 个项目，列表只翻到前 5000 个')
    assertNotIncludes(last, '下一页')

    const narrowed = await client.get('/review/projects?year=2031&q=项目000').loginAs(reviewer)
    narrowed.assertTextIncludes('第 1 / 1 页，共 10 条')
    assertNotIncludes(narrowed, 'id="projects-truncated"')
  })

  test('the CSV export streams every project of the filter, newest first, in Shanghai time', async ({
    client,
    assert,
  }) => {
    const { unit, reviewer } = await reviewCast()
    await bulkProjects(unit.id, 2032, 1_210)
    const response = await client.get('/review/projects?year=2032&format=csv').loginAs(reviewer)
    response.assertHeader('content-type', 'text/csv; charset=utf-8')
    const lines = response
      .text()
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    assert.lengthOf(lines, 1 + 1_210)
    assert.include(lines[0], '项目编号')
    assert.match(lines[1], /^XM2032-T1209,批量导入项目1209,/)
    assert.match(lines[1_210], /^XM2032-T0000,批量导入项目0000,/)
    // submitted 00:30 UTC, shown in Asia/Shanghai
    assert.include(lines[1], '2026-03-01 08:30:00')
    for (const iso of ['1992-06-30T23:59:59Z', '2026-12-31T16:00:00Z', '2027-07-01T04:05:06Z']) {
      const instant = new Date(iso)
      assert.equal(shanghaiTime(instant), formatDateTime(instant), iso)
    }
  })
})
