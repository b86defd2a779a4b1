import { test } from '@japa/runner'
import { decodeResponse, decodeText } from '#network_monitoring/snmp/client'
import type { SnmpResponse } from '#network_monitoring/snmp/client'
import { octets, response, varbind } from '#tests/helpers/snmp_wire'

/**
 * Issue #8 point 8: device text in GB18030 — not only GBK's two-byte characters but also its
 * four-byte sequences (characters outside GBK, e.g. CJK Extension B) — reads back as Chinese.
 */

/** 设备 (GBK, two bytes each) + 𠀀 U+20000 (GB18030 four bytes) + "-01". */
const GB18030_NAME = Buffer.concat([
  Buffer.from('c9e8b1b8', 'hex'),
  Buffer.from([0x95, 0x32, 0x82, 0x36]),
  Buffer.from('-01'),
])

test.group('snmp codec: GB18030 text', () => {
  test('four-byte GB18030 sequences decode next to two-byte GBK ones', ({ assert }) => {
    assert.equal(decodeText(GB18030_NAME), '设备𠀀-01')
    // the same text in UTF-8 stays UTF-8
    assert.equal(decodeText(Buffer.from('设备𠀀-01', 'utf8')), '设备𠀀-01')
  })

  test('an ifAlias in GB18030 inside a reply reads back whole', ({ assert }) => {
    const reply = decodeResponse(
      response(77, [
        varbind('1.3.6.1.2.1.31.1.1.1.18.1', octets(GB18030_NAME)),
        varbind('1.3.6.1.2.1.1.5.0', octets(Buffer.from('b5e7d7d3d5fecef1', 'hex'))),
      ])
    )
    assert.isTrue(reply.ok)
    const values = (reply as SnmpResponse).varbinds.map((vb) => vb.value)
    assert.deepEqual(values, ['设备𠀀-01', '电子政务'])
  })
})
