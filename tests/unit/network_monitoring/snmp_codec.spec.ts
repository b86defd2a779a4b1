import { createRequire } from 'node:module'
import { test } from '@japa/runner'
import {
  decodeResponse,
  encodeOidContent,
  encodeRequest,
  parseOid,
  SnmpType,
} from '#network_monitoring/snmp/client'
import type { SnmpResponse } from '#network_monitoring/snmp/client'

interface NativePacket {
  community: string
  pdu: { type: number; reqid: number; error: number; errorIndex: number; varbinds: unknown[] }
}
const snmpNative = createRequire(import.meta.url)('snmp-native') as {
  Packet: new () => NativePacket
  encode(packet: NativePacket): Buffer
}

/** BER TLV with a definite length, for hand-built replies. */
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  const length =
    body.length < 0x80
      ? Buffer.from([body.length])
      : body.length < 0x100
        ? Buffer.from([0x81, body.length])
        : Buffer.from([0x82, body.length >> 8, body.length & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, body])
}
const int = (value: number) => {
  const bytes: number[] = []
  let v = value
  do {
    bytes.unshift(v & 0xff)
    v = Math.floor(v / 256)
  } while (v > 0)
  if (bytes[0] & 0x80) bytes.unshift(0)
  return tlv(SnmpType.Integer, Buffer.from(bytes))
}
const oid = (text: string) => tlv(SnmpType.ObjectIdentifier, encodeOidContent(parseOid(text)))
const varbind = (name: string, value: Buffer) => tlv(0x30, oid(name), value)

function response(reqid: number, varbinds: Buffer[], errorStatus = 0, errorIndex = 0): Buffer {
  return tlv(
    0x30,
    int(1),
    tlv(SnmpType.OctetString, Buffer.from('public')),
    tlv(0xa2, int(reqid), int(errorStatus), int(errorIndex), tlv(0x30, ...varbinds))
  )
}

test.group('snmp codec: requests', () => {
  test('requests are byte-identical to what snmp-native encodes', ({ assert }) => {
    const cases = [
      { type: 5, nonRepeaters: 4, maxRepetitions: 26, community: 'public', reqid: 123_456_789 },
      { type: 0, nonRepeaters: 0, maxRepetitions: 0, community: 'x'.repeat(200), reqid: 1 },
      { type: 1, nonRepeaters: 0, maxRepetitions: 0, community: 'dev7', reqid: 0x7ffffffe },
    ]
    const oids = [
      '1.3.6.1.2.1.1.3',
      '1.3.6.1.2.1.2.2.1.2.200',
      '1.3.6.1.4.1.2011.5.25.31.1.1.1.1.11.16842753',
      ...Array.from({ length: 30 }, (_, i) => `1.3.6.1.2.1.31.1.1.1.6.${i * 1000}`),
    ]
    for (const c of cases) {
      const packet = new snmpNative.Packet()
      packet.community = c.community
      packet.pdu.type = c.type
      packet.pdu.reqid = c.reqid
      packet.pdu.error = c.nonRepeaters
      packet.pdu.errorIndex = c.maxRepetitions
      packet.pdu.varbinds = oids.map((text) => ({ oid: parseOid(text), type: 5, value: null }))
      const ours = encodeRequest({
        version: 1,
        community: c.community,
        pduType: c.type,
        reqid: c.reqid,
        nonRepeaters: c.nonRepeaters,
        maxRepetitions: c.maxRepetitions,
        oids: oids.map((text) => encodeOidContent(parseOid(text))),
      })
      assert.equal(ours.toString('hex'), snmpNative.encode(packet).toString('hex'))
    }
  })
})

test.group('snmp codec: responses', () => {
  test('decodes every value type, Counter64 beyond 2^53 exactly', ({ assert }) => {
    const message = response(42, [
      varbind('1.3.6.1.2.1.1.3.0', tlv(SnmpType.TimeTicks, Buffer.from([0xff, 0xff, 0xff, 0xff]))),
      varbind('1.3.6.1.2.1.1.5.0', tlv(SnmpType.OctetString, Buffer.from('县核心-01', 'utf8'))),
      varbind(
        '1.3.6.1.2.1.31.1.1.1.6.1',
        tlv(SnmpType.Counter64, Buffer.from('00fffffffffffffc18', 'hex'))
      ),
      varbind(
        '1.3.6.1.2.1.2.2.1.14.1',
        tlv(SnmpType.Counter32, Buffer.from([0x00, 0x80, 0, 0, 0]))
      ),
      varbind('1.3.6.1.4.1.9.9.1', tlv(SnmpType.Integer, Buffer.from([0xfe]))),
      varbind('1.3.6.1.2.1.1.2.0', oid('1.3.6.1.4.1.2011.2.23.222')),
      varbind('1.3.6.1.2.1.4.20.1.1.10', tlv(SnmpType.IpAddress, Buffer.from([10, 0, 0, 1]))),
      varbind('1.3.6.1.2.1.31.1.1.1.1.1', tlv(SnmpType.NoSuchObject)),
      varbind('1.3.6.1.2.1.99', tlv(SnmpType.EndOfMibView)),
    ])
    const decoded = decodeResponse(message)
    assert.isTrue(decoded.ok)
    const reply = decoded as SnmpResponse
    assert.equal(reply.reqid, 42)
    assert.deepEqual(
      reply.varbinds.map((vb) => [vb.oid, vb.value, vb.exception ?? null]),
      [
        ['1.3.6.1.2.1.1.3.0', 4294967295, null],
        ['1.3.6.1.2.1.1.5.0', '县核心-01', null],
        ['1.3.6.1.2.1.31.1.1.1.6.1', 18446744073709550616n, null],
        ['1.3.6.1.2.1.2.2.1.14.1', 2147483648, null],
        ['1.3.6.1.4.1.9.9.1', -2, null],
        ['1.3.6.1.2.1.1.2.0', '1.3.6.1.4.1.2011.2.23.222', null],
        ['1.3.6.1.2.1.4.20.1.1.10', '10.0.0.1', null],
        ['1.3.6.1.2.1.31.1.1.1.1.1', null, 'noSuchObject'],
        ['1.3.6.1.2.1.99', null, 'endOfMibView'],
      ]
    )
    assert.equal(reply.varbinds[1].raw.toString('utf8'), '县核心-01')
  })

  test('a truncated reply is malformed and still names its request', ({ assert }) => {
    const message = response(7777, [
      varbind(
        '1.3.6.1.2.1.2.2.1.2.1',
        tlv(SnmpType.OctetString, Buffer.from('GigabitEthernet0/0/1'))
      ),
    ])
    for (const cut of [message.length - 1, message.length - 10, 20]) {
      const decoded = decodeResponse(message.subarray(0, cut))
      assert.isFalse(decoded.ok)
      if (!decoded.ok) {
        assert.match(decoded.reason, /truncated|length/)
        assert.equal(decoded.reqid, 7777)
      }
    }
  })

  test('garbage, trailing bytes, requests and unknown types are all rejected', ({ assert }) => {
    const good = response(5, [
      varbind('1.3.6.1.2.1.1.3.0', tlv(SnmpType.TimeTicks, Buffer.from([1]))),
    ])
    const rejected = [
      Buffer.from('ffffffff00112233', 'hex'),
      Buffer.from([0x30]),
      Buffer.concat([good, Buffer.from([0])]),
      Buffer.from(good).fill(0xa0, 13, 14),
      response(5, [varbind('1.3.6.1.2.1.1.3.0', tlv(0x47, Buffer.from([1])))]),
      response(5, [varbind('1.3.6.1.2.1.1.3.0', tlv(SnmpType.Counter32, Buffer.alloc(7)))]),
      response(5, [tlv(0x30, tlv(SnmpType.ObjectIdentifier, Buffer.from([0x2b, 0x86])), tlv(5))]),
    ]
    for (const message of rejected) {
      assert.isFalse(decodeResponse(message).ok, message.toString('hex'))
    }
    assert.isTrue(decodeResponse(good).ok)
  })

  test('a column test works on the encoded OID and returns the index after it', ({ assert }) => {
    const message = response(1, [
      varbind('1.3.6.1.2.1.2.2.1.2.300', tlv(SnmpType.OctetString, Buffer.from('x'))),
      varbind('1.3.6.1.2.1.2.2.1.3.1', int(6)),
      varbind('1.3.6.1.2.1.2.2.1.2', tlv(SnmpType.OctetString, Buffer.from('y'))),
    ])
    const reply = decodeResponse(message) as SnmpResponse
    const column = encodeOidContent(parseOid('1.3.6.1.2.1.2.2.1.2'))
    const into: number[] = []
    assert.equal(reply.suffixUnder(0, column, into), 1)
    assert.equal(into[0], 300)
    assert.equal(reply.suffixUnder(1, column, into), -1)
    assert.equal(reply.suffixUnder(2, column, into), -1)
  })
})
