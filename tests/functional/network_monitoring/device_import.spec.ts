import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import Device from '#network_monitoring/models/device'
import Site from '#network_monitoring/models/site'
import AuditEvent from '#core/audit/audit_event'
import { openSecret } from '#network_monitoring/services/credentials'
import { createUnit, createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDevice, createSiteTree } from '#tests/helpers/network'

const HEADER =
  '设备名称,管理地址,SNMP端口,SNMP版本,团体名,设备类型,站点层级,站点名称,上级站点,所属单位,上级设备,重要程度,轮询间隔(秒),启用,备注'

/**
 * A county file: core switch, towns with a router each, villages with a
 * switch each — `count` data rows; data row k is on file line k + 1.
 */
function countyCsv(count: number, patch: (line: number, cells: string[]) => void = () => {}) {
  const lines = [HEADER]
  for (let k = 1; k <= count; k++) {
    const line = k + 1
    let cells: string[]
    if (k === 1) {
      cells = [
        'xian-core-01',
        '10.0.0.1',
        '161',
        'v2c',
        'pub-core',
        '核心交换机',
        '县',
        '导入县',
        '',
        '',
        '',
        '关键',
        '60',
        '是',
        '机房A',
      ]
    } else if (k <= 33) {
      const town = `乡镇${String(k - 1).padStart(2, '0')}`
      cells = [
        `town-${k - 1}-rtr`,
        `10.1.${k - 1}.1`,
        '161',
        '2c',
        'pub-town',
        '接入路由器',
        '乡镇',
        town,
        '导入县',
        '',
        'xian-core-01',
        '重要',
        '60',
        '是',
        '',
      ]
    } else {
      const village = k - 33
      const town = `乡镇${String(((village - 1) % 32) + 1).padStart(2, '0')}`
      cells = [
        `cun-${village}-sw`,
        `10.2.${Math.floor(village / 250)}.${(village % 250) + 1}`,
        '161',
        'v2c',
        'pub-cun',
        '接入交换机',
        '村',
        `村${village}`,
        town,
        '',
        '',
        '一般',
        '300',
        '是',
        '',
      ]
    }
    patch(line, cells)
    lines.push(cells.join(','))
  }
  return lines.join('\r\n') + '\r\n'
}

/** Posts a file; `createSites` ticks 新建文件中不存在的站点 (the county files name new sites). */
async function upload(
  client: any,
  user: any,
  csv: string | Buffer,
  { filename = 'devices.csv', createSites = false } = {}
) {
  const request = client
    .post('/monitoring/devices/import')
    .header('referer', '/monitoring/devices/import')
    .loginAs(user)
    .file('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8'), { filename })
  if (createSites) request.field('createSites', '1')
  return request.withCsrfToken().redirects(0)
}

test.group('Device CSV import', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('a county file of 300 rows is imported in one go, creating the sites', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const response = await upload(client, admin, countyCsv(300), { createSites: true })
    response.assertStatus(302)
    response.assertHeader('location', '/monitoring/devices')
    assert.equal(
      await Device.query()
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      300
    )
    const county = await Site.findByOrFail('name', '导入县')
    assert.equal(county.level, 'county')
    const town = await Site.query().where('name', '乡镇05').firstOrFail()
    assert.equal(town.parentId, county.id)
    const village = await Site.query().where('name', '村37').firstOrFail()
    assert.equal(village.level, 'village')
    assert.equal(village.parentId, town.id)
    const router = await Device.findByOrFail('name', 'town-5-rtr')
    const core = await Device.findByOrFail('name', 'xian-core-01')
    assert.equal(router.parentDeviceId, core.id)
    assert.equal(router.snmpVersion, 'v2c')
    assert.equal(router.criticality, 'important')
    assert.equal(openSecret(router.communityEncrypted), 'pub-town')
    const sw = await Device.findByOrFail('name', 'cun-1-sw')
    assert.equal(sw.pollIntervalSeconds, 300)
    const event = await AuditEvent.query().where('action', 'device.import').firstOrFail()
    assert.include(event.details, '"created":300')
    assert.notInclude(event.details, 'pub-')
  })

  test('a bad row 217 imports nothing and names row 217', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const sitesBefore = await db.from('network_sites').count('* as n')
    const csv = countyCsv(300, (line, cells) => {
      if (line === 217) cells[1] = '10.2.0.999'
    })
    const response = await upload(client, admin, csv, { createSites: true })
    response.assertStatus(422)
    response.assertTextIncludes('导入失败：1 行有错误，未导入任何设备')
    response.assertTextIncludes('第 217 行')
    response.assertTextIncludes('管理地址不是有效的 IP 地址')
    assertNotIncludes(response, '第 216 行')
    assertNotIncludes(response, '第 218 行')
    assert.lengthOf(await Device.all(), 0)
    const sitesAfter = await db.from('network_sites').count('* as n')
    assert.equal(Number(sitesAfter[0].n), Number(sitesBefore[0].n))
    assert.lengthOf(await AuditEvent.query().where('action', 'like', 'device.%'), 0)
  })

  test('every bad row is reported with its own reason', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    await createDevice(town, { name: 'already-there', managementIp: '10.9.9.9', snmpPort: 161 })
    const csv = countyCsv(40, (line, cells) => {
      if (line === 5) cells[1] = '10.1.2.1' // same address as line 4 (town-2-rtr)
      if (line === 6) cells[1] = '10.9.9.9' // an existing device's address
      if (line === 7) cells[9] = '不存在的局'
      if (line === 8) cells[4] = ''
      if (line === 36) cells[5] = '路由交换一体机'
      if (line === 10) cells[0] = 'town-1-rtr'
      if (line === 11) cells[10] = 'ghost-device'
      if (line === 12) cells[12] = '5'
      if (line === 40) cells[8] = ''
    })
    const response = await upload(client, admin, csv, { createSites: true })
    response.assertStatus(422)
    response.assertTextIncludes('第 5 行')
    response.assertTextIncludes('管理地址与 SNMP 端口与第 4 行重复')
    response.assertTextIncludes('管理地址与 SNMP 端口已被设备「already-there」使用')
    response.assertTextIncludes('所属单位「不存在的局」不存在')
    response.assertTextIncludes('SNMP v1/v2c 设备必须填写团体名')
    response.assertTextIncludes('设备类型的取值无效，可选：核心交换机、汇聚交换机、接入交换机')
    response.assertTextIncludes('设备名称与第 3 行重复')
    response.assertTextIncludes('上级设备「ghost-device」不存在')
    response.assertTextIncludes('轮询间隔必须在 10 到 3600 之间')
    response.assertTextIncludes('村级站点必须填写上级站点')
    response.assertTextIncludes('导入失败：9 行有错误')
    assert.lengthOf(await Device.all(), 1)
  })

  test('an exported file imports back unchanged, keeping the stored credentials', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const unit = await createUnit({ name: '县数据局测试', code: 'SJJT' })
    const { town, village } = await createSiteTree()
    const router = await createDevice(town, { name: 'rt-a', community: 'keep-me', unitId: unit.id })
    await createDevice(village, { name: 'sw-b', parentDeviceId: router.id, description: '-主干=' })
    const exported = await client.get('/monitoring/devices?format=csv').loginAs(admin)
    const response = await upload(client, admin, exported.text())
    response.assertStatus(302)
    const again = await Device.query().orderBy('id').preload('parentDevice')
    assert.lengthOf(again, 2)
    assert.equal(openSecret(again[0].communityEncrypted), 'keep-me')
    assert.equal(again[0].unitId, unit.id)
    assert.equal(again[1].parentDevice.name, 'rt-a')
    assert.equal(again[1].description, '-主干=')
    const event = await AuditEvent.query().where('action', 'device.import').firstOrFail()
    assert.include(event.details, '"updated":0')
    assert.include(event.details, '"unchanged":2')
    assert.lengthOf(await AuditEvent.query().where('action', 'device.update'), 0)
    response.assertFlashMessage(
      'success',
      '导入完成：新增 0 台，更新 0 台，未变化 2 台，新建站点 0 个。'
    )
  })

  test('re-importing the export says 未变化 for unchanged rows and audits only the real changes', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town, village } = await createSiteTree()
    await createDevice(town, { name: 'rt-same', community: 'same-comm' })
    await createDevice(village, { name: 'sw-same' })
    await createDevice(village, { name: 'sw-edit', pollIntervalSeconds: 60 })
    const exported = await client.get('/monitoring/devices?format=csv').loginAs(admin)
    const lines = exported.text().split('\r\n')
    const header = lines[0].split(',')
    const edited = lines.map((line: string) => {
      if (!line.startsWith('sw-edit,')) return line
      const cells = line.split(',')
      cells[header.indexOf('轮询间隔(秒)')] = '120'
      return cells.join(',')
    })
    // the same community typed again is no change either
    const community = header.indexOf('团体名')
    const withCommunity = edited.map((line: string) => {
      if (!line.startsWith('rt-same,')) return line
      const cells = line.split(',')
      cells[community] = 'same-comm'
      return cells.join(',')
    })
    const response = await upload(client, admin, withCommunity.join('\r\n'))
    response.assertStatus(302)
    response.assertFlashMessage(
      'success',
      '导入完成：新增 0 台，更新 1 台，未变化 2 台，新建站点 0 个。'
    )
    const updates = await AuditEvent.query().where('action', 'device.update')
    assert.lengthOf(updates, 1)
    assert.include(updates[0].details, '"pollIntervalSeconds":[60,120]')
    const event = await AuditEvent.query().where('action', 'device.import').firstOrFail()
    assert.include(event.details, '"created":0,"updated":1,"unchanged":2')
  })

  test('an unknown 乡镇 or 村 name is an error on its line, never a new site', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { county, town, village } = await createSiteTree()
    const sitesBefore = await Site.query().count('* as n')
    const row = (name: string, ip: string, level: string, site: string, parent: string) =>
      [
        name,
        ip,
        '161',
        'v2c',
        'pub',
        '接入交换机',
        level,
        site,
        parent,
        '',
        '',
        '一般',
        '60',
        '是',
        '',
      ].join(',')
    const csv = [
      HEADER,
      row('sw-ok', '10.7.0.1', '村', village.name, town.name),
      row('sw-typo', '10.7.0.2', '村', '东风材', town.name),
      row('sw-town', '10.7.0.3', '村', village.name, '城关填'),
      row('rtr-town', '10.7.0.4', '乡镇', '新集镇', county.name),
      row('core-2', '10.7.0.5', '县', '邻县', ''),
    ].join('\r\n')
    const response = await upload(client, admin, csv)
    response.assertStatus(422)
    response.assertTextIncludes('导入失败：4 行有错误')
    const errors = response.text().slice(response.text().indexOf('id="import-errors"'))
    assert.match(errors, new RegExp(`第 3 行</th>\\s*<td>${town.name}下没有名为「东风材」的村`))
    assert.match(errors, /第 4 行<\/th>\s*<td>乡镇「城关填」不存在/)
    assert.match(errors, /第 5 行<\/th>\s*<td>乡镇「新集镇」不存在/)
    assert.match(errors, /第 6 行<\/th>\s*<td>县级站点「邻县」不存在/)
    assertNotIncludes(response, '第 2 行')
    assert.lengthOf(await Device.all(), 0)
    const sitesAfter = await Site.query().count('* as n')
    assert.equal(Number(sitesAfter[0].$extras.n), Number(sitesBefore[0].$extras.n))

    // asked for explicitly, the import creates them and says how many
    const fixed = csv.replace('东风材', '东风村').replace('城关填', town.name)
    const created = await upload(client, admin, fixed, { createSites: true })
    created.assertStatus(302)
    const event = await AuditEvent.query().where('action', 'device.import').firstOrFail()
    assert.include(event.details, '"created":5')
    assert.include(event.details, '"sitesCreated":2')
  })

  test('a file without the required columns is refused as a whole', async ({ client }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const response = await upload(client, admin, '设备名称,管理地址\r\nx,10.0.0.1\r\n')
    response.assertStatus(422)
    response.assertTextIncludes('缺少必填列：设备类型、站点层级、站点名称')
  })

  test('a GB18030 file saved by Excel is read correctly', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const csv = countyCsv(3)
    const gb = Buffer.from(
      new Uint8Array(
        // node has no GB18030 encoder; build the bytes of the few CJK strings used here
        await encodeGb18030(csv)
      )
    )
    const response = await upload(client, admin, gb, { createSites: true })
    response.assertStatus(302)
    const county = await Site.findByOrFail('name', '导入县')
    assert.equal(county.level, 'county')
  })

  test('a non-CSV upload is refused', async ({ client }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const response = await upload(client, admin, 'MZ\u0000\u0000', { filename: 'tool.exe' })
    response.assertStatus(422)
    response.assertTextIncludes('只能导入 .csv 文件')
  })
})

/** GB18030 bytes for text, using the decoder as an oracle over the two-byte GBK range. */
async function encodeGb18030(text: string) {
  const decoder = new TextDecoder('gb18030')
  const table = new Map<string, number[]>()
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue
      const char = decoder.decode(new Uint8Array([lead, trail]))
      if (char.length === 1 && !table.has(char)) table.set(char, [lead, trail])
    }
  }
  const bytes: number[] = []
  for (const char of text) {
    const code = char.codePointAt(0)!
    if (code < 0x80) bytes.push(code)
    else bytes.push(...table.get(char)!)
  }
  return bytes
}
