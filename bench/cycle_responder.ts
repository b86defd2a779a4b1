/**
 * A fast SNMP v2c responder for `npm run bench:cycle`, in its own process
 * (so its work is not counted as the poller's event-loop lag): every socket
 * serves the same 24-port switch (system group, ifTable, ifXTable) whose
 * counters move with the wall clock. Several devices share each socket
 * (the poller matches replies by request-id and address).
 *
 *   node --import @poppinss/ts-exec bench/cycle_responder.ts SOCKETS
 * prints the bound ports as one JSON line, then serves until killed.
 */
import dgram from 'node:dgram'
import {
  compareOids,
  decodeText,
  encodeOidContent,
  parseOid,
  SnmpType,
} from '#network_monitoring/snmp/ber'

const PORTS = 24
const started = Date.now()

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length
  const head =
    n < 0x80
      ? Buffer.from([tag, n])
      : n < 0x100
        ? Buffer.from([tag, 0x81, n])
        : Buffer.from([tag, 0x82, n >> 8, n & 0xff])
  return Buffer.concat([head, body])
}
function uint(tag: number, value: bigint): Buffer {
  const bytes: number[] = []
  let v = value
  do {
    bytes.unshift(Number(v & 0xffn))
    v >>= 8n
  } while (v > 0n)
  if (bytes[0] & 0x80) bytes.unshift(0)
  return tlv(tag, Buffer.from(bytes))
}

type Value = () => Buffer
const mib: Array<{ parts: number[]; oid: Buffer; value: Value }> = []
const add = (oid: string, value: Value) => {
  const parts = parseOid(oid)
  mib.push({ parts, oid: tlv(SnmpType.ObjectIdentifier, encodeOidContent(parts)), value })
}
const text = (s: string) => () => tlv(SnmpType.OctetString, Buffer.from(s))
const seconds = () => BigInt(Math.floor((Date.now() - started) / 1000) + 1000)
add('1.3.6.1.2.1.1.1.0', text('Bench switch S5735'))
add('1.3.6.1.2.1.1.2.0', () =>
  tlv(SnmpType.ObjectIdentifier, encodeOidContent(parseOid('1.3.6.1.4.1.2011.2.23')))
)
add('1.3.6.1.2.1.1.3.0', () =>
  uint(SnmpType.TimeTicks, BigInt(Math.floor((Date.now() - started) / 10) + 100_000))
)
add('1.3.6.1.2.1.1.5.0', text('bench-sw'))
for (let i = 1; i <= PORTS; i++) {
  const t = (c: number) => `1.3.6.1.2.1.2.2.1.${c}.${i}`
  const x = (c: number) => `1.3.6.1.2.1.31.1.1.1.${c}.${i}`
  add(t(2), text(`GigabitEthernet0/0/${i}`))
  add(t(3), () => uint(SnmpType.Integer, 6n))
  add(t(5), () => uint(SnmpType.Gauge32, 1_000_000_000n))
  // every fifth port unused and shut (admin down, oper down), as a tidy access switch has them
  add(t(7), () => uint(SnmpType.Integer, i % 5 === 0 ? 2n : 1n))
  add(t(8), () => uint(SnmpType.Integer, i % 5 === 0 ? 2n : 1n))
  add(t(13), () => uint(SnmpType.Counter32, 0n))
  add(t(14), () => uint(SnmpType.Counter32, seconds() / 60n))
  add(t(19), () => uint(SnmpType.Counter32, 0n))
  add(t(20), () => uint(SnmpType.Counter32, 0n))
  add(x(1), text(`GE0/0/${i}`))
  add(x(6), () => uint(SnmpType.Counter64, seconds() * BigInt(1_000_000 * i)))
  add(x(10), () => uint(SnmpType.Counter64, seconds() * BigInt(500_000 * i)))
  add(x(15), () => uint(SnmpType.Gauge32, 1000n))
  add(x(18), text(i === 1 ? '上联' : ''))
}
mib.sort((a, b) => compareOids(a.parts, b.parts))
void decodeText

function next(parts: number[]): number {
  let lo = 0
  let hi = mib.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (compareOids(mib[mid].parts, parts) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

function parseRequest(buf: Buffer) {
  let pos = 0
  const header = () => {
    const tag = buf[pos]
    let length = buf[pos + 1]
    pos += 2
    if (length & 0x80) {
      const count = length & 0x7f
      length = 0
      for (let i = 0; i < count; i++) length = length * 256 + buf[pos + i]
      pos += count
    }
    return { tag, length }
  }
  const skip = () => {
    const { length } = header()
    const start = pos
    pos += length
    return buf.subarray(start, pos)
  }
  header()
  const version = skip()
  const community = skip()
  const pdu = header()
  const reqid = skip()
  const nonRepeaters = skip().readUIntBE(0, 1)
  const maxRepetitions = skip()
  const list = header()
  const end = pos + list.length
  const oids: number[][] = []
  while (pos < end) {
    header()
    const name = header()
    const bytes = buf.subarray(pos, pos + name.length)
    pos += name.length
    skip()
    const parts = [Math.floor(bytes[0] / 40), bytes[0] % 40]
    let v = 0
    for (let i = 1; i < bytes.length; i++) {
      v = v * 128 + (bytes[i] & 0x7f)
      if (!(bytes[i] & 0x80)) {
        parts.push(v)
        v = 0
      }
    }
    oids.push(parts)
  }
  return {
    version,
    community,
    type: pdu.tag,
    reqid,
    nonRepeaters,
    maxRepetitions: maxRepetitions.readUIntBE(0, maxRepetitions.length),
    oids,
  }
}

/**
 * Encoded varbind lists by request (all devices are the same switch and ask
 * the same questions), valid for the current second: the responder's CPU
 * time stays small next to the poller's, so the bench measures the poller.
 */
const cache = new Map<string, Buffer>()
let cacheSecond = -1

function answer(msg: Buffer): Buffer | null {
  const request = parseRequest(msg)
  const second = Math.floor(Date.now() / 1000)
  if (second !== cacheSecond) {
    cache.clear()
    cacheSecond = second
  }
  const key = `${request.type}|${request.nonRepeaters}|${request.maxRepetitions}|${request.oids.map((o) => o.join('.')).join(',')}`
  let list = cache.get(key)
  if (!list) {
    list = varbindList(request)
    cache.set(key, list)
  }
  const pdu = tlv(
    0xa2,
    Buffer.concat([tlv(2, request.reqid), Buffer.from([2, 1, 0, 2, 1, 0]), list])
  )
  return tlv(0x30, Buffer.concat([tlv(2, request.version), tlv(4, request.community), pdu]))
}

function varbindList(request: ReturnType<typeof parseRequest>): Buffer {
  const varbinds: Buffer[] = []
  const endOfView = (parts: number[]) =>
    tlv(
      0x30,
      Buffer.concat([
        tlv(SnmpType.ObjectIdentifier, encodeOidContent(parts)),
        Buffer.from([0x82, 0]),
      ])
    )
  const push = (index: number, parts: number[]) => {
    if (index >= mib.length) varbinds.push(endOfView(parts))
    else varbinds.push(tlv(0x30, Buffer.concat([mib[index].oid, mib[index].value()])))
  }
  if (request.type === 0xa0) {
    for (const parts of request.oids) {
      const i = mib.findIndex((entry) => compareOids(entry.parts, parts) === 0)
      varbinds.push(
        tlv(
          0x30,
          Buffer.concat([
            tlv(SnmpType.ObjectIdentifier, encodeOidContent(parts)),
            i < 0 ? Buffer.from([0x80, 0]) : mib[i].value(),
          ])
        )
      )
    }
  } else if (request.type === 0xa1) {
    for (const parts of request.oids) push(next(parts), parts)
  } else {
    const n = Math.min(request.nonRepeaters, request.oids.length)
    for (const parts of request.oids.slice(0, n)) push(next(parts), parts)
    const cursors = request.oids.slice(n).map((parts) => next(parts))
    for (let r = 0; r < request.maxRepetitions && cursors.length > 0; r++) {
      let any = false
      for (const [c, cursor] of cursors.entries()) {
        push(cursor, request.oids[n + c])
        if (cursor < mib.length) {
          cursors[c] = cursor + 1
          any = true
        }
      }
      if (!any || varbinds.length > 1200) break
    }
  }
  return tlv(0x30, Buffer.concat(varbinds))
}

const count = Number(process.argv[2] ?? 16)
const ports: number[] = []
for (let s = 0; s < count; s++) {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  socket.setRecvBufferSize(4 * 1024 * 1024)
  socket.on('message', (msg, rinfo) => {
    try {
      const reply = answer(msg)
      if (reply) socket.send(reply, rinfo.port, rinfo.address)
    } catch {
      // a bench responder: ignore what it cannot parse
    }
  })
  ports.push(socket.address().port)
}
console.log(JSON.stringify({ ports }))
