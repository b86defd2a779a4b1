import { test } from '@japa/runner'
import SnmpClient from '#network_monitoring/snmp/client'
import DevicePoller from '#network_monitoring/snmp/device_poller'
import { freeUdpPort, startSnmpd } from '#network_monitoring/simulator/external_agents'
import type { ExternalAgent } from '#network_monitoring/simulator/external_agents'
import type { V3Credentials } from '#network_monitoring/snmp/v3_transport'

/**
 * SNMPv3 against Debian's snmpd (net-snmp 5.9): users created in a private
 * snmpd.conf (createUser; engine state in the agent's temp directory).
 * SHA-1 keys are 20 bytes, so AES-256 needs key extension there and the
 * Blumenthal ("AES-256") and Reeder/Cisco ("AES-256-C") variants differ.
 */
const USERS = [
  'createUser v3sha256 SHA-256 auth-sha256-pw AES priv-aes128-pw',
  'createUser v3sha1 SHA auth-sha1-pw-1 AES priv-sha1-aes-pw',
  'createUser v3sha224 SHA-224 auth-sha224-pw AES priv-sha224-pw',
  'createUser v3sha384 SHA-384 auth-sha384-pw AES priv-sha384-pw',
  'createUser v3sha512 SHA-512 auth-sha512-pw AES-256 priv-sha512-pw',
  'createUser v3blu SHA auth-blu-pw-1 AES-256 priv-blumenthal',
  'createUser v3ree SHA auth-ree-pw-1 AES-256-C priv-reeder-pw',
  'createUser v3ro SHA-256 auth-ro-pw-1 AES priv-ro-pw-1',
]
const ACCESS = USERS.map((line) => `rouser ${line.split(' ')[1]} priv`)

function user(
  username: string,
  authProtocol: V3Credentials['authProtocol'],
  authKey: string,
  privProtocol: V3Credentials['privProtocol'],
  privKey: string
): V3Credentials {
  return { username, level: 'authPriv', authProtocol, authKey, privProtocol, privKey }
}

test.group('SNMPv3 authPriv against snmpd', (group) => {
  let snmpd: ExternalAgent
  let startup: Error | null = null
  let client: SnmpClient
  let poller: DevicePoller

  group.setup(async () => {
    const started = await startSnmpd({ extraConfig: [...USERS, ...ACCESS] }).catch(
      (error: Error) => error
    )
    if (started instanceof Error) startup = started
    else snmpd = started
    client = await SnmpClient.open({ timeoutMs: 500, retries: 1 })
    poller = new DevicePoller(client)
    return async () => {
      client.close()
      if (!startup) await snmpd.stop()
    }
  })
  group.each.setup(() => {
    if (startup) throw startup
  })

  const v3 = (credentials: V3Credentials) => ({
    host: snmpd.host,
    port: snmpd.port,
    version: '3' as const,
    v3: credentials,
  })

  test('SHA-256 + AES-128: the same system, interfaces and CPU data as over v2c', async ({
    assert,
  }) => {
    const viaV2c = await poller.poll({ host: snmpd.host, port: snmpd.port, community: 'public' })
    const viaV3 = await poller.poll(
      v3(user('v3sha256', 'sha256', 'auth-sha256-pw', 'aes', 'priv-aes128-pw'))
    )
    assert.isTrue(viaV2c.ok)
    assert.isTrue(viaV3.ok, JSON.stringify(viaV3.error))
    assert.deepEqual(viaV3.modules, { system: 'ok', interfaces: 'ok', cpu: 'ok' })
    assert.equal(viaV3.system!.sysName, viaV2c.system!.sysName)
    assert.equal(viaV3.system!.sysObjectId, viaV2c.system!.sysObjectId)
    assert.isAbove(viaV3.interfaces.length, 0)
    assert.deepEqual(
      viaV3.interfaces.map((row) => [row.ifIndex, row.name]),
      viaV2c.interfaces.map((row) => [row.ifIndex, row.name])
    )
    assert.lengthOf(viaV3.cpuLoads, viaV2c.cpuLoads.length)
    assert.deepEqual(viaV3.moduleErrors, [])
  })

  test('{name} is polled')
    .with([
      {
        name: 'SHA-1 + AES-128',
        credentials: user('v3sha1', 'sha', 'auth-sha1-pw-1', 'aes', 'priv-sha1-aes-pw'),
      },
      {
        name: 'SHA-224 + AES-128',
        credentials: user('v3sha224', 'sha224', 'auth-sha224-pw', 'aes', 'priv-sha224-pw'),
      },
      {
        name: 'SHA-384 + AES-128',
        credentials: user('v3sha384', 'sha384', 'auth-sha384-pw', 'aes', 'priv-sha384-pw'),
      },
      {
        name: 'SHA-512 + AES-256',
        credentials: user('v3sha512', 'sha512', 'auth-sha512-pw', 'aes256b', 'priv-sha512-pw'),
      },
      {
        name: 'SHA-1 + AES-256 B (Blumenthal, snmpd AES-256)',
        credentials: user('v3blu', 'sha', 'auth-blu-pw-1', 'aes256b', 'priv-blumenthal'),
      },
      {
        name: 'SHA-1 + AES-256 R (Reeder, snmpd AES-256-C)',
        credentials: user('v3ree', 'sha', 'auth-ree-pw-1', 'aes256r', 'priv-reeder-pw'),
      },
    ])
    .run(async ({ assert }, row) => {
      const result = await poller.poll(v3(row.credentials))
      assert.isTrue(result.ok, JSON.stringify(result.error))
      assert.isString(result.system?.sysName)
      assert.isAbove(result.interfaces.length, 0)
    })

  test('the two AES-256 key extensions are not interchangeable: the wrong one is a decryption failure', async ({
    assert,
  }) => {
    const blumenthalAsReeder = await poller.poll(
      v3(user('v3blu', 'sha', 'auth-blu-pw-1', 'aes256r', 'priv-blumenthal'))
    )
    assert.isFalse(blumenthalAsReeder.ok)
    assert.equal(blumenthalAsReeder.error?.code, 'E_SNMP_V3_DECRYPT')
    const reederAsBlumenthal = await poller.poll(
      v3(user('v3ree', 'sha', 'auth-ree-pw-1', 'aes256b', 'priv-reeder-pw'))
    )
    assert.equal(reederAsBlumenthal.error?.code, 'E_SNMP_V3_DECRYPT')
  })

  test('wrong auth key, wrong auth protocol, wrong privacy key, unknown user: each its own error', async ({
    assert,
  }) => {
    const wrongAuthKey = await poller.poll(
      v3(user('v3ro', 'sha256', 'not-the-auth-pw', 'aes', 'priv-ro-pw-1'))
    )
    assert.isFalse(wrongAuthKey.ok)
    assert.equal(wrongAuthKey.error?.code, 'E_SNMP_V3_AUTH')

    const wrongAuthProtocol = await poller.poll(
      v3(user('v3ro', 'sha', 'auth-ro-pw-1', 'aes', 'priv-ro-pw-1'))
    )
    assert.equal(wrongAuthProtocol.error?.code, 'E_SNMP_V3_AUTH')

    const wrongPrivKey = await poller.poll(
      v3(user('v3ro', 'sha256', 'auth-ro-pw-1', 'aes', 'not-the-priv-pw'))
    )
    assert.equal(wrongPrivKey.error?.code, 'E_SNMP_V3_DECRYPT')

    const unknownUser = await poller.poll(
      v3(user('nobody-here', 'sha256', 'auth-ro-pw-1', 'aes', 'priv-ro-pw-1'))
    )
    assert.equal(unknownUser.error?.code, 'E_SNMP_V3_UNKNOWN_USER')

    // the right keys still work on the same client afterwards
    const right = await poller.poll(
      v3(user('v3ro', 'sha256', 'auth-ro-pw-1', 'aes', 'priv-ro-pw-1'))
    )
    assert.isTrue(right.ok, JSON.stringify(right.error))
  })

  test('incomplete or unsupported settings fail at once with E_SNMP_V3_CONFIG', async ({
    assert,
  }) => {
    const noPrivKey = await poller.poll(
      v3({ username: 'v3ro', level: 'authPriv', authProtocol: 'sha256', authKey: 'auth-ro-pw-1' })
    )
    assert.equal(noPrivKey.error?.code, 'E_SNMP_V3_CONFIG')
    assert.equal(noPrivKey.requests, 0)
  })

  test('a silent v3 device is a plain timeout, not a key error', async ({ assert }) => {
    const port = await freeUdpPort()
    const result = await poller.poll({
      host: '127.0.0.1',
      port,
      version: '3',
      v3: user('v3ro', 'sha256', 'auth-ro-pw-1', 'aes', 'priv-ro-pw-1'),
    })
    assert.isFalse(result.ok)
    assert.equal(result.error?.code, 'E_SNMP_TIMEOUT')
  })
})
