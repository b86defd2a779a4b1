import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Project from '#project_review/models/project'
import BudgetItem from '#project_review/models/budget_item'
import AuditEvent from '#core/audit/audit_event'
import proposals from '#project_review/services/proposals'
import { reviewActorOf } from '#project_review/services/actor'
import { assertNotIncludes } from '#tests/helpers/http'
import {
  attachFeasibility,
  createDraft,
  formRows,
  reviewCast,
  stateOf,
  assertStatus,
} from '#tests/helpers/review'
import { createUser } from '#tests/helpers/identity'

const FORM = {
  title: '县司法局社区矫正智能监管平台',
  year: 2026,
  category: 'new',
  content: '建设社区矫正对象电子定位与远程视频督察。',
  necessity: '现有人工报到方式效率低。',
  technicalPlan: '部署于政务云，接入数据共享交换平台。',
  securityLevel: 3,
  plannedStart: '2026-03-01',
  plannedEnd: '2026-12-31',
  contactName: '周经办',
  contactPhone: '0571-7654321',
}

function line(overrides: Record<string, unknown> = {}) {
  return {
    category: 'hardware',
    name: '定位终端',
    specification: '4G',
    quantity: '120',
    unitPrice: '1,280.50',
    ...overrides,
  }
}

test.group('Proposals | applicant form', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('an applicant saves a draft with budget lines; amounts are exact fen shown in yuan', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    const response = await client
      .post('/review/projects')
      .header('referer', '/review/projects/new')
      .loginAs(applicant)
      .form({
        ...FORM,
        ...formRows('items', [
          line(),
          line({ category: 'software', name: '监管软件', quantity: '1', unitPrice: '350000' }),
          {},
        ]),
      })
      .withCsrfToken()
      .redirects(0)
    const project = await Project.findByOrFail('title', FORM.title)
    response.assertHeader('location', `/review/projects/${project.id}`)
    assert.equal(project.state, 'draft')
    assert.equal(project.unitId, applicant.unitId)
    const items = await BudgetItem.query().where('project_id', project.id).orderBy('position')
    assert.deepEqual(
      items.map((item) => [item.quantity, item.unitPriceFen, item.amountFen]),
      [
        [120, 128_050, 15_366_000],
        [1, 35_000_000, 35_000_000],
      ]
    )
    assert.equal(project.requestedFen, 50_366_000)
    const page = await client.get(`/review/projects/${project.id}`).loginAs(applicant)
    page.assertTextIncludes('153,660.00')
    page.assertTextIncludes('503,660.00')
    assert.isNotNull(await AuditEvent.query().where('action', 'review.proposal.create').first())
  })

  const badLines: Array<[string, Record<string, unknown>, string]> = [
    ['a zero quantity', { quantity: '0' }, '数量必须大于 0。'],
    ['a negative quantity', { quantity: '-3' }, '数量必须大于 0。'],
    ['a fractional quantity', { quantity: '1.5' }, '数量必须是整数。'],
    ['a price with 3 decimals', { unitPrice: '12.345' }, '单价最多保留两位小数（到分）。'],
    ['a negative price', { unitPrice: '-5' }, '单价不能为负数。'],
    ['a price above 10^10 yuan', { unitPrice: '10000000000.01' }, '单价不能超过 100 亿元。'],
    ['a price that is no number', { unitPrice: '12元' }, '单价格式不正确'],
  ]
  for (const [what, overrides, message] of badLines) {
    test(`a budget line with ${what} is refused with a Chinese message`, async ({
      client,
      assert,
    }) => {
      const { applicant } = await reviewCast()
      const response = await client
        .post('/review/projects')
        .header('referer', '/review/projects/new')
        .loginAs(applicant)
        .form({ ...FORM, ...formRows('items', [line(overrides)]) })
        .withCsrfToken()
      response.assertTextIncludes(message)
      assert.isNull(await Project.findBy('title', FORM.title))
    })
  }

  test('a refused save shows exactly the rows the user had, with the date rule in Chinese', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    const blank = { category: '', name: '', specification: '', quantity: '', unitPrice: '' }
    const rows = [line(), blank, blank]
    const form = { ...FORM, plannedStart: '2026-06-01', plannedEnd: '2026-05-01' }
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await client
        .post('/review/projects')
        .header('referer', '/review/projects/new')
        .loginAs(applicant)
        .form({ ...form, ...formRows('items', rows) })
        .withCsrfToken()
      response.assertTextIncludes('计划完工日期不能早于计划开工日期。')
      assertNotIncludes(response, 'must be a date')
      assertNotIncludes(response, 'after or same as')
      const names = response.text().match(/name="items\[\d+\]\[name\]"/g) ?? []
      assert.lengthOf(names, 3, `attempt ${attempt + 1} shows the 3 rows sent`)
      response.assertTextIncludes('value="定位终端"')
    }
    assert.isNull(await Project.findBy('title', FORM.title))
  })

  test('the new form offers 3 blank rows and a running total', async ({ client }) => {
    const { applicant } = await reviewCast()
    const response = await client.get('/review/projects/new').loginAs(applicant)
    const names = response.text().match(/name="items\[\d+\]\[name\]"/g) ?? []
    if (names.length !== 3) throw new Error(`expected 3 rows, got ${names.length}`)
    response.assertTextIncludes('id="budget-total"')
    response.assertTextIncludes('<script src="/js/budget_total.js" defer></script>')
  })

  test('a title over 200 characters is refused', async ({ client, assert }) => {
    const { applicant } = await reviewCast()
    const response = await client
      .post('/review/projects')
      .header('referer', '/review/projects/new')
      .loginAs(applicant)
      .form({ ...FORM, title: '项'.repeat(201), ...formRows('items', [line()]) })
      .withCsrfToken()
    response.assertTextIncludes('项目名称不能超过 200 个字符。')
    assert.lengthOf(await Project.query().where('unit_id', applicant.unitId!), 0)
  })

  test('a proposal without budget lines cannot be submitted', async ({ client, assert }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant, { items: [] })
    const response = await client
      .post(`/review/projects/${project.id}/submit`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .withCsrfToken()
    response.assertTextIncludes('申报书不完整，不能提交')
    response.assertTextIncludes('预算明细')
    assert.equal(await stateOf(project.id), 'draft')
  })

  test('script and HTML typed into every text field are shown escaped', async ({ client }) => {
    const { applicant, reviewer } = await reviewCast()
    const evil = '<script>alert(1)</script><b>粗</b>'
    const response = await client
      .post('/review/projects')
      .header('referer', '/review/projects/new')
      .loginAs(applicant)
      .form({
        ...FORM,
        title: `标题${evil}`,
        content: `内容${evil}`,
        necessity: `必要${evil}`,
        technicalPlan: `方案${evil}`,
        contactName: `<i>周</i>`,
        ...formRows('items', [line({ name: `终端${evil}`, specification: `规格${evil}` })]),
      })
      .withCsrfToken()
      .redirects(0)
    const location = response.header('location')
    const id = Number(location!.split('/').pop())
    await attachFeasibility(id, applicant)
    await proposals.submit(id, reviewActorOf(applicant))
    for (const viewer of [applicant, reviewer]) {
      const page = await client.get(`/review/projects/${id}`).loginAs(viewer)
      assertNotIncludes(page, '<script>alert(1)</script>')
      assertNotIncludes(page, '<b>粗</b>')
      assertNotIncludes(page, '<i>周</i>')
      page.assertTextIncludes('&lt;script&gt;alert(1)&lt;/script&gt;')
    }
    const list = await client.get('/review/projects').loginAs(reviewer)
    assertNotIncludes(list, '<script>alert(1)</script>')
    const edit = await client.get(`/review/projects/${id}/edit`).loginAs(applicant)
    assertNotIncludes(edit, '<script>alert(1)</script>')
  })

  test('a submitted proposal cannot be edited through the form', async ({ client, assert }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant)
    await proposals.submit(project.id, reviewActorOf(applicant))
    const response = await client
      .put(`/review/projects/${project.id}`)
      .header('referer', `/review/projects/${project.id}/edit`)
      .loginAs(applicant)
      .form({ ...FORM, title: '偷偷改标题', ...formRows('items', [line()]) })
      .withCsrfToken()
    response.assertTextIncludes('已冻结')
    const unchanged = await Project.findOrFail(project.id)
    assert.notEqual(unchanged.title, '偷偷改标题')
  })

  test("an applicant cannot read or edit another unit's proposal", async ({ client }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant)
    const stranger = await createUser({ roles: ['applicant'] })
    await assertStatus(client.get(`/review/projects/${project.id}`).loginAs(stranger), 403)
    await assertStatus(client.get(`/review/projects/${project.id}/edit`).loginAs(stranger), 403)
    const list = await client.get('/review/projects').loginAs(stranger)
    assertNotIncludes(list, project.title)
    const submit = await client
      .post(`/review/projects/${project.id}/submit`)
      .loginAs(stranger)
      .withCsrfToken()
    submit.assertStatus(403)
  })

  test('a reviewer does not see drafts', async ({ client }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await createDraft(applicant)
    await assertStatus(client.get(`/review/projects/${project.id}`).loginAs(reviewer), 403)
    assertNotIncludes(await client.get('/review/projects').loginAs(reviewer), project.title)
  })

  test('a draft can be deleted after confirmation, a submitted one cannot', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    const draft = await createDraft(applicant, { title: '待删除的草稿' })
    const response = await client
      .delete(`/review/projects/${draft.id}`)
      .header('referer', `/review/projects/${draft.id}`)
      .loginAs(applicant)
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', '/review/projects')
    assert.isNull(await Project.find(draft.id))
    const submitted = await createDraft(applicant)
    await proposals.submit(submitted.id, reviewActorOf(applicant))
    const refused = await client
      .delete(`/review/projects/${submitted.id}`)
      .header('referer', `/review/projects/${submitted.id}`)
      .loginAs(applicant)
      .withCsrfToken()
    refused.assertTextIncludes('只能删除从未提交过的草稿')
    assert.isNotNull(await Project.find(submitted.id))
  })

  test('the empty list tells an applicant what to do next', async ({ client }) => {
    const { applicant } = await reviewCast()
    const page = await client.get('/review/projects').loginAs(applicant)
    page.assertTextIncludes('新建申报书')
    page.assertTextIncludes('本单位还没有项目申报书')
  })
})
