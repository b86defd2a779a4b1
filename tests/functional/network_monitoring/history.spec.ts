import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import ace from '@adonisjs/core/services/ace'
import { DateTime } from 'luxon'
import RetentionJob from '#network_monitoring/jobs/retention_job'
import SnmpRetention from '#commands/snmp_retention'
import { markRollupDirty, writeMark, ROLLUP_DONE_MARK } from '#network_monitoring/services/marks'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDevice, createSiteTree } from '#tests/helpers/network'

/** 2026-01-10 00:00 UTC: an arbitrary whole hour in the past. */
const H = Date.UTC(2026, 0, 10) / 1000

/** One hour of minute polls of a device and samples of one interface (see the assertions). */
async function seedHour(deviceId: number, interfaceId: number) {
  const polls = []
  const samples = []
  for (let k = 0; k < 60; k++) {
    polls.push({
      device_id: deviceId,
      ts: H + 60 * k,
      duration_ms: 100 + k,
      ok: !(k >= 10 && k <= 15),
      in_maintenance: k === 14 || k === 15,
      error_code: k >= 10 && k <= 15 ? 'E_SNMP_TIMEOUT' : null,
    })
    samples.push({
      interface_id: interfaceId,
      ts: H + 60 * k,
      in_bps: 1000 * k,
      out_bps: 500,
      oper_up: k < 50,
    })
  }
  await db.table('device_polls').multiInsert(polls)
  await db.table('interface_samples').multiInsert(samples)
}

async function rollups(table: string, resolution: number) {
  return db.from(table).where('resolution', resolution).orderBy('bucket_ts')
}

test.group('Rollups and retention', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('5-minute and hourly rollups carry avg/max rates and availability without maintenance', async ({
    assert,
  }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    await seedHour(device.id, 9001)
    const job = new RetentionJob()
    const report = await job.rollup((H + 3600 + 10) * 1000)
    assert.notProperty(report, 'skipped')

    const fiveMinutes = await rollups('device_rollups', 300)
    assert.lengthOf(fiveMinutes, 12)
    const third = fiveMinutes.find((row) => Number(row.bucket_ts) === H + 600)!
    assert.deepInclude(
      {
        polls: Number(third.polls),
        ok: Number(third.ok_polls),
        counted: Number(third.counted_polls),
        countedOk: Number(third.counted_ok_polls),
      },
      { polls: 5, ok: 0, counted: 4, countedOk: 0 }
    )
    const [hourly] = await rollups('device_rollups', 3600)
    assert.equal(Number(hourly.bucket_ts), H)
    assert.equal(Number(hourly.polls), 60)
    assert.equal(Number(hourly.ok_polls), 54)
    assert.equal(Number(hourly.counted_polls), 58)
    assert.equal(Number(hourly.counted_ok_polls), 54)
    assert.equal(Number(hourly.max_duration_ms), 159)
    assert.closeTo(Number(hourly.avg_duration_ms), 129.5, 0.01)

    const [iface] = await rollups('interface_rollups', 3600)
    assert.equal(Number(iface.samples), 60)
    assert.equal(Number(iface.up_samples), 50)
    assert.closeTo(Number(iface.avg_in_bps), 29500, 1)
    assert.equal(Number(iface.max_in_bps), 59000)
    assert.equal(Number(iface.avg_out_bps), 500)

    await job.rollup((H + 3600 + 20) * 1000)
    assert.lengthOf(
      await rollups('device_rollups', 300),
      12,
      'a rerun recomputes, never duplicates'
    )
    assert.lengthOf(await rollups('device_rollups', 3600), 1)
  })

  test('late samples (written from the poll buffer) are rolled up again', async ({ assert }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    await seedHour(device.id, 9002)
    const job = new RetentionJob()
    await job.rollup((H + 7200) * 1000)
    await db.table('device_polls').insert({
      device_id: device.id,
      ts: H + 30,
      duration_ms: 5,
      ok: false,
      in_maintenance: false,
    })
    await db.transaction((trx) => markRollupDirty(trx, H + 30))
    await job.rollup((H + 7200 + 60) * 1000)
    const [hourly] = await rollups('device_rollups', 3600)
    assert.equal(Number(hourly.polls), 61)
    assert.equal(Number(hourly.counted_ok_polls), 54)
    const mark = await db.from('monitoring_marks').where('name', 'rollup.dirty_from_ts').first()
    assert.isNull(mark.value)
  })

  test('the purge keeps each window, and never deletes raw data not yet rolled up', async ({
    assert,
  }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    await seedHour(device.id, 9003)
    const job = new RetentionJob({
      settings: { rawRetentionHours: 1, rollup5mRetentionDays: 1, rollupRetentionDays: 400 },
    })
    await db.transaction((trx) => writeMark(trx, ROLLUP_DONE_MARK, H + 1800))
    const early = await job.purge((H + 10 * 3600) * 1000)
    assert.equal(early.devicePolls, 30, 'only the rolled-up first half hour')
    assert.equal(early.interfaceSamples, 30)

    await job.rollup((H + 3 * 3600) * 1000)
    const later = await job.purge((H + 3 * 3600) * 1000)
    assert.equal(later.devicePolls, 30)
    assert.lengthOf(await db.from('device_polls').where('device_id', device.id), 0)
    assert.lengthOf(
      await rollups('device_rollups', 300),
      6,
      '5-minute rollups of the second half remain'
    )

    const old = await job.purge((H + 2 * 86400) * 1000)
    assert.isAbove(old.rollups5m, 0)
    assert.lengthOf(await rollups('device_rollups', 300), 0)
    assert.lengthOf(await rollups('device_rollups', 3600), 1, 'hourly rollups are kept 400 days')
  })

  test('node ace snmp:retention rolls up and purges', async ({ assert }) => {
    const { village } = await createSiteTree()
    const device = await createDevice(village)
    const now = Math.floor(Date.now() / 1000)
    await db.table('device_polls').multiInsert([
      {
        device_id: device.id,
        ts: now - 100 * 3600,
        duration_ms: 5,
        ok: true,
        in_maintenance: false,
      },
      { device_id: device.id, ts: now - 60, duration_ms: 5, ok: true, in_maintenance: false },
    ])
    const command = await ace.create(SnmpRetention, [])
    await command.exec()
    command.assertSucceeded()
    command.assertLogMatches(/purged 0 raw samples and 1 polls older than 48 h/)
    assert.lengthOf(await db.from('device_polls').where('device_id', device.id), 1)
    const hourly = await rollups('device_rollups', 3600)
    assert.isAtLeast(hourly.length, 2)
  })
})

test.group('Availability report', (group) => {
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())

  test('monthly availability per site, months in Beijing time, with CSV export', async ({
    client,
    assert,
  }) => {
    const admin = await createUser({ roles: ['netadmin'] })
    const { town, village } = await createSiteTree()
    const router = await createDevice(town, { name: 'rtr-report' })
    const sw = await createDevice(village, { name: 'sw-report', pollIntervalSeconds: 60 })
    // 2026-03 in Asia/Shanghai starts 2026-02-28 16:00 UTC
    const marchStart = DateTime.fromISO('2026-03-01T00:00', { zone: 'Asia/Shanghai' }).toSeconds()
    const row = (deviceId: number, bucket: number, counted: number, ok: number) => ({
      device_id: deviceId,
      resolution: 3600,
      bucket_ts: bucket,
      polls: counted,
      ok_polls: ok,
      counted_polls: counted,
      counted_ok_polls: ok,
      avg_duration_ms: 10,
      max_duration_ms: 20,
    })
    await db.table('device_rollups').multiInsert([
      row(router.id, marchStart, 60, 60),
      row(router.id, marchStart + 3600, 60, 60),
      row(sw.id, marchStart, 60, 30),
      row(sw.id, marchStart + 3600, 60, 60),
      row(sw.id, marchStart - 3600, 60, 0), // February in Beijing time
    ])
    const page = await client.get('/monitoring/reports/availability?month=2026-03').loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('乡镇（含下辖村）')
    page.assertTextIncludes('87.500%')
    page.assertTextIncludes('sw-report 75.00%')
    // two hours of March are covered: 03-01 00:00 to 02:00 Beijing time
    page.assertTextIncludes('本表数据覆盖 03-01 00:00 至 03-01 02:00（已监测 2 小时）')
    assertNotIncludes(page, `mon-indent-2">`)

    const drill = await client
      .get(`/monitoring/reports/availability?month=2026-03&townId=${town.id}`)
      .loginAs(admin)
    drill.assertTextIncludes(village.name)
    drill.assertTextIncludes('75.000%')
    drill.assertTextIncludes('100.000%')
    drill.assertTextIncludes('30 分钟')

    const csv = await client
      .get('/monitoring/reports/availability?month=2026-03&scope=site&format=csv')
      .loginAs(admin)
    csv.assertHeader('content-disposition', 'attachment; filename="availability-2026-03.csv"')
    assert.include(csv.text(), `2026-03,村,${village.name},${town.name},1,120,30,75.000%,30`)
    assert.include(csv.text(), `2026-03,乡镇,${town.name},`)
    assert.include(csv.text(), '全县合计,,2,240,30,87.500%')
    const byTown = await client
      .get('/monitoring/reports/availability?month=2026-03&format=csv')
      .loginAs(admin)
    assert.include(byTown.text(), `2026-03,乡镇（含下辖村）,${town.name},`)

    const worst = await client
      .get('/monitoring/reports/availability?month=2026-03&scope=site&sort=worst')
      .loginAs(admin)
    const table = worst.text().slice(worst.text().indexOf('id="availability-table"'))
    assert.isBelow(table.indexOf(village.name), table.indexOf('100.000%'))
  })

  test('only the netadmin reads the report', async ({ client }) => {
    const reviewer = await createUser({ roles: ['reviewer'] })
    const page = await client.get('/monitoring/reports/availability').loginAs(reviewer)
    page.assertStatus(403)
  })
})
