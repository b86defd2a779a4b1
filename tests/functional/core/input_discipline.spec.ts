import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { mkdir, readdir } from 'node:fs/promises'
import Project from '#project_review/models/project'
import ProjectAttachment from '#project_review/models/project_attachment'
import ReviewPanel from '#project_review/models/review_panel'
import ScoreSheet from '#project_review/models/score_sheet'
import Device from '#network_monitoring/models/device'
import attachments from '#project_review/services/attachments'
import panels from '#project_review/services/panels'
import sheets from '#project_review/services/sheets'
import { reviewActorOf } from '#project_review/services/actor'
import { createUser } from '#tests/helpers/identity'
import { createDevice, createSiteTree, deviceForm } from '#tests/helpers/network'
import {
  acceptedProject,
  createDraft,
  createExperts,
  formRows,
  reviewCast,
  sittingExperts,
} from '#tests/helpers/review'

const PROPOSAL = { title: '县公安局视频专网扩容', year: '2026', category: 'new' }
const ITEM = { category: 'hardware', name: '摄像机', quantity: '10', unitPrice: '1000' }
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')

test.group('Input discipline | numbers accept plain decimal digits only', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  for (const quantity of ['1e2', '0x10']) {
    test(`a budget quantity "${quantity}" is refused, not read as a number`, async ({
      client,
      assert,
    }) => {
      const { applicant } = await reviewCast()
      const response = await client
        .post('/review/projects')
        .header('referer', '/review/projects/new')
        .loginAs(applicant)
        .form({ ...PROPOSAL, ...formRows('items', [{ ...ITEM, quantity }]) })
        .withCsrfToken()
      response.assertTextIncludes('数量必须是正整数。')
      assert.isNull(await Project.findBy('title', PROPOSAL.title))
    })
  }

  test('full-width digits are read as the digits they show', async ({ client, assert }) => {
    const { applicant } = await reviewCast()
    await client
      .post('/review/projects')
      .header('referer', '/review/projects/new')
      .loginAs(applicant)
      .form({
        ...PROPOSAL,
        year: '２０２６',
        ...formRows('items', [{ ...ITEM, quantity: '１２' }]),
      })
      .withCsrfToken()
    const project = await Project.query()
      .where('title', PROPOSAL.title)
      .preload('items')
      .firstOrFail()
    assert.equal(project.year, 2026)
    assert.equal(project.items[0].quantity, 12)
  })

  test('a panel size "1e1" draws nobody', async ({ client, assert }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    await createExperts(12)
    const response = await client
      .post(`/review/projects/${project.id}/panel`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(reviewer)
      .form({ panelSize: '1e1', alternates: '0' })
      .withCsrfToken()
    response.assertTextIncludes('评审专家人数只能填写数字（0–9 和小数点）。')
    assert.isNull(await ReviewPanel.findBy('project_id', project.id))
  })

  test('a score "1e1" is refused and the sheet keeps no score', async ({ client, assert }) => {
    const { applicant, reviewer } = await reviewCast()
    const project = await acceptedProject(applicant, reviewer)
    await createExperts(5)
    await panels.draw(
      project.id,
      { panelSize: 5, alternates: 0, specialties: [] },
      reviewActorOf(reviewer)
    )
    const [first] = await sittingExperts(project.id)
    const sheet = await sheets.declareNoConflict(first.member.id, reviewActorOf(first.user))
    const response = await client
      .put(`/review/sheets/${sheet.id}`)
      .header('referer', `/review/sheets/${sheet.id}`)
      .loginAs(first.user)
      .form({ 'scores[necessity]': '1e1', 'intent': 'save' })
      .withCsrfToken()
    response.assertTextIncludes('评分必须是数字。')
    const stored = await ScoreSheet.findOrFail(sheet.id)
    assert.equal(stored.status, 'draft')
    assert.isNull(stored.total)
  })

  test('a device port "0x10" or poll interval "6e1" is refused', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { village } = await createSiteTree()
    const response = await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(deviceForm(village.id, { snmpPort: '0x10', pollIntervalSeconds: '6e1' }))
      .withCsrfToken()
    response.assertTextIncludes('SNMP 端口只能填写数字（0–9 和小数点）。')
    response.assertTextIncludes('轮询间隔只能填写数字（0–9 和小数点）。')
    assert.isNull(await Device.findBy('name', 'town-01-rtr'))
  })
})

test.group('Input discipline | control and bidi-override characters', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.each.setup(async () => {
    await mkdir(attachments.directory, { recursive: true })
    const before = new Set(await readdir(attachments.directory))
    return async () => {
      const after = await readdir(attachments.directory)
      await attachments.removeFiles(after.filter((name) => !before.has(name)))
    }
  })

  test('a title of two NUL bytes or with a right-to-left override is refused', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    for (const title of ['\u0000\u0000', '报告\u202Efdp.exe']) {
      const response = await client
        .post('/review/projects')
        .header('referer', '/review/projects/new')
        .loginAs(applicant)
        .form({ ...PROPOSAL, title })
        .withCsrfToken()
      response.assertTextIncludes('项目名称不能包含控制字符或文字方向控制符。')
    }
    assert.isNull(await Project.query().first())
  })

  test('a device name with a NUL byte is refused', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { village } = await createSiteTree()
    const response = await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(deviceForm(village.id, { name: 'core\u0000sw' }))
      .withCsrfToken()
    response.assertTextIncludes('设备名称不能包含控制字符或文字方向控制符。')
    assert.isNull(await Device.query().first())
  })

  test('line breaks stay allowed in a textarea, a bidi override does not', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    await client
      .post('/review/projects')
      .header('referer', '/review/projects/new')
      .loginAs(applicant)
      .form({ ...PROPOSAL, content: '一、扩容\r\n二、接入' })
      .withCsrfToken()
    const project = await Project.findByOrFail('title', PROPOSAL.title)
    assert.equal(project.content, '一、扩容\r\n二、接入')
    const refused = await client
      .put(`/review/projects/${project.id}`)
      .header('referer', `/review/projects/${project.id}/edit`)
      .loginAs(applicant)
      .form({ ...PROPOSAL, content: '扩容\u202E' })
      .withCsrfToken()
    refused.assertTextIncludes('建设内容不能包含控制字符或文字方向控制符。')
  })

  test('an attachment name loses its right-to-left override and shows its true order', async ({
    client,
    assert,
  }) => {
    const { applicant } = await reviewCast()
    const project = await createDraft(applicant)
    const upload = await client
      .post(`/review/projects/${project.id}/attachments`)
      .header('referer', `/review/projects/${project.id}`)
      .loginAs(applicant)
      .field('kind', 'feasibility')
      .file('attachment', PDF, { filename: '报告\u202Efdp.exe', contentType: 'application/pdf' })
      .withCsrfToken()
    upload.assertTextIncludes('报告fdp.exe')
    const attachment = await ProjectAttachment.findByOrFail('project_id', project.id)
    assert.equal(attachment.originalName, '报告fdp.exe')
  })
})

test.group('Input discipline | management addresses in canonical form', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  const spellings = [
    { stored: '127.0.0.1', typed: '::ffff:127.0.0.1' },
    { stored: '::1', typed: '0:0:0:0:0:0:0:1' },
  ]
  for (const { stored, typed } of spellings) {
    test(`"${typed}" is the same address as "${stored}" on the same port`, async ({
      client,
      assert,
    }) => {
      const admin = await createUser({ roles: ['netadmin'] })
      const { village } = await createSiteTree()
      await createDevice(village, { name: 'first', managementIp: stored, snmpPort: 161 })
      const response = await client
        .post('/monitoring/devices')
        .header('referer', '/monitoring/devices/new')
        .loginAs(admin)
        .form(deviceForm(village.id, { name: 'second', managementIp: typed }))
        .withCsrfToken()
      response.assertTextIncludes('该管理地址与 SNMP 端口已被其他设备使用。')
      assert.isNull(await Device.findBy('name', 'second'))
    })
  }

  test('an address is stored in canonical form', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { village } = await createSiteTree()
    await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(deviceForm(village.id, { managementIp: '2001:DB8:0:0:0:0:0:1' }))
      .withCsrfToken()
    const device = await Device.findByOrFail('name', 'town-01-rtr')
    assert.equal(device.managementIp, '2001:db8::1')
  })
})

test.group('Input discipline | CSV import compares canonical addresses', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('an IPv4-mapped address in a file collides with the stored IPv4 device', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { county, village } = await createSiteTree()
    await createDevice(village, { name: 'stored-sw', managementIp: '10.7.0.1', snmpPort: 161 })
    const csv = [
      '设备名称,管理地址,SNMP端口,SNMP版本,团体名,设备类型,站点层级,站点名称,上级站点,所属单位,上级设备,重要程度,轮询间隔(秒),启用,备注',
      `mapped-sw,::ffff:10.7.0.1,161,v2c,pub,核心交换机,县,${county.name},,,,关键,60,是,`,
    ].join('\r\n')
    const response = await client
      .post('/monitoring/devices/import')
      .header('referer', '/monitoring/devices/import')
      .loginAs(admin)
      .file('file', Buffer.from(csv + '\r\n', 'utf8'), { filename: 'devices.csv' })
      .withCsrfToken()
    response.assertTextIncludes('管理地址与 SNMP 端口已被设备「stored-sw」使用。')
    assert.isNull(await Device.findBy('name', 'mapped-sw'))
  })
})
