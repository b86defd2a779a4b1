import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import PollJob from '#network_monitoring/jobs/poll_job'
import { createUser } from '#tests/helpers/identity'
import { assertNotIncludes } from '#tests/helpers/http'
import { createDevice, createSiteTree, devicesFor, freeBasePort } from '#tests/helpers/network'

const FAST = { snmpTimeoutMs: 300, snmpRetries: 0, snmpConcurrency: 8 }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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
    simulator = await SnmpSimulator.start({ devices: 8, basePort: freeBasePort() })
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
    const job = new PollJob({ settings: FAST })
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
      const stoppedAt = Date.now()
      let redAfterMs: number | null = null
      // the cron tick: every 250 ms; the job polls whatever is due
      while (Date.now() - stoppedAt <= 2 * INTERVAL_S * 1000 + 250) {
        await job.tick()
        if (statusOf(await board(), victim.id) === 'down') {
          redAfterMs = Date.now() - stoppedAt
          break
        }
        await sleep(250)
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
    const job = new PollJob({ settings: FAST })
    try {
      await job.tick()
      await sleep(1100)
      await job.tick({ force: true })
    } finally {
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
