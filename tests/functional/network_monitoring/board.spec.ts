import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import DeviceState from '#network_monitoring/models/device_state'
import DeviceInterface from '#network_monitoring/models/device_interface'
import MaintenanceWindow from '#network_monitoring/models/maintenance_window'
import RetentionJob from '#network_monitoring/jobs/retention_job'
import { ROLLUP_DIRTY_MARK } from '#network_monitoring/services/marks'
import SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import PollJob from '#network_monitoring/jobs/poll_job'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDevice, createSiteTree, devicesFor, freeBasePort } from '#tests/helpers/network'
import type Device from '#network_monitoring/models/device'

/** The state the poller leaves: last poll a minute ago with the given status. */
async function pollState(device: Device, status: 'up' | 'down', lastOkAt?: DateTime) {
  const now = DateTime.utc()
  return DeviceState.create({
    deviceId: device.id,
    status,
    statusChangedAt: now.minus({ minutes: 5 }),
    lastPollAt: now.minus({ minutes: 1 }),
    lastOkAt: lastOkAt ?? (status === 'up' ? now.minus({ minutes: 1 }) : null),
    lastDurationMs: 20,
    consecutiveFailures: status === 'up' ? 0 : 3,
    lastErrorCode: status === 'up' ? null : 'E_SNMP_TIMEOUT',
    interfaceCount: 1,
  })
}

/** Minute polls of a device over the last `minutes`, failing where `fails(k)`. */
async function seedPolls(deviceId: number, minutes: number, fails: (k: number) => boolean) {
  const nowTs = Math.floor(Date.now() / 1000)
  const rows = []
  for (let k = minutes; k >= 1; k--) {
    rows.push({
      device_id: deviceId,
      ts: nowTs - 60 * k,
      duration_ms: 10,
      ok: !fails(k),
      in_maintenance: false,
      error_code: fails(k) ? 'E_SNMP_TIMEOUT' : null,
    })
  }
  await db.table('device_polls').multiInsert(rows)
}

const FAST = { snmpTimeoutMs: 300, snmpRetries: 0, snmpConcurrency: 8 }

/** The poll job's clock, moved by the test instead of waiting for the wall clock. */
function testClock(startMs = Date.now()) {
  let nowMs = startMs
  return {
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms
    },
  }
}

/** Real time shifted by an offset the test sets: the simulator's counters and the job's polls share it. */
const shared = {
  offset: 0,
  now: () => Date.now() + shared.offset,
}

interface BoardJson {
  counts: Record<string, number>
  devices: Array<{ id: number; status: string }>
  groups: Array<{ key: string; counts: Record<string, number> }>
  down: Array<{ id: number; name: string }>
}

test.group('Status board and device page', (group) => {
  let simulator: SnmpSimulator
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.setup(async () => {
    simulator = await SnmpSimulator.start({ devices: 8, basePort: freeBasePort(), now: shared.now })
    return () => simulator.stop()
  })
  group.each.teardown(() => simulator.clearFaults())

  test('a stopped simulated device turns red on the board within two poll intervals', async ({
    client,
    assert,
  }) => {
    const INTERVAL_S = 2
    const admin = await createUser({ roles: ['netadmin'] })
    const { town, village } = await createSiteTree()
    const [router] = await devicesFor(simulator.endpoints.slice(4, 5), town, {
      pollIntervalSeconds: INTERVAL_S,
      deviceType: 'access_router',
    })
    const [, victim] = await devicesFor(simulator.endpoints.slice(6, 8), village, {
      pollIntervalSeconds: INTERVAL_S,
      parentDeviceId: router.id,
    })
    const clock = testClock()
    const job = new PollJob({ settings: FAST, now: clock.now })
    const board = async () => {
      const response = await client
        .get('/monitoring/board.json')
        .header('accept', 'application/json')
        .loginAs(admin)
      response.assertStatus(200)
      return response.body() as BoardJson
    }
    const statusOf = (data: BoardJson, id: number) => data.devices.find((d) => d.id === id)?.status
    try {
      await job.tick()
      const before = await board()
      assert.equal(statusOf(before, victim.id), 'up')
      assert.equal(before.counts.up, 3)
      assert.equal(before.counts.down, 0)

      simulator.setFaults(7, { down: true })
      const stoppedAt = clock.now()
      let redAfterMs: number | null = null
      // the cron tick: every 250 ms of the job's clock; the job polls whatever is due
      while (clock.now() - stoppedAt <= 2 * INTERVAL_S * 1000 + 250) {
        await job.tick()
        if (statusOf(await board(), victim.id) === 'down') {
          redAfterMs = clock.now() - stoppedAt
          break
        }
        clock.advance(250)
      }
      assert.isNotNull(redAfterMs, 'the device never turned red')
      assert.isAtMost(redAfterMs!, 2 * INTERVAL_S * 1000)

      const after = await board()
      assert.equal(after.counts.down, 1)
      assert.equal(after.counts.up, 2)
      assert.equal(after.groups.find((g) => g.key === String(town.id))!.counts.down, 1)
      assert.deepEqual(
        after.down.map((d) => d.name),
        [victim.name]
      )
      const page = await client.get('/monitoring/board').loginAs(admin)
      page.assertStatus(200)
      assert.match(page.text(), new RegExp(`mon-cell mon-down[^"]*" data-device="${victim.id}"`))
    } finally {
      await job.close()
    }
  })

  test('the board groups devices by town and counts them; disabled and unpolled ones are not green', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { county, town, village } = await createSiteTree()
    await createDevice(county, { name: 'core-x' })
    await createDevice(town, { name: 'rtr-x', isEnabled: false })
    await createDevice(village, { name: 'sw-x', snmpVersion: 'v3' })
    const response = await client.get('/monitoring/board').loginAs(admin)
    response.assertStatus(200)
    response.assertTextIncludes(town.name)
    response.assertTextIncludes('县级节点')
    response.assertTextIncludes('<script src="/js/monitoring_board.js" defer></script>')
    assertNotIncludes(response, 'mon-cell mon-up')
    const jsonResponse = await client.get('/monitoring/board.json').loginAs(admin)
    const json = jsonResponse.body() as BoardJson
    assert.deepInclude(json.counts, { total: 3, up: 0, down: 0, unknown: 2, disabled: 1 })
    assert.deepEqual(
      json.groups.map((g) => g.key),
      ['county', String(town.id)]
    )
  })

  test('the device page shows system info, interfaces with rates, SVG charts and availability', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { county } = await createSiteTree()
    const [firewall] = await devicesFor(simulator.endpoints.slice(1, 2), county, {
      deviceType: 'firewall',
    })
    const job = new PollJob({ settings: FAST, now: shared.now })
    try {
      // rates come from the second poll: the first one "1.1 s ago" on the shared clock
      // (samples are keyed by the whole second, and none may lie in the page's future)
      shared.offset = -1100
      await job.tick()
      shared.offset = 0
      await job.tick({ force: true })
    } finally {
      shared.offset = 0
      await job.close()
    }
    const page = await client.get(`/monitoring/devices/${firewall.id}`).loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('xian-fw-01')
    page.assertTextIncludes('USG6650E')
    page.assertTextIncludes('外网-电子政务外网上联')
    page.assertTextIncludes('100.00%')
    page.assertTextIncludes('<svg viewBox="0 0 760 220"')
    assert.match(page.text(), /<path class="mon-line-in" d="M[\d.]+,[\d.]+/)
    assert.match(page.text(), /\d+(\.\d+)? Mbps/)
    assertNotIncludes(page, 'public')
  })

  test('a device in a maintenance window shows 维护中 on the board, counted apart from down', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town, village } = await createSiteTree()
    const router = await createDevice(town, { name: 'rtr-maint' })
    const sw = await createDevice(village, { name: 'sw-maint' })
    await pollState(router, 'up')
    await pollState(sw, 'down')
    await MaintenanceWindow.create({
      deviceId: sw.id,
      startsAt: DateTime.utc().minus({ hours: 1 }),
      endsAt: DateTime.utc().plus({ hours: 1 }),
      reason: '光缆割接',
    })
    const jsonResponse = await client.get('/monitoring/board.json').loginAs(admin)
    const json = jsonResponse.body() as BoardJson
    assert.deepInclude(json.counts, { total: 2, up: 1, down: 0, maintenance: 1 })
    assert.equal(json.devices.find((d) => d.id === sw.id)?.status, 'maintenance')
    assert.deepEqual(json.down, [])
    assert.deepInclude(json.groups.find((g) => g.key === String(town.id))!.counts, {
      down: 0,
      maintenance: 1,
    })
    const page = await client.get('/monitoring/board').loginAs(admin)
    assert.match(page.text(), new RegExp(`mon-cell mon-maintenance[^"]*" data-device="${sw.id}"`))
    assert.match(page.text(), /<b data-total="maintenance">1<\/b>/)
    assert.match(page.text(), /<b data-total="down">0<\/b>/)
    const device = await client.get(`/monitoring/devices/${sw.id}`).loginAs(admin)
    assert.match(
      device.text(),
      /<span class="badge badge-maintenance" id="device-status">维护中<\/span>/
    )
    const list = await client.get('/monitoring/devices').qs({ q: 'sw-maint' }).loginAs(admin)
    assert.match(list.text(), /<span class="mon-dot mon-maintenance"><\/span>维护中/)
  })

  test('a town card shows a badge only for devices that are down, in maintenance or unknown', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town, village } = await createSiteTree()
    const other = await createSiteTree('北')
    await pollState(await createDevice(town), 'up')
    await pollState(await createDevice(village), 'up')
    await pollState(await createDevice(other.town), 'up')
    await pollState(await createDevice(other.village), 'down')
    const page = await client.get('/monitoring/board').loginAs(admin)
    const badge = (key: number, status: string) =>
      page.text().match(new RegExp(`data-count="${key}:${status}" ?(hidden)?>(\\d+)<`))
    assert.deepEqual(badge(town.id, 'up')?.slice(1), [undefined, '2'])
    assert.deepEqual(badge(town.id, 'down')?.slice(1), ['hidden', '0'])
    assert.deepEqual(badge(town.id, 'unknown')?.slice(1), ['hidden', '0'])
    assert.deepEqual(badge(other.town.id, 'down')?.slice(1), [undefined, '1'])
  })

  test('a down device shows its interfaces as unknown, with the time of the last good poll', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const router = await createDevice(town, { name: 'rtr-dead' })
    const lastOk = DateTime.fromISO('2026-03-01T10:15:00', { zone: 'Asia/Shanghai' }).toUTC()
    await pollState(router, 'down', lastOk)
    await DeviceInterface.create({
      deviceId: router.id,
      ifIndex: 1,
      name: 'GE0/0/1',
      adminStatus: 1,
      operStatus: 1,
      speedBps: 1_000_000_000,
      inBps: 13_400_000,
      outBps: 2_100_000,
    })
    const page = await client.get(`/monitoring/devices/${router.id}`).loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('接口状态未知')
    page.assertTextIncludes('最后一次成功轮询（2026-03-01 10:15:00）')
    page.assertTextIncludes('上次 up/up')
    assertNotIncludes(page, '13.4 Mbps')
    const table = page.text().slice(page.text().indexOf('id="interfaces-table"'))
    assert.notMatch(table.slice(0, table.indexOf('</table>')), /mon-dot mon-up/)

    await DeviceState.query()
      .where('device_id', router.id)
      .update({
        status: 'up',
        last_ok_at: DateTime.utc().minus({ minutes: 1 }).toFormat('yyyy-MM-dd HH:mm:ss'),
      })
    const up = await client.get(`/monitoring/devices/${router.id}`).loginAs(admin)
    up.assertTextIncludes('13.4 Mbps')
    assertNotIncludes(up, '接口状态未知')
  })

  test('vanished interfaces are not shown as current ports but listed apart as 已消失', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const router = await createDevice(town, { name: 'rtr-renumbered' })
    await pollState(router, 'up')
    await DeviceInterface.create({
      deviceId: router.id,
      ifIndex: 1,
      name: 'GE0/0/1',
      adminStatus: 1,
      operStatus: 1,
      inBps: 13_400_000,
    })
    // what the poller leaves after a port vanished: parked out of the agent's ifIndex range, gone_at set
    const gone = await DeviceInterface.create({
      deviceId: router.id,
      ifIndex: 7,
      name: 'GE0/0/9-old',
      alias: '旧上联',
      adminStatus: 1,
      operStatus: null,
      inBps: 133_000_000,
      goneAt: DateTime.fromISO('2026-03-02T08:00:00', { zone: 'Asia/Shanghai' }).toUTC(),
    })
    await DeviceInterface.query()
      .where('id', gone.id)
      .update({ if_index: 3_000_000_000 + gone.id })
    const page = await client.get(`/monitoring/devices/${router.id}`).loginAs(admin)
    page.assertStatus(200)
    const text = page.text()
    const current = text.slice(text.indexOf('id="interfaces-table"'))
    const currentTable = current.slice(0, current.indexOf('</table>'))
    assert.include(currentTable, 'GE0/0/1')
    assert.notInclude(currentTable, 'GE0/0/9-old')
    assert.notInclude(currentTable, String(3_000_000_000 + gone.id))
    page.assertTextIncludes('已消失的接口（1）')
    const vanished = text.slice(text.indexOf('id="vanished-table"'))
    const vanishedTable = vanished.slice(0, vanished.indexOf('</table>'))
    assert.include(vanishedTable, 'GE0/0/9-old')
    assert.include(vanishedTable, '旧上联')
    assert.include(vanishedTable, '2026-03-02 08:00:00')
    assertNotIncludes(page, '133 Mbps')

    // a device with no vanished port has no such list
    await DeviceInterface.query().where('id', gone.id).delete()
    const clean = await client.get(`/monitoring/devices/${router.id}`).loginAs(admin)
    assertNotIncludes(clean, '已消失的接口')
  })

  test('charts: an empty one says 暂无数据, a young one says from when, points have titles; availability says what it covers', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const router = await createDevice(town, { name: 'rtr-young' })
    await pollState(router, 'up')
    const quiet = await DeviceInterface.create({ deviceId: router.id, ifIndex: 2, name: 'GE0/0/2' })
    const empty = await client.get(`/monitoring/devices/${router.id}?ifIndex=2`).loginAs(admin)
    empty.assertTextIncludes('暂无数据。流量数据需要至少两次成功轮询。')
    assertNotIncludes(empty, '<svg viewBox')
    assert.isNotNull(quiet)

    // two hours of polls and samples, no hourly rollup yet
    const uplink = await DeviceInterface.create({
      deviceId: router.id,
      ifIndex: 1,
      name: 'GE0/0/1',
      adminStatus: 1,
      operStatus: 1,
      inBps: 13_400_000,
    })
    await seedPolls(router.id, 120, (k) => k <= 12)
    const nowTs = Math.floor(Date.now() / 1000)
    const samples = []
    for (let k = 120; k >= 1; k--) {
      samples.push({
        interface_id: uplink.id,
        ts: nowTs - 60 * k,
        in_bps: 13_400_000,
        out_bps: 2_000_000,
        oper_up: true,
      })
    }
    await db.table('interface_samples').multiInsert(samples)
    const page = await client.get(`/monitoring/devices/${router.id}?ifIndex=1`).loginAs(admin)
    page.assertStatus(200)
    // the 24-hour chart bins into 5 minutes, the 30-day one into hours (from the raw samples here)
    const local = (ts: number) => DateTime.fromSeconds(ts, { zone: 'Asia/Shanghai' })
    const first5m = local(Math.floor((nowTs - 7200) / 300) * 300)
    const firstHour = local(Math.floor((nowTs - 7200) / 3600) * 3600)
    const from = page.text().match(/数据自 (\d{4}-\d\d-\d\d \d\d:\d\d) 起/g) ?? []
    assert.deepEqual(from, [
      `数据自 ${first5m.toFormat('yyyy-MM-dd HH:mm')} 起`,
      `数据自 ${firstHour.toFormat('yyyy-MM-dd HH:mm')} 起`,
    ])
    assert.include(
      page.text(),
      `<title>${first5m.toFormat('MM-dd HH:mm')} · 入 13.4 Mbps · 出 2.00 Mbps</title></rect>`
    )
    assert.include(
      page.text(),
      `<title>${firstHour.toFormat('yyyy-MM-dd HH:mm')} · 入 13.4 Mbps · 出 2.00 Mbps</title></rect>`
    )
    // 108 of 120 polls answered, over the two hours really monitored
    assert.match(
      page.text(),
      /id="availability-24h">90.00%<\/b><span>近 24 小时<span class="mon-covered" id="covered-24h">已监测 2 小时</
    )
    assert.match(page.text(), /id="covered-30d">已监测 2 小时</)
  })

  test('a maintenance window recorded afterwards takes its failed polls out of availability', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town } = await createSiteTree()
    const router = await createDevice(town, { name: 'rtr-late-window' })
    await pollState(router, 'up')
    // failed for 30 minutes, 40 to 10 minutes ago
    await seedPolls(router.id, 60, (k) => k > 10 && k <= 40)
    const before = await client.get(`/monitoring/devices/${router.id}`).loginAs(admin)
    before.assertTextIncludes('id="availability-24h">50.00%<')

    const start = DateTime.utc().minus({ minutes: 45 }).setZone('Asia/Shanghai')
    const end = DateTime.utc().minus({ minutes: 5 }).setZone('Asia/Shanghai')
    await client
      .post(`/monitoring/devices/${router.id}/maintenance`)
      .header('referer', `/monitoring/devices/${router.id}`)
      .loginAs(admin)
      .form({
        startsAt: start.toFormat("yyyy-MM-dd'T'HH:mm"),
        endsAt: end.toFormat("yyyy-MM-dd'T'HH:mm"),
        reason: '补登记的割接',
      })
      .withCsrfToken()
    const after = await client.get(`/monitoring/devices/${router.id}`).loginAs(admin)
    after.assertTextIncludes('id="availability-24h">100.00%<')
    const [dirty] = await db.from('monitoring_marks').where('name', ROLLUP_DIRTY_MARK)
    assert.isAtMost(Number(dirty.value), Math.floor(start.toSeconds()) + 60)

    // the monthly report (hourly rollups) agrees once the rollups are recomputed
    await new RetentionJob().rollup()
    const month = DateTime.utc().setZone('Asia/Shanghai').toFormat('yyyy-MM')
    const report = await client
      .get(`/monitoring/reports/availability?month=${month}&scope=site&format=csv`)
      .loginAs(admin)
    assert.include(report.text(), `${month},乡镇,${town.name},`)
    const line = report
      .text()
      .split('\n')
      .find((l) => l.includes(`,乡镇,${town.name},`))!
    assert.match(line, /,1,\d+,0,100\.000%,0,/)

    // removing the window puts the failures back
    const window = await MaintenanceWindow.query().where('device_id', router.id).firstOrFail()
    await client
      .delete(`/monitoring/devices/${router.id}/maintenance/${window.id}`)
      .loginAs(admin)
      .withCsrfToken()
    const removed = await client.get(`/monitoring/devices/${router.id}`).loginAs(admin)
    removed.assertTextIncludes('id="availability-24h">50.00%<')
  })

  test('only the netadmin sees the board and its JSON', async ({ client }) => {
    const auditor = await createUser({ roles: ['auditor'] })
    const page = await client.get('/monitoring/board').loginAs(auditor)
    page.assertStatus(403)
    const json = await client
      .get('/monitoring/board.json')
      .header('accept', 'application/json')
      .loginAs(auditor)
    json.assertStatus(403)
    const anonymous = await client
      .get('/monitoring/board.json')
      .header('accept', 'application/json')
    anonymous.assertStatus(401)
  })
})
