import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import SnmpClient from '#network_monitoring/snmp/client'
import PollJob from '#network_monitoring/jobs/poll_job'
import DeviceState from '#network_monitoring/models/device_state'
import { sealSecret } from '#network_monitoring/services/credentials'
import { DEMO_V3_DEVICE, DEMO_V3_USER, DEMO_V3_USERS } from '#network_monitoring/simulator/demo_v3'
import { createUser } from '#tests/helpers/identity'
import { createDevice, createSiteTree, freeBasePort } from '#tests/helpers/network'

const FAST = { snmpTimeoutMs: 400, snmpRetries: 0, snmpConcurrency: 4 }

function v3Fields(overrides: { authKey?: string; privKey?: string } = {}) {
  return {
    snmpVersion: 'v3' as const,
    v3Username: DEMO_V3_USER.username,
    v3SecurityLevel: 'authPriv' as const,
    v3AuthProtocol: 'sha256' as const,
    v3AuthKeyEncrypted: sealSecret(overrides.authKey ?? DEMO_V3_USER.authKey!),
    v3PrivProtocol: 'aes' as const,
    v3PrivKeyEncrypted: sealSecret(overrides.privKey ?? DEMO_V3_USER.privKey!),
  }
}

test.group('SNMPv3 devices', (group) => {
  let simulator: SnmpSimulator
  group.each.setup(() => testUtils.db().wrapInGlobalTransaction())
  group.setup(async () => {
    simulator = await SnmpSimulator.start({
      devices: 4,
      basePort: freeBasePort(),
      v3Users: DEMO_V3_USERS,
    })
    return () => simulator.stop()
  })

  test('the demo v3 device answers SNMPv3 only; the job polls it with the stored keys and the page shows it up', async ({
    assert,
    client,
  }) => {
    const endpoint = simulator.endpoint(DEMO_V3_DEVICE)
    // no community: a v2c request gets no answer
    const v2c = await SnmpClient.open({ timeoutMs: 300, retries: 0 })
    try {
      await assert.rejects(() =>
        v2c.get({ host: endpoint.host, port: endpoint.port, community: 'public' }, [
          '1.3.6.1.2.1.1.5.0',
        ])
      )
    } finally {
      v2c.close()
    }

    const { county } = await createSiteTree()
    const device = await createDevice(county, {
      name: 'ips-v3',
      managementIp: endpoint.host,
      snmpPort: endpoint.port,
      ...v3Fields(),
    })
    const job = new PollJob({ settings: FAST, journal: null })
    try {
      const report = await job.tick()
      assert.isFalse(report.skipped)
      if (report.skipped) return
      assert.equal(report.due, 1)
      assert.equal(report.ok, 1)
    } finally {
      await job.close()
    }
    const state = await DeviceState.findOrFail(device.id)
    assert.equal(state.status, 'up')
    assert.equal(state.sysName, DEMO_V3_DEVICE)
    assert.isAbove(state.interfaceCount, 0)

    const admin = await createUser({ roles: ['netadmin'] })
    const page = await client.get(`/monitoring/devices/${device.id}`).loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes(DEMO_V3_DEVICE)
    assert.notInclude(page.text(), DEMO_V3_USER.authKey!)
    assert.notInclude(page.text(), DEMO_V3_USER.privKey!)
  })

  test('a wrong auth key shows "SNMPv3 认证失败" on the device page', async ({
    assert,
    client,
  }) => {
    const endpoint = simulator.endpoint(DEMO_V3_DEVICE)
    const { county } = await createSiteTree()
    const device = await createDevice(county, {
      name: 'ips-v3-wrong',
      managementIp: endpoint.host,
      snmpPort: endpoint.port,
      ...v3Fields({ authKey: 'Not-The-Auth-Key' }),
    })
    const job = new PollJob({ settings: FAST, journal: null })
    try {
      const report = await job.tick()
      assert.equal(!report.skipped && report.failed, 1)
    } finally {
      await job.close()
    }
    const state = await DeviceState.findOrFail(device.id)
    assert.equal(state.lastErrorCode, 'E_SNMP_V3_AUTH')
    const admin = await createUser({ roles: ['netadmin'] })
    const page = await client.get(`/monitoring/devices/${device.id}`).loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('SNMPv3 认证失败')
  })
})
