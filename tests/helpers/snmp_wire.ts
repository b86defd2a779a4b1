import dgram from 'node:dgram'
import { compareOids, encodeOidContent, parseOid, SnmpType } from '#network_monitoring/snmp/client'

/*
 * Byte-level SNMP helpers for tests: hand-built replies and small hostile
 * agents (UDP responders we control varbind by varbind).
 */

/** BER TLV with a definite length. */
export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  const length =
    body.length < 0x80
      ? Buffer.from([body.length])
      : body.length < 0x100
        ? Buffer.from([0x81, body.length])
        : Buffer.from([0x82, body.length >> 8, body.length & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, body])
}

function twosComplement(value: bigint): Buffer {
  const bytes: number[] = []
  let v = value
  do {
    bytes.unshift(Number(v & 0xffn))
    v >>= 8n
  } while (v !== 0n && v !== -1n)
  if (value >= 0n && bytes[0] & 0x80) bytes.unshift(0)
  if (value < 0n && !(bytes[0] & 0x80)) bytes.unshift(0xff)
  return Buffer.from(bytes)
}

export const int = (value: number | bigint) => tlv(SnmpType.Integer, twosComplement(BigInt(value)))
export const unsigned = (tag: number, value: number | bigint) => {
  const bytes = twosComplement(BigInt(value))
  return tlv(tag, bytes)
}
export const counter32 = (value: number) => unsigned(SnmpType.Counter32, value)
export const gauge32 = (value: number) => unsigned(SnmpType.Gauge32, value)
export const counter64 = (value: bigint | number) => unsigned(SnmpType.Counter64, value)
export const timeticks = (value: number) => unsigned(SnmpType.TimeTicks, value)
export const octets = (value: string | Buffer) =>
  tlv(SnmpType.OctetString, typeof value === 'string' ? Buffer.from(value, 'utf8') : value)
export const oidValue = (text: string) =>
  tlv(SnmpType.ObjectIdentifier, encodeOidContent(parseOid(text)))
export const endOfMibView = () => tlv(SnmpType.EndOfMibView)
export const varbind = (name: string, value: Buffer) => tlv(0x30, oidValue(name), value)

export function response(
  reqid: number,
  varbinds: Buffer[],
  options: { errorStatus?: number; errorIndex?: number; community?: string; version?: number } = {}
): Buffer {
  return tlv(
    0x30,
    int(options.version ?? 1),
    octets(options.community ?? 'public'),
    tlv(
      0xa2,
      int(reqid),
      int(options.errorStatus ?? 0),
      int(options.errorIndex ?? 0),
      tlv(0x30, ...varbinds)
    )
  )
}

export interface ParsedRequest {
  version: number
  community: string
  pduType: number
  reqid: number
  nonRepeaters: number
  maxRepetitions: number
  oids: string[]
}

/** Decodes a request we sent (test code: trusts the bytes). */
export function parseRequest(buf: Buffer): ParsedRequest {
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
  const integer = () => {
    const { length } = header()
    const value = buf.readIntBE(pos, length)
    pos += length
    return value
  }
  header()
  const version = integer()
  const c = header()
  const community = buf.toString('utf8', pos, pos + c.length)
  pos += c.length
  const pdu = header()
  const reqid = integer()
  const nonRepeaters = integer()
  const maxRepetitions = integer()
  const list = header()
  const end = pos + list.length
  const oids: string[] = []
  while (pos < end) {
    header()
    const name = header()
    const parts: number[] = [Math.floor(buf[pos] / 40), buf[pos] % 40]
    let value = 0
    for (let i = pos + 1; i < pos + name.length; i++) {
      value = value * 128 + (buf[i] & 0x7f)
      if (!(buf[i] & 0x80)) {
        parts.push(value)
        value = 0
      }
    }
    oids.push(parts.join('.'))
    pos += name.length
    const v = header()
    pos += v.length
  }
  return {
    version,
    community,
    pduType: pdu.tag - 0xa0,
    reqid,
    nonRepeaters,
    maxRepetitions,
    oids,
  }
}

export interface RawAgent {
  port: number
  host: string
  requests: () => number
  received: ParsedRequest[]
  close: () => Promise<void>
}

/** A UDP "agent" answering each request with whatever `reply` returns (null: silence). */
export async function rawAgent(
  reply: (request: Buffer) => Buffer | Buffer[] | null | Promise<Buffer | Buffer[] | null>,
  host = '127.0.0.1'
): Promise<RawAgent> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4')
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()))
  let requests = 0
  let closed = false
  const received: ParsedRequest[] = []
  socket.on('message', async (msg, rinfo) => {
    requests++
    try {
      received.push(parseRequest(msg))
    } catch {}
    const answer = await reply(msg)
    if (closed) return
    for (const datagram of answer === null ? [] : Array.isArray(answer) ? answer : [answer]) {
      socket.send(datagram, rinfo.port, rinfo.address)
    }
  })
  return {
    port: socket.address().port,
    host,
    requests: () => requests,
    received,
    close: () => {
      closed = true
      return new Promise<void>((resolve) => socket.close(() => resolve()))
    },
  }
}

export type MibEntry = [oid: string, value: Buffer]

export interface TableAgentOptions {
  /** Rewrites the varbinds of a reply (drop, swap…); gets the request too. */
  mangle?: (varbinds: MibEntry[], request: ParsedRequest) => MibEntry[]
  /** Returns an error-status (and 1-based index) for a request, or null to answer normally. */
  error?: (request: ParsedRequest) => { status: number; index: number } | null
  /** Milliseconds to wait before each reply. */
  delayMs?: number
  community?: string
  host?: string
}

/**
 * A correct v2c agent over a fixed MIB (GET, GETNEXT, GETBULK), whose
 * replies a test can then damage in one precise way.
 */
export async function tableAgent(mib: MibEntry[], options: TableAgentOptions = {}) {
  const entries = mib
    .map(([oid, value]) => ({ oid, parts: parseOid(oid), value }))
    .sort((a, b) => compareOids(a.parts, b.parts))
  const next = (oid: string) => {
    const parts = parseOid(oid)
    return entries.find((entry) => compareOids(entry.parts, parts) > 0)
  }
  return rawAgent(async (msg) => {
    const request = parseRequest(msg)
    if (options.community && request.community !== options.community) return null
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs))
    const failure = options.error?.(request)
    if (failure) {
      return response(
        request.reqid,
        request.oids.map((oid) => varbind(oid, tlv(SnmpType.Null))),
        { errorStatus: failure.status, errorIndex: failure.index, community: request.community }
      )
    }
    let out: MibEntry[] = []
    if (request.pduType === 0) {
      for (const oid of request.oids) {
        const hit = entries.find((entry) => entry.oid === oid)
        out.push([oid, hit ? hit.value : tlv(SnmpType.NoSuchObject)])
      }
    } else if (request.pduType === 1) {
      for (const oid of request.oids) {
        const hit = next(oid)
        out.push(hit ? [hit.oid, hit.value] : [oid, endOfMibView()])
      }
    } else {
      const n = Math.min(request.nonRepeaters, request.oids.length)
      for (const oid of request.oids.slice(0, n)) {
        const hit = next(oid)
        out.push(hit ? [hit.oid, hit.value] : [oid, endOfMibView()])
      }
      const cursors = request.oids.slice(n)
      for (let r = 0; r < request.maxRepetitions && cursors.length > 0; r++) {
        let any = false
        for (let c = 0; c < cursors.length; c++) {
          const hit = next(cursors[c])
          if (hit) {
            out.push([hit.oid, hit.value])
            cursors[c] = hit.oid
            any = true
          } else out.push([cursors[c], endOfMibView()])
        }
        if (!any) break
      }
    }
    if (options.mangle) out = options.mangle(out, request)
    return response(
      request.reqid,
      out.map(([oid, value]) => varbind(oid, value)),
      { community: request.community }
    )
  }, options.host)
}

/** The MIB of a small switch: system group, ifTable/ifXTable for `ports` ports, optional CPU. */
export function switchMib(
  ports: number,
  options: {
    sysDescr?: Buffer | string
    upTime?: number
    cpu?: number[]
    descr?: (i: number) => Buffer | string
    alias?: (i: number) => Buffer | string
    operStatus?: (i: number) => number
    inOctets?: (i: number) => bigint
    ifIndex?: (i: number) => number
  } = {}
): MibEntry[] {
  const mib: MibEntry[] = [
    ['1.3.6.1.2.1.1.1.0', octets(options.sysDescr ?? 'Test switch')],
    ['1.3.6.1.2.1.1.2.0', oidValue('1.3.6.1.4.1.2011.2.23.1')],
    ['1.3.6.1.2.1.1.3.0', timeticks(options.upTime ?? 123_456)],
    ['1.3.6.1.2.1.1.5.0', octets('sw-test')],
  ]
  for (let i = 1; i <= ports; i++) {
    const ix = options.ifIndex ? options.ifIndex(i) : i
    const t = (column: string) => `1.3.6.1.2.1.2.2.1.${column}.${ix}`
    const x = (column: string) => `1.3.6.1.2.1.31.1.1.1.${column}.${ix}`
    mib.push(
      [t('2'), octets(options.descr ? options.descr(i) : `GigabitEthernet0/0/${i}`)],
      [t('3'), int(6)],
      [t('5'), gauge32(1_000_000_000)],
      [t('7'), int(1)],
      [t('8'), int(options.operStatus ? options.operStatus(i) : 1)],
      [t('10'), counter32(1000 * i)],
      [t('13'), counter32(0)],
      [t('14'), counter32(0)],
      [t('16'), counter32(2000 * i)],
      [t('19'), counter32(0)],
      [t('20'), counter32(0)],
      [x('1'), octets(`GE0/0/${i}`)],
      [x('6'), counter64(options.inOctets ? options.inOctets(i) : BigInt(1000 * i))],
      [x('10'), counter64(BigInt(2000 * i))],
      [x('15'), gauge32(1000)],
      [x('18'), octets(options.alias ? options.alias(i) : '')]
    )
  }
  for (const [k, load] of (options.cpu ?? []).entries()) {
    mib.push([`1.3.6.1.2.1.25.3.3.1.2.${768 + k}`, int(load)])
  }
  return mib
}
