import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import Device from '#network_monitoring/models/device'
import AuditEvent from '#core/audit/audit_event'
import { openSecret } from '#network_monitoring/services/credentials'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDevice, createSiteTree, deviceForm } from '#tests/helpers/network'

test.group('Device inventory', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('the netadmin adds a device; the community is stored encrypted and audited without it', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const response = await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(deviceForm(town.id))
      .withCsrfToken()
      .redirects(0)
    const device = await Device.findByOrFail('name', 'town-01-rtr')
    response.assertHeader('location', `/monitoring/devices/${device.id}`)
    assert.equal(device.managementIp, '10.20.1.1')
    assert.equal(device.snmpPort, 161)
    assert.isTrue(device.isEnabled)
    assert.notInclude(device.communityEncrypted!, 'S3cret-Comm')
    assert.equal(openSecret(device.communityEncrypted), 'S3cret-Comm')
    const event = await AuditEvent.query().where('action', 'device.create').firstOrFail()
    assert.equal(event.actorId, admin.id)
    assert.include(event.details, 'town-01-rtr')
    assert.include(event.details, 'community')
    assert.notInclude(event.details, 'S3cret-Comm')
  })

  test('the edit form never shows the stored community, and a blank one keeps it', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const device = await createDevice(town, { community: 'Very-Secret-7' })
    const page = await client.get(`/monitoring/devices/${device.id}/edit`).loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('已设置，留空则不修改')
    assertNotIncludes(page, 'Very-Secret-7')
    assertNotIncludes(page, device.communityEncrypted!)

    const response = await client
      .put(`/monitoring/devices/${device.id}`)
      .header('referer', `/monitoring/devices/${device.id}/edit`)
      .loginAs(admin)
      .form(
        deviceForm(town.id, {
          name: device.name,
          managementIp: device.managementIp,
          community: '',
          pollIntervalSeconds: '120',
        })
      )
      .withCsrfToken()
      .redirects(0)
    response.assertHeader('location', `/monitoring/devices/${device.id}`)
    await device.refresh()
    assert.equal(device.pollIntervalSeconds, 120)
    assert.equal(openSecret(device.communityEncrypted), 'Very-Secret-7')
    const event = await AuditEvent.query().where('action', 'device.update').firstOrFail()
    assert.include(event.details, 'pollIntervalSeconds')
    assert.notInclude(event.details, 'Very-Secret-7')
  })

  test('saving the edit form unchanged writes no audit row and says 未作修改', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const device = await createDevice(town, { community: 'Same-Comm-1' })
    const unchanged = deviceForm(town.id, {
      name: device.name,
      managementIp: device.managementIp,
      deviceType: device.deviceType,
      criticality: device.criticality,
      community: '',
    })
    const response = await client
      .put(`/monitoring/devices/${device.id}`)
      .header('referer', `/monitoring/devices/${device.id}/edit`)
      .loginAs(admin)
      .form(unchanged)
      .withCsrfToken()
    response.assertTextIncludes('未作修改')
    assert.lengthOf(await AuditEvent.query().where('action', 'device.update'), 0)

    // typing the stored community again is no change either
    await client
      .put(`/monitoring/devices/${device.id}`)
      .header('referer', `/monitoring/devices/${device.id}/edit`)
      .loginAs(admin)
      .form({ ...unchanged, community: 'Same-Comm-1' })
      .withCsrfToken()
    assert.lengthOf(await AuditEvent.query().where('action', 'device.update'), 0)

    // a real change is still saved and audited
    await client
      .put(`/monitoring/devices/${device.id}`)
      .header('referer', `/monitoring/devices/${device.id}/edit`)
      .loginAs(admin)
      .form({ ...unchanged, criticality: 'critical' })
      .withCsrfToken()
    const events = await AuditEvent.query().where('action', 'device.update')
    assert.lengthOf(events, 1)
    assert.include(events[0].details, 'criticality')
  })

  test('a duplicate management IP and port is refused; the same IP on another port is fine', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    await createDevice(town, { name: 'existing-rtr', managementIp: '10.20.1.1', snmpPort: 161 })
    const refused = await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(deviceForm(town.id, { name: 'second-rtr' }))
      .withCsrfToken()
    refused.assertTextIncludes('该管理地址与 SNMP 端口已被其他设备使用')
    assert.isNull(await Device.findBy('name', 'second-rtr'))

    await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(deviceForm(town.id, { name: 'second-rtr', snmpPort: '1161' }))
      .withCsrfToken()
    const second = await Device.findByOrFail('name', 'second-rtr')
    assert.equal(second.snmpPort, 1161)
  })

  test('editing a device may keep its own address', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const device = await createDevice(town, { managementIp: '10.20.1.9' })
    await client
      .put(`/monitoring/devices/${device.id}`)
      .header('referer', `/monitoring/devices/${device.id}/edit`)
      .loginAs(admin)
      .form(deviceForm(town.id, { name: 'renamed', managementIp: '10.20.1.9', community: '' }))
      .withCsrfToken()
    await device.refresh()
    assert.equal(device.name, 'renamed')
  })

  for (const bad of ['10.20.1.256', 'not-an-ip', '10.20.1', '10.20.1.1/24', 'fe80::1%eth0']) {
    test(`a management address that is not an IP is refused: ${bad}`, async ({
      client,
      assert,
    }) => {
      const admin = await createUser({ roles: ['netadmin'] })
      const { town } = await createSiteTree()
      const response = await client
        .post('/monitoring/devices')
        .header('referer', '/monitoring/devices/new')
        .loginAs(admin)
        .form(deviceForm(town.id, { managementIp: bad }))
        .withCsrfToken()
      response.assertTextIncludes('管理地址不是有效的 IP 地址')
      assert.isNull(await Device.findBy('name', 'town-01-rtr'))
    })
  }

  test('a new v2c device needs a community', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const response = await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(deviceForm(town.id, { community: '' }))
      .withCsrfToken()
    response.assertTextIncludes('SNMP v1/v2c 设备必须填写团体名')
    assert.isNull(await Device.findBy('name', 'town-01-rtr'))
  })

  test('a v3 device keeps its keys encrypted and is polled', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { county } = await createSiteTree()
    const created = await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(
        deviceForm(county.id, {
          name: 'xian-fw-03',
          deviceType: 'firewall',
          snmpVersion: 'v3',
          community: '',
          v3Username: 'monitor',
          v3SecurityLevel: 'authPriv',
          v3AuthProtocol: 'sha',
          v3AuthKey: 'auth-key-123',
          v3PrivProtocol: 'aes',
          v3PrivKey: 'priv-key-456',
        })
      )
      .withCsrfToken()
    created.assertStatus(200)
    const device = await Device.findByOrFail('name', 'xian-fw-03')
    assert.isTrue(device.pollingSupported)
    assert.equal(openSecret(device.v3AuthKeyEncrypted), 'auth-key-123')
    assert.equal(openSecret(device.v3PrivKeyEncrypted), 'priv-key-456')
    assert.isNull(device.communityEncrypted)
    const list = await client.get('/monitoring/devices').loginAs(admin)
    assertNotIncludes(list, 'v3 暂不支持轮询')
    assertNotIncludes(list, 'auth-key-123')
    const edit = await client.get(`/monitoring/devices/${device.id}/edit`).loginAs(admin)
    assertNotIncludes(edit, 'auth-key-123')
    assertNotIncludes(edit, 'priv-key-456')

    const incomplete = await client
      .post('/monitoring/devices')
      .header('referer', '/monitoring/devices/new')
      .loginAs(admin)
      .form(
        deviceForm(county.id, {
          name: 'xian-fw-04',
          managementIp: '10.20.1.4',
          snmpVersion: 'v3',
          community: '',
          v3SecurityLevel: 'authPriv',
        })
      )
      .withCsrfToken()
    incomplete.assertTextIncludes('使用 SNMP v3 时必须填写v3 用户名')
    assert.isNull(await Device.findBy('name', 'xian-fw-04'))
  })

  test('a device cannot become its own ancestor', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town, village } = await createSiteTree()
    const router = await createDevice(town, { name: 'rtr' })
    const sw = await createDevice(village, { name: 'sw', parentDeviceId: router.id })
    const response = await client
      .put(`/monitoring/devices/${router.id}`)
      .header('referer', `/monitoring/devices/${router.id}/edit`)
      .loginAs(admin)
      .form(
        deviceForm(town.id, {
          name: 'rtr',
          managementIp: router.managementIp,
          community: '',
          parentDeviceId: String(sw.id),
        })
      )
      .withCsrfToken()
    response.assertTextIncludes('上级设备关系形成了循环')
    await router.refresh()
    assert.isNull(router.parentDeviceId)
  })

  test('only the netadmin reaches the inventory', async ({ client }) => {
    for (const roles of [['sysadmin'], ['auditor'], ['reviewer']] as const) {
      const user = await createUser({ roles: [...roles] })
      const list = await client.get('/monitoring/devices').loginAs(user)
      list.assertStatus(403)
      const { town } = await createSiteTree(roles[0])
      const post = await client
        .post('/monitoring/devices')
        .loginAs(user)
        .form(deviceForm(town.id))
        .withCsrfToken()
      post.assertStatus(403)
    }
  })

  test('the list searches, filters and exports CSV without credentials', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town, village } = await createSiteTree()
    await createDevice(town, {
      name: 'town-rtr-a',
      deviceType: 'access_router',
      community: 'cSecretA',
    })
    await createDevice(village, { name: 'cun-sw-b', deviceType: 'access_switch' })
    await createDevice(village, { name: 'cun-sw-c', deviceType: 'access_switch', isEnabled: false })

    const search = await client.get('/monitoring/devices?q=cun-sw').loginAs(admin)
    search.assertTextIncludes('cun-sw-b')
    assertNotIncludes(search, 'town-rtr-a')

    const byType = await client.get('/monitoring/devices?type=access_router').loginAs(admin)
    byType.assertTextIncludes('town-rtr-a')
    assertNotIncludes(byType, 'cun-sw-b')

    const byTown = await client
      .get(`/monitoring/devices?townId=${town.id}&level=village`)
      .loginAs(admin)
    byTown.assertTextIncludes('cun-sw-b')
    assertNotIncludes(byTown, 'town-rtr-a')

    const disabled = await client.get('/monitoring/devices?status=disabled').loginAs(admin)
    disabled.assertTextIncludes('cun-sw-c')
    assertNotIncludes(disabled, 'cun-sw-b')

    const csv = await client.get('/monitoring/devices?format=csv').loginAs(admin)
    csv.assertHeader('content-type', 'text/csv; charset=utf-8')
    assert.include(csv.text(), '设备名称,管理地址,SNMP端口')
    assert.include(csv.text(), 'town-rtr-a')
    assert.include(csv.text(), '接入路由器')
    assert.notInclude(csv.text(), 'cSecretA')
  })

  test('a refused 状态 filter lists its choices in Chinese, not as codes', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const page = await client.get('/monitoring/devices?status[]=up').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('已启用、已停用、在线、离线、未知')
    assert.notInclude(page.text(), 'enabled、disabled')
  })

  test('disabling and enabling a device is audited', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const device = await createDevice(town)
    await client
      .post(`/monitoring/devices/${device.id}/toggle-enabled`)
      .loginAs(admin)
      .withCsrfToken()
    await device.refresh()
    assert.isFalse(device.isEnabled)
    await client
      .post(`/monitoring/devices/${device.id}/toggle-enabled`)
      .loginAs(admin)
      .withCsrfToken()
    await device.refresh()
    assert.isTrue(device.isEnabled)
    const events = await AuditEvent.query().where('target_id', String(device.id)).orderBy('id')
    const actions = events.map((e) => e.action)
    assert.includeMembers(actions, ['device.disable', 'device.enable'])
  })

  test('deleting a device removes its history too', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const device = await createDevice(town)
    await db
      .table('device_polls')
      .insert({ device_id: device.id, ts: 1000, duration_ms: 5, ok: true, in_maintenance: false })
    await client.delete(`/monitoring/devices/${device.id}`).loginAs(admin).withCsrfToken()
    assert.isNull(await Device.find(device.id))
    assert.lengthOf(await db.from('device_polls').where('device_id', device.id), 0)
    await AuditEvent.query().where('action', 'device.delete').firstOrFail()
  })

  test('a maintenance window inside one day (08:00 → 09:00 Beijing time) is accepted', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const device = await createDevice(town)
    const response = await client
      .post(`/monitoring/devices/${device.id}/maintenance`)
      .header('referer', `/monitoring/devices/${device.id}`)
      .loginAs(admin)
      .form({ startsAt: '2026-03-05T08:00', endsAt: '2026-03-05T09:00', reason: '板卡更换' })
      .withCsrfToken()
    response.assertTextIncludes('维护窗口已登记')
    assertNotIncludes(response, '结束时间必须晚于开始时间')
    const stored = await device.related('maintenanceWindows').query().firstOrFail()
    assert.equal(stored.startsAt.toMillis(), Date.UTC(2026, 2, 5, 0, 0))
    assert.equal(stored.endsAt.toMillis(), Date.UTC(2026, 2, 5, 1, 0))
  })

  test('maintenance windows are added and removed with an audit trail', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const device = await createDevice(town)
    await client
      .post(`/monitoring/devices/${device.id}/maintenance`)
      .header('referer', `/monitoring/devices/${device.id}`)
      .loginAs(admin)
      .form({ startsAt: '2026-03-01T22:00', endsAt: '2026-03-02T02:00', reason: '光缆割接' })
      .withCsrfToken()
    const [window] = await db.from('maintenance_windows').where('device_id', device.id)
    assert.exists(window)
    const stored = await device.related('maintenanceWindows').query().firstOrFail()
    assert.equal(stored.startsAt.toMillis(), Date.UTC(2026, 2, 1, 14, 0))
    const refused = await client
      .post(`/monitoring/devices/${device.id}/maintenance`)
      .header('referer', `/monitoring/devices/${device.id}`)
      .loginAs(admin)
      .form({ startsAt: '2026-03-02T22:00', endsAt: '2026-03-02T02:00', reason: '反了' })
      .withCsrfToken()
    refused.assertTextIncludes('结束时间必须晚于开始时间')
    const sameMinute = await client
      .post(`/monitoring/devices/${device.id}/maintenance`)
      .header('referer', `/monitoring/devices/${device.id}`)
      .loginAs(admin)
      .form({ startsAt: '2026-03-03T08:00', endsAt: '2026-03-03T08:00', reason: '零时长' })
      .withCsrfToken()
    sameMinute.assertTextIncludes('结束时间必须晚于开始时间')
    assert.lengthOf(await db.from('maintenance_windows').where('device_id', device.id), 1)
    await client

      .delete(`/monitoring/devices/${device.id}/maintenance/${stored.id}`)
      .loginAs(admin)
      .withCsrfToken()
    assert.lengthOf(await db.from('maintenance_windows').where('device_id', device.id), 0)
    const events = await AuditEvent.query().where('target_id', String(device.id))
    const actions = events.map((e) => e.action)
    assert.includeMembers(actions, ['device.maintenance_add', 'device.maintenance_remove'])
  })
})

test.group('Site tree', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('sites follow 县 → 乡镇 → 村', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { county, town } = await createSiteTree()
    const wrong = await client
      .post('/monitoring/sites')
      .header('referer', '/monitoring/sites/new')
      .loginAs(admin)
      .form({ siteName: '错层村', level: 'village', parentId: String(county.id) })
      .withCsrfToken()
    wrong.assertTextIncludes('上级站点层级不符')
    await client
      .post('/monitoring/sites')
      .header('referer', '/monitoring/sites/new')
      .loginAs(admin)
      .form({ siteName: '和平村', level: 'village', parentId: String(town.id) })
      .withCsrfToken()
    const [row] = await db.from('network_sites').where('name', '和平村')
    assert.equal(Number(row.parent_id), town.id)
    const page = await client.get('/monitoring/sites').loginAs(admin)
    page.assertTextIncludes('和平村')
    const dup = await client
      .post('/monitoring/sites')
      .header('referer', '/monitoring/sites/new')
      .loginAs(admin)
      .form({ siteName: '和平村', level: 'village', parentId: String(town.id) })
      .withCsrfToken()
    dup.assertTextIncludes('同一上级下已有同名站点')
  })

  test('a site with devices cannot be deleted', async ({ client, assert }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { village } = await createSiteTree()
    await createDevice(village)
    await client.delete(`/monitoring/sites/${village.id}`).loginAs(admin).withCsrfToken()
    assert.lengthOf(await db.from('network_sites').where('id', village.id), 1)
  })
})
