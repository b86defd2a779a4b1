import { test } from '@japa/runner'
import {
  decodeResponse,
  encodeOidContent,
  parseOid,
  SnmpType,
} from '#network_monitoring/snmp/client'
import type { SnmpResponse } from '#network_monitoring/snmp/client'
import { int, octets, response, tlv } from '#tests/helpers/snmp_wire'

/**
 * Issue #8 point 11: OIDs are at most 128 sub-identifiers (RFC 2578). A reply naming (or
 * carrying as a value) a longer one is refused as malformed; 128 still decodes.
 */

/** 1.3.6.1.4.1.99999 then 7s up to `arcs` sub-identifiers in all. */
function arcsOf(arcs: number) {
  const head = [1, 3, 6, 1, 4, 1, 99_999]
  return [...head, ...Array.from({ length: arcs - head.length }, (_, i) => (i % 200) + 1)]
}

/** An OID TLV built from raw parts (parseOid would refuse to build the long ones). */
const rawOid = (parts: number[]) => tlv(SnmpType.ObjectIdentifier, encodeOidContent(parts))

function replyWith(name: Buffer, value: Buffer) {
  return response(4242, [tlv(0x30, name, value)])
}

test.group('snmp codec: OID length limit (128 sub-identifiers)', () => {
  test('a varbind named by a 128-arc OID decodes; 129 arcs is refused as malformed', ({
    assert,
  }) => {
    const ok = decodeResponse(replyWith(rawOid(arcsOf(128)), int(5)))
    assert.isTrue(ok.ok, 'exactly 128 sub-identifiers is allowed')
    const reply = ok as SnmpResponse
    assert.lengthOf(reply.varbinds, 1)
    assert.equal(reply.varbinds[0].oid, arcsOf(128).join('.'))
    assert.equal(reply.varbinds[0].value, 5)

    const refused = decodeResponse(replyWith(rawOid(arcsOf(129)), int(5)))
    assert.isFalse(refused.ok)
    if (!refused.ok) {
      assert.include(refused.reason, '128')
      assert.equal(refused.reqid, 4242, 'the request it answers fails at once')
    }

    const farTooLong = decodeResponse(replyWith(rawOid(arcsOf(400)), octets('x')))
    assert.isFalse(farTooLong.ok)
  })

  test('an OID value (e.g. sysObjectID) longer than 128 arcs is refused too', ({ assert }) => {
    const name = rawOid(parseOid('1.3.6.1.2.1.1.2.0'))
    assert.isTrue(decodeResponse(replyWith(name, rawOid(arcsOf(128)))).ok)
    const refused = decodeResponse(replyWith(name, rawOid(arcsOf(129))))
    assert.isFalse(refused.ok)
  })

  test('parseOid accepts 128 arcs and throws on 129 (no request for such an OID is ever built)', ({
    assert,
  }) => {
    assert.lengthOf(parseOid(arcsOf(128).join('.')), 128)
    assert.throws(() => parseOid(arcsOf(129).join('.')), /invalid OID/)
  })
})
