import { test } from '@japa/runner'
import { decodeResponse, SnmpType } from '#network_monitoring/snmp/client'
import type { SnmpResponse } from '#network_monitoring/snmp/client'
import { encodedOid } from '#network_monitoring/snmp/ber'
import { walkTables } from '#network_monitoring/snmp/table_walk'
import { SnmpTransport } from '#network_monitoring/snmp/transport'
import {
  counter32,
  counter64,
  endOfMibView,
  int,
  octets,
  oidValue,
  response,
  timeticks,
  tlv,
  varbind,
} from '#tests/helpers/snmp_wire'

/** mulberry32: a small seeded PRNG, so a failure reproduces exactly. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CRASH_DATAGRAM = Buffer.from('30000201010400a20002', 'hex')

/** Well-formed replies of every shape the poller sees, to mutate. */
function seeds(): Buffer[] {
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => [
      varbind(`1.3.6.1.2.1.2.2.1.2.${i + 1}`, octets(`GigabitEthernet0/0/${i + 1}`)),
      varbind(`1.3.6.1.2.1.2.2.1.8.${i + 1}`, int(1)),
      varbind(`1.3.6.1.2.1.31.1.1.1.6.${i + 1}`, counter64(2n ** 63n + BigInt(i))),
    ]).flat()
  return [
    response(1, [varbind('1.3.6.1.2.1.1.3.0', timeticks(4200))]),
    response(0x7fffffff, [
      varbind('1.3.6.1.2.1.1.1.0', octets(Buffer.from('c4e3bac3', 'hex'))),
      varbind('1.3.6.1.2.1.1.2.0', oidValue('1.3.6.1.4.1.2011.2.23.222')),
      varbind('1.3.6.1.2.1.2.2.1.14.1', counter32(4294967295)),
      varbind('1.3.6.1.2.1.4.20.1.1.10', tlv(SnmpType.IpAddress, Buffer.from([10, 0, 0, 1]))),
      varbind('1.3.6.1.2.1.99', endOfMibView()),
    ]),
    response(77, rows(12)),
    response(78, rows(2), { errorStatus: 5, errorIndex: 2 }),
    CRASH_DATAGRAM,
  ]
}

function mutate(random: () => number, seed: Buffer): Buffer {
  const buf = Buffer.from(seed)
  const kind = Math.floor(random() * 6)
  const at = () => Math.floor(random() * buf.length)
  switch (kind) {
    case 0: // flip bits
      for (let n = 1 + Math.floor(random() * 4); n > 0; n--)
        buf[at()] ^= 1 << Math.floor(random() * 8)
      return buf
    case 1: // set bytes to interesting values
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        buf[at()] = [0x00, 0x7f, 0x80, 0x81, 0x84, 0xff, 0x30, 0x02, 0x04, 0x06][
          Math.floor(random() * 10)
        ]
      }
      return buf
    case 2: // truncate
      return buf.subarray(0, at())
    case 3: // append garbage
      return Buffer.concat([buf, randomBytes(random, 1 + Math.floor(random() * 16))])
    case 4: {
      // splice a random chunk in the middle
      const p = at()
      return Buffer.concat([
        buf.subarray(0, p),
        randomBytes(random, Math.floor(random() * 8)),
        buf.subarray(p + Math.floor(random() * 8)),
      ])
    }
    default: // whole random datagram
      return randomBytes(random, Math.floor(random() * 64))
  }
}

function randomBytes(random: () => number, n: number) {
  const out = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * 256)
  return out
}

/** Everything a caller may touch on a decoded reply. */
function touch(reply: SnmpResponse) {
  const base = encodedOid('1.3.6.1.2.1.2.2.1.2').encoded
  const into: number[] = []
  for (let i = 0; i < reply.count; i++) {
    const vb = reply.varbind(i)
    JSON.stringify(vb.toJSON())
    void vb.raw.length
    reply.suffixUnder(i, base, into)
    reply.sameName(i, 0)
  }
}

test.group('snmp decoder fuzzing', () => {
  test('100,000+ mutated and random datagrams: zero throws, zero unhandled rejections', async ({
    assert,
  }) => {
    const random = prng(0x5eed)
    const rejections: unknown[] = []
    const onRejection = (reason: unknown) => rejections.push(reason)
    process.on('unhandledRejection', onRejection)
    const transport = new SnmpTransport()
    const rinfo = { address: '127.0.0.1', family: 'IPv4' as const, port: 161, size: 0 }
    const pool = seeds()
    let decoded = 0
    let thrown = 0
    let walked = 0
    try {
      for (let n = 0; n < 120_000; n++) {
        const datagram = mutate(random, pool[n % pool.length])
        try {
          const result = decodeResponse(datagram)
          if (result.ok) {
            decoded++
            touch(result)
            if (n % 16 === 0) {
              walked++
              // a hostile reply fed to a table walk may fail it, never crash it
              let calls = 0
              await walkTables(
                async () => {
                  if (calls++ > 3) throw new Error('stop')
                  return result
                },
                'fuzz',
                '2c',
                ['1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.8', '1.3.6.1.2.1.31.1.1.1.6'],
                10,
                { scalars: ['1.3.6.1.2.1.1.3'], partial: true }
              ).catch((error: Error) => {
                if (!('code' in error) && error.message !== 'stop') throw error
              })
            }
          }
          transport.receive(datagram, rinfo)
        } catch (error) {
          thrown++
          if (thrown < 5) console.error(datagram.toString('hex'), error)
        }
      }
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('unhandledRejection', onRejection)
      transport.close()
    }
    assert.equal(thrown, 0)
    assert.equal(transport.stats.handlerErrors, 0)
    assert.lengthOf(rejections, 0)
    // the corpus really exercised the decoder's success path too
    assert.isAbove(decoded, 5_000)
    assert.isAbove(walked, 500)
    // ~5 s alone; a generous bound so a loaded CI machine does not hit the suite's default
  }).timeout(60_000)

  test('the crash datagram is a malformed reply, not an exception', ({ assert }) => {
    const result = decodeResponse(CRASH_DATAGRAM)
    assert.isFalse(result.ok)
    assert.isUndefined(result.reqid)
  })
})
