import { createRequire } from 'node:module'
import { test } from '@japa/runner'
import { SnmpType } from '#network_monitoring/snmp/ber'
import {
  netSnmpUser,
  normalisePriv,
  responseFromPdu,
  v3ProtocolFromText,
} from '#network_monitoring/snmp/v3_transport'

const netSnmp = createRequire(import.meta.url)('net-snmp') as {
  Authentication: {
    passwordToKey(protocol: number, password: string, engineId: Buffer): Buffer
  }
  Encryption: {
    generateLocalizedKeyBlumenthal(algorithm: object, auth: number, pw: string, id: Buffer): Buffer
    generateLocalizedKeyReeder(algorithm: object, auth: number, pw: string, id: Buffer): Buffer
    algorithms: Record<number, object>
  }
  AuthProtocols: Record<string, number>
  PrivProtocols: Record<string, number>
}

test.group('SNMPv3 key localisation (net-snmp, RFC 3414 A.3)', () => {
  const engineId = Buffer.from('000000000000000000000002', 'hex')

  test('password "maplesyrup" localises to the RFC 3414 A.3.1 (MD5) and A.3.2 (SHA-1) keys', ({
    assert,
  }) => {
    const md5 = netSnmp.Authentication.passwordToKey(
      netSnmp.AuthProtocols.md5,
      'maplesyrup',
      engineId
    )
    assert.equal(md5.toString('hex'), '526f5eed9fcce26f8964c2930787d82b')
    const sha = netSnmp.Authentication.passwordToKey(
      netSnmp.AuthProtocols.sha,
      'maplesyrup',
      engineId
    )
    assert.equal(sha.toString('hex'), '6695febc9288e36282235fc7151f128497b38f3f')
  })

  test('AES-256 with a SHA-1 key: Blumenthal and Reeder extend the 20-byte key differently', ({
    assert,
  }) => {
    const aes256 = netSnmp.Encryption.algorithms[netSnmp.PrivProtocols.aes256b]
    const sha = netSnmp.AuthProtocols.sha
    const kul = netSnmp.Authentication.passwordToKey(sha, 'maplesyrup', engineId)
    const blumenthal = netSnmp.Encryption.generateLocalizedKeyBlumenthal(
      aes256,
      sha,
      'maplesyrup',
      engineId
    )
    const reeder = netSnmp.Encryption.generateLocalizedKeyReeder(
      aes256,
      sha,
      'maplesyrup',
      engineId
    )
    assert.lengthOf(blumenthal, 32)
    assert.lengthOf(reeder, 32)
    // both start with Kul; the extension differs
    assert.equal(blumenthal.subarray(0, 20).toString('hex'), kul.toString('hex'))
    assert.equal(reeder.subarray(0, 20).toString('hex'), kul.toString('hex'))
    assert.notEqual(blumenthal.toString('hex'), reeder.toString('hex'))
  })
})

test.group('SNMPv3 replies in the internal form', () => {
  test('every value type survives the re-encoding, exceptions and error-status included', ({
    assert,
  }) => {
    const response = responseFromPdu(
      {
        id: 0x7ffffff0,
        errorStatus: 5,
        errorIndex: 2,
        varbinds: [
          {
            oid: '1.3.6.1.2.1.1.1.0',
            type: SnmpType.OctetString,
            value: Buffer.from('华为 S5735', 'utf8'),
          },
          {
            oid: '1.3.6.1.2.1.1.2.0',
            type: SnmpType.ObjectIdentifier,
            value: '1.3.6.1.4.1.2011.2.23.1',
          },
          { oid: '1.3.6.1.2.1.1.3.0', type: SnmpType.TimeTicks, value: 4294967295 },
          { oid: '1.3.6.1.2.1.2.2.1.7.200000', type: SnmpType.Integer, value: -129 },
          { oid: '1.3.6.1.2.1.2.2.1.10.1', type: SnmpType.Counter32, value: 2147483648 },
          {
            oid: '1.3.6.1.2.1.31.1.1.1.6.1',
            type: SnmpType.Counter64,
            value: Buffer.from('00ffffffffffffffff', 'hex'),
          },
          { oid: '1.3.6.1.2.1.4.20.1.1.10.0.0.1', type: SnmpType.IpAddress, value: '10.0.0.1' },
          { oid: '1.3.6.1.2.1.25.3.3.1.2.1', type: SnmpType.EndOfMibView, value: null },
        ],
      },
      'test'
    )
    assert.equal(response.reqid, 0x7ffffff0)
    assert.equal(response.errorStatus, 5)
    assert.equal(response.errorIndex, 2)
    assert.deepEqual(
      response.varbinds.map((vb) => [vb.oid, vb.value, vb.exception]),
      [
        ['1.3.6.1.2.1.1.1.0', '华为 S5735', undefined],
        ['1.3.6.1.2.1.1.2.0', '1.3.6.1.4.1.2011.2.23.1', undefined],
        ['1.3.6.1.2.1.1.3.0', 4294967295, undefined],
        ['1.3.6.1.2.1.2.2.1.7.200000', -129, undefined],
        ['1.3.6.1.2.1.2.2.1.10.1', 2147483648, undefined],
        ['1.3.6.1.2.1.31.1.1.1.6.1', 18446744073709551615n, undefined],
        ['1.3.6.1.2.1.4.20.1.1.10.0.0.1', '10.0.0.1', undefined],
        ['1.3.6.1.2.1.25.3.3.1.2.1', null, 'endOfMibView'],
      ]
    )
  })

  test('incomplete credentials are refused before anything is sent', ({ assert }) => {
    assert.throws(() => netSnmpUser({ username: '', level: 'authPriv' }, 'x'), /user name/)
    assert.throws(
      () =>
        netSnmpUser({ username: 'u', level: 'authPriv', authProtocol: 'sha', authKey: 'k' }, 'x'),
      /privacy/
    )
    assert.equal(normalisePriv('aes256'), 'aes256b')
    assert.isNull(normalisePriv('3des'))
  })

  test('protocols as written in spreadsheets and device configs map to the stored codes', ({
    assert,
  }) => {
    assert.equal(v3ProtocolFromText('auth', 'SHA-256'), 'sha256')
    assert.equal(v3ProtocolFromText('auth', 'SHA1'), 'sha')
    assert.equal(v3ProtocolFromText('priv', 'AES-128'), 'aes')
    assert.equal(v3ProtocolFromText('priv', 'AES-256'), 'aes256b')
    assert.equal(v3ProtocolFromText('priv', 'AES-256-C'), 'aes256r')
    assert.equal(v3ProtocolFromText('priv', 'aes256 R'), 'aes256r')
    assert.equal(v3ProtocolFromText('priv', 'blowfish'), 'blowfish')
  })
})
