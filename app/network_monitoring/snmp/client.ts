import { createRequire } from 'node:module'
import { isIP } from 'node:net'
import type { RemoteInfo, Socket } from 'node:dgram'

/*
 * snmp-native ships no type declarations; this is the part of its public API
 * the client uses: a Session owns the UDP socket and hands every datagram to
 * our `msgReceived`. Requests are encoded and retransmitted here rather than
 * through `sendMsg`, and replies decoded here rather than by its `parse`:
 * its encoder allocates ~6 Buffers per varbind and its parser a slice and a
 * hex string per varbind (and rounds Counter64 to a double), which made the
 * poller, not the agent, the bottleneck — see bench/poll.ts. The bytes sent
 * are identical to what snmp-native's `encode` produces (unit-tested).
 */
interface NativeSession {
  socket?: Socket
  on(event: 'error', listener: (error: Error) => void): void
}
interface SnmpNativeModule {
  Session: new (options: Record<string, unknown>) => NativeSession
}

const snmpNative = createRequire(import.meta.url)('snmp-native') as SnmpNativeModule

/** ASN.1 / SNMP type tags as they appear on the wire. */
export const SnmpType = {
  Integer: 0x02,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  IpAddress: 0x40,
  Counter32: 0x41,
  Gauge32: 0x42,
  TimeTicks: 0x43,
  Opaque: 0x44,
  Counter64: 0x46,
  NoSuchObject: 0x80,
  NoSuchInstance: 0x81,
  EndOfMibView: 0x82,
} as const

const PDU_GET = 0
const PDU_GET_NEXT = 1
const PDU_RESPONSE = 2
const PDU_GET_BULK = 5

/** RFC 3416 error-status names, indexed by their numeric value. */
const ERROR_STATUS_NAMES = [
  'noError',
  'tooBig',
  'noSuchName',
  'badValue',
  'readOnly',
  'genErr',
  'noAccess',
  'wrongType',
  'wrongLength',
  'wrongEncoding',
  'wrongValue',
  'noCreation',
  'inconsistentValue',
  'resourceUnavailable',
  'commitFailed',
  'undoFailed',
  'authorizationError',
  'notWritable',
  'inconsistentName',
]

export type SnmpException = 'noSuchObject' | 'noSuchInstance' | 'endOfMibView'

/** One decoded variable binding; `raw` keeps the value bytes for callers that need them. */
export interface SnmpVarbind {
  oid: string
  type: number
  value: number | bigint | string | null
  raw: Buffer
  exception?: SnmpException
}

export type SnmpErrorCode =
  | 'E_SNMP_TIMEOUT'
  | 'E_SNMP_MALFORMED_RESPONSE'
  | 'E_SNMP_ERROR_STATUS'
  | 'E_SNMP_PROTOCOL'
  | 'E_SNMP_SEND'
  | 'E_SNMP_ABORTED'
  | 'E_SNMP_CLOSED'

/** Base of every failure the client reports; `code` is stable, messages are for humans. */
export class SnmpError extends Error {
  readonly code: SnmpErrorCode
  readonly target: string

  constructor(code: SnmpErrorCode, target: string, message: string, options?: ErrorOptions) {
    super(`${message} (${target})`, options)
    this.name = 'SnmpError'
    this.code = code
    this.target = target
  }
}

/** No usable reply within timeout × (retries + 1); also what a wrong community looks like. */
export class SnmpTimeoutError extends SnmpError {
  constructor(target: string, attempts: number, timeoutMs: number) {
    super('E_SNMP_TIMEOUT', target, `no response after ${attempts} attempt(s) of ${timeoutMs} ms`)
    this.name = 'SnmpTimeoutError'
  }
}

/** The agent answered, but with bytes that are not a well-formed SNMP response. */
export class SnmpMalformedResponseError extends SnmpError {
  readonly reason: string

  constructor(target: string, reason: string) {
    super('E_SNMP_MALFORMED_RESPONSE', target, `malformed response: ${reason}`)
    this.name = 'SnmpMalformedResponseError'
    this.reason = reason
  }
}

/** A well-formed response carrying a non-zero error-status (tooBig, genErr, noSuchName…). */
export class SnmpErrorStatusError extends SnmpError {
  readonly status: number
  readonly statusName: string
  readonly index: number

  constructor(target: string, status: number, index: number) {
    const statusName = ERROR_STATUS_NAMES[status] ?? `error-${status}`
    super('E_SNMP_ERROR_STATUS', target, `agent returned ${statusName} at varbind ${index}`)
    this.name = 'SnmpErrorStatusError'
    this.status = status
    this.statusName = statusName
    this.index = index
  }
}

/** The agent broke walk semantics (OIDs not increasing, no progress) — stopped to avoid looping. */
export class SnmpProtocolError extends SnmpError {
  constructor(target: string, message: string) {
    super('E_SNMP_PROTOCOL', target, message)
    this.name = 'SnmpProtocolError'
  }
}

/** The request never left: socket send failed or the client was closed/aborted. */
export class SnmpRequestError extends SnmpError {
  constructor(
    code: 'E_SNMP_SEND' | 'E_SNMP_ABORTED' | 'E_SNMP_CLOSED',
    target: string,
    message: string
  ) {
    super(code, target, message)
    this.name = 'SnmpRequestError'
  }
}

export interface SnmpTarget {
  host: string
  port?: number
  community?: string
  /** '2c' (default) walks with GETBULK; '1' falls back to GETNEXT. */
  version?: '1' | '2c'
  timeoutMs?: number
  retries?: number
}

export interface SnmpClientOptions {
  /** Per-attempt timeout (default 1000 ms). */
  timeoutMs?: number
  /** Retransmissions after the first attempt (default 1). */
  retries?: number
  /** GETBULK max-repetitions for walks (default 25). */
  maxRepetitions?: number
  /** Receive buffer of the shared socket; bursts of bulk replies overflow the 208 KiB default. */
  recvBufferBytes?: number
  sendBufferBytes?: number
  /** Called with each encoded request; used by the benchmark to replay identical PDUs. */
  onRequest?: (packet: Buffer, target: SnmpTarget) => void
}

export interface WalkOptions {
  maxRepetitions?: number
  signal?: AbortSignal
  /** Stop with a protocol error past this many rows per column (runaway agents). */
  maxRows?: number
}

export interface TableWalkOptions extends WalkOptions {
  /** Scalars fetched with GETNEXT semantics in the first request (GETBULK non-repeaters). */
  scalars?: string[]
}

export type SnmpValue = number | bigint | string | null

export interface TableWalkResult {
  /** Varbinds answering `scalars`, in order (null when the agent returned nothing usable). */
  scalars: (SnmpVarbind | null)[]
  /** One column per requested column OID, rows in the order the agent returned them. */
  columns: Map<string, TableColumn>
  requests: number
}

export interface SnmpClientStats {
  requests: number
  /** Requests sent again after an attempt timed out. */
  retransmits: number
  responses: number
  timeouts: number
  malformed: number
  stray: number
}

interface Pending {
  host: string
  port: number
  checkAddress: boolean
  sentAt: number
  packet: Buffer
  attempt: number
  attempts: number
  timeoutMs: number
  timer: NodeJS.Timeout | undefined
  signal: AbortSignal | undefined
  resolve: (response: SnmpResponse) => void
  reject: (error: SnmpError) => void
}

/** Parses "1.3.6.1…" (leading dot optional) into numbers; throws on anything else. */
export function parseOid(oid: string): number[] {
  const text = oid.startsWith('.') ? oid.slice(1) : oid
  const parts = text.split('.').map((part) => {
    if (!/^\d+$/.test(part)) throw new TypeError(`invalid OID "${oid}"`)
    return Number(part)
  })
  if (parts.length < 2) throw new TypeError(`invalid OID "${oid}"`)
  return parts
}

/** Lexicographic OID order as SNMP defines it: negative when a < b. */
export function compareOids(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return a.length - b.length
}

// ---------------------------------------------------------------- encoding

function subidentifierSize(value: number) {
  let size = 1
  while (value >= 128 ** size) size++
  return size
}

function writeSubidentifier(buf: Buffer, pos: number, value: number): number {
  const size = subidentifierSize(value)
  for (let i = size - 1; i > 0; i--) buf[pos++] = 0x80 | (Math.floor(value / 128 ** i) & 0x7f)
  buf[pos++] = value & 0x7f
  return pos
}

/** BER content bytes of an OID (no tag or length), for requests and byte-prefix tests on replies. */
export function encodeOidContent(parts: readonly number[]): Buffer {
  return encodeOidAfter(Buffer.from([40 * parts[0] + parts[1]]), parts.slice(2), parts.length - 2)
}

/** `encodedBase` followed by the first `count` sub-identifiers of `suffix`, in one allocation. */
function encodeOidAfter(encodedBase: Buffer, suffix: readonly number[], count: number): Buffer {
  let size = encodedBase.length
  for (let i = 0; i < count; i++) size += subidentifierSize(suffix[i])
  const buf = Buffer.allocUnsafe(size)
  let pos = encodedBase.copy(buf, 0)
  for (let i = 0; i < count; i++) pos = writeSubidentifier(buf, pos, suffix[i])
  return buf
}

export interface RequestPdu {
  /** 0 = SNMPv1, 1 = SNMPv2c */
  version: 0 | 1
  community: string
  /** 0 get, 1 get-next, 5 get-bulk */
  pduType: number
  reqid: number
  /** error-status on the wire; non-repeaters for GETBULK */
  nonRepeaters: number
  /** error-index on the wire; max-repetitions for GETBULK */
  maxRepetitions: number
  /** Varbind names as BER content bytes (encodeOidContent); values are NULL. */
  oids: Buffer[]
}

function lengthSize(length: number) {
  return length < 0x80 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 4
}

function writeHeader(buf: Buffer, pos: number, tag: number, length: number): number {
  buf[pos++] = tag
  const size = lengthSize(length)
  if (size === 1) {
    buf[pos++] = length
    return pos
  }
  buf[pos++] = 0x80 | (size - 1)
  for (let shift = (size - 2) * 8; shift >= 0; shift -= 8) buf[pos++] = (length >>> shift) & 0xff
  return pos
}

/** Bytes of a non-negative INTEGER's minimal two's-complement content. */
function integerSize(value: number) {
  let size = 1
  while (size < 5 && value >= 2 ** (8 * size - 1)) size++
  return size
}

function writeInteger(buf: Buffer, pos: number, value: number): number {
  const size = integerSize(value)
  buf[pos++] = SnmpType.Integer
  buf[pos++] = size
  for (let i = size - 1; i >= 0; i--) buf[pos++] = Math.floor(value / 2 ** (8 * i)) & 0xff
  return pos
}

/** Encodes a request into one Buffer — the same bytes as snmp-native's `encode`. */
export function encodeRequest(request: RequestPdu): Buffer {
  const community = Buffer.from(request.community, 'utf8')
  let listLength = 0
  for (const oid of request.oids) {
    const inner = 1 + lengthSize(oid.length) + oid.length + 2
    listLength += 1 + lengthSize(inner) + inner
  }
  const pduLength =
    2 +
    integerSize(request.reqid) +
    2 +
    integerSize(request.nonRepeaters) +
    2 +
    integerSize(request.maxRepetitions) +
    1 +
    lengthSize(listLength) +
    listLength
  const messageLength =
    3 + 1 + lengthSize(community.length) + community.length + 1 + lengthSize(pduLength) + pduLength
  const buf = Buffer.allocUnsafe(1 + lengthSize(messageLength) + messageLength)

  let pos = writeHeader(buf, 0, 0x30, messageLength)
  pos = writeInteger(buf, pos, request.version)
  pos = writeHeader(buf, pos, SnmpType.OctetString, community.length)
  pos += community.copy(buf, pos)
  pos = writeHeader(buf, pos, 0xa0 + request.pduType, pduLength)
  pos = writeInteger(buf, pos, request.reqid)
  pos = writeInteger(buf, pos, request.nonRepeaters)
  pos = writeInteger(buf, pos, request.maxRepetitions)
  pos = writeHeader(buf, pos, 0x30, listLength)
  for (const oid of request.oids) {
    pos = writeHeader(buf, pos, 0x30, 1 + lengthSize(oid.length) + oid.length + 2)
    pos = writeHeader(buf, pos, SnmpType.ObjectIdentifier, oid.length)
    pos += oid.copy(buf, pos)
    buf[pos++] = SnmpType.Null
    buf[pos++] = 0
  }
  return buf
}

// ---------------------------------------------------------------- decoding

/** Internal: thrown while decoding, turned into `{ ok: false, reason }` at the top. */
class Malformed extends Error {}

function decodeOid(buf: Buffer, start: number, end: number): number[] {
  const first = buf[start]
  const head = first < 40 ? 0 : first < 80 ? 1 : 2
  const parts = [head, first - 40 * head]
  let value = 0
  for (let i = start + 1; i < end; i++) {
    const byte = buf[i]
    value = value * 128 + (byte & 0x7f)
    if ((byte & 0x80) === 0) {
      parts.push(value)
      value = 0
    }
  }
  return parts
}

function decodeUnsigned(buf: Buffer, start: number, end: number): number {
  let value = 0
  for (let i = start; i < end; i++) value = value * 256 + buf[i]
  return value
}

/** Rejects values whose length cannot be right for their type, so decoding them later cannot fail. */
function checkValue(tag: number, length: number) {
  switch (tag) {
    case SnmpType.Integer:
    case SnmpType.Counter64:
      if (length < 1 || length > 9) throw new Malformed(`integer of length ${length}`)
      return
    case SnmpType.Counter32:
    case SnmpType.Gauge32:
    case SnmpType.TimeTicks:
      if (length < 1 || length > 5) throw new Malformed(`32-bit value of length ${length}`)
      return
    case SnmpType.IpAddress:
      if (length !== 4) throw new Malformed('IpAddress not 4 bytes')
      return
    case SnmpType.ObjectIdentifier:
    case SnmpType.OctetString:
    case SnmpType.Opaque:
    case SnmpType.Null:
    case SnmpType.NoSuchObject:
    case SnmpType.NoSuchInstance:
    case SnmpType.EndOfMibView:
      return
    default:
      throw new Malformed(`unknown value type 0x${tag.toString(16)}`)
  }
}

function decodeValue(buf: Buffer, tag: number, start: number, end: number): SnmpValue {
  switch (tag) {
    case SnmpType.Integer:
      if (end - start <= 6) return buf.readIntBE(start, end - start)
      return Number(
        BigInt.asIntN((end - start) * 8, BigInt(`0x${buf.toString('hex', start, end)}`))
      )
    case SnmpType.Counter32:
    case SnmpType.Gauge32:
    case SnmpType.TimeTicks:
      return decodeUnsigned(buf, start, end)
    case SnmpType.Counter64:
      if (end - start <= 6) return BigInt(decodeUnsigned(buf, start, end))
      return (
        (BigInt(decodeUnsigned(buf, start, end - 4)) << 32n) | BigInt(buf.readUInt32BE(end - 4))
      )
    case SnmpType.OctetString:
      return buf.toString('utf8', start, end)
    case SnmpType.ObjectIdentifier:
      return end > start ? decodeOid(buf, start, end).join('.') : ''
    case SnmpType.IpAddress:
      return `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}`
    case SnmpType.Opaque:
      return `0x${buf.toString('hex', start, end)}`
    default:
      return null
  }
}

function exceptionOf(type: number): SnmpException | undefined {
  if (type === SnmpType.NoSuchObject) return 'noSuchObject'
  if (type === SnmpType.NoSuchInstance) return 'noSuchInstance'
  if (type === SnmpType.EndOfMibView) return 'endOfMibView'
  return undefined
}

/** One varbind of a response, decoded when first asked for. */
export class DecodedVarbind implements SnmpVarbind {
  readonly type: number
  readonly value: SnmpValue
  #message: Buffer
  #nameStart: number
  #nameEnd: number
  #valueStart: number
  #valueEnd: number

  constructor(
    message: Buffer,
    nameStart: number,
    nameEnd: number,
    type: number,
    valueStart: number,
    valueEnd: number
  ) {
    this.type = type
    this.value = decodeValue(message, type, valueStart, valueEnd)
    this.#message = message
    this.#nameStart = nameStart
    this.#nameEnd = nameEnd
    this.#valueStart = valueStart
    this.#valueEnd = valueEnd
  }

  get exception(): SnmpException | undefined {
    return exceptionOf(this.type)
  }

  get parts(): number[] {
    return decodeOid(this.#message, this.#nameStart, this.#nameEnd)
  }

  get oid(): string {
    return this.parts.join('.')
  }

  get raw(): Buffer {
    return this.#message.subarray(this.#valueStart, this.#valueEnd)
  }

  toJSON() {
    return {
      oid: this.oid,
      type: this.type,
      value: typeof this.value === 'bigint' ? this.value.toString() : this.value,
      exception: this.exception,
    }
  }
}

/**
 * A decoded response whose varbinds stay as offsets into the datagram: a
 * table walk reads the type, tests the name against its column by bytes and
 * decodes only the value, so a poll allocates no object per varbind.
 */
export class SnmpResponse {
  readonly ok = true
  readonly reqid: number
  readonly community: string
  readonly errorStatus: number
  readonly errorIndex: number
  readonly message: Buffer
  /** nameStart, nameEnd, type, valueStart, valueEnd — five per varbind. */
  readonly #offsets: number[]

  constructor(
    message: Buffer,
    reqid: number,
    community: string,
    errorStatus: number,
    errorIndex: number,
    offsets: number[]
  ) {
    this.message = message
    this.reqid = reqid
    this.community = community
    this.errorStatus = errorStatus
    this.errorIndex = errorIndex
    this.#offsets = offsets
  }

  get count(): number {
    return this.#offsets.length / 5
  }

  type(i: number): number {
    return this.#offsets[i * 5 + 2]
  }

  value(i: number): SnmpValue {
    const o = this.#offsets
    return decodeValue(this.message, o[i * 5 + 2], o[i * 5 + 3], o[i * 5 + 4])
  }

  varbind(i: number): DecodedVarbind {
    const o = this.#offsets
    const k = i * 5
    return new DecodedVarbind(this.message, o[k], o[k + 1], o[k + 2], o[k + 3], o[k + 4])
  }

  get varbinds(): DecodedVarbind[] {
    return Array.from({ length: this.count }, (_, i) => this.varbind(i))
  }

  /**
   * Writes the sub-identifiers after `encodedBase` (a column OID's content
   * bytes) into `into` and returns how many, or -1 when varbind `i` is not
   * strictly under that column.
   */
  suffixUnder(i: number, encodedBase: Buffer, into: number[]): number {
    const buf = this.message
    const start = this.#offsets[i * 5]
    const end = this.#offsets[i * 5 + 1]
    const baseLength = encodedBase.length
    if (end - start <= baseLength) return -1
    for (let k = 0; k < baseLength; k++) {
      if (buf[start + k] !== encodedBase[k]) return -1
    }
    let count = 0
    let value = 0
    for (let k = start + baseLength; k < end; k++) {
      const byte = buf[k]
      value = value * 128 + (byte & 0x7f)
      if ((byte & 0x80) === 0) {
        into[count++] = value
        value = 0
      }
    }
    return count
  }
}

export type DecodedResponse = SnmpResponse | { ok: false; reason: string; reqid?: number }

/**
 * Decodes a whole response in one bounds-checked pass. Truncated or garbage
 * datagrams come back as `ok: false` with a reason — and with the request-id
 * when the damage is past it, so that request fails at once instead of
 * timing out.
 */
export function decodeResponse(buf: Buffer): DecodedResponse {
  let reqid: number | undefined
  let pos = 0
  let end = buf.length

  /** Reads a tag and definite length at `pos` (within `limit`); leaves `pos` at the contents, `end` after them. */
  const header = (limit: number): number => {
    if (pos + 2 > limit) throw new Malformed('truncated')
    const tag = buf[pos]
    let length = buf[pos + 1]
    pos += 2
    if (length & 0x80) {
      const count = length & 0x7f
      if (count === 0 || count > 4 || pos + count > limit) throw new Malformed('bad length')
      length = 0
      for (let i = 0; i < count; i++) length = length * 256 + buf[pos + i]
      pos += count
    }
    end = pos + length
    if (end > limit) throw new Malformed('length runs past the datagram (truncated)')
    return tag
  }
  const integer = (limit: number, what: string) => {
    const tag = header(limit)
    if (tag !== SnmpType.Integer || end - pos < 1 || end - pos > 4) {
      throw new Malformed(`${what} is not a small INTEGER`)
    }
    const value = buf.readIntBE(pos, end - pos)
    pos = end
    return value
  }

  try {
    if (header(buf.length) !== 0x30) throw new Malformed('not an SNMP message (no outer SEQUENCE)')
    const messageEnd = end
    if (messageEnd !== buf.length) throw new Malformed('trailing bytes after the message')
    const version = integer(messageEnd, 'version')
    if (version !== 0 && version !== 1) throw new Malformed(`unsupported version ${version}`)
    if (header(messageEnd) !== SnmpType.OctetString) {
      throw new Malformed('community is not an OCTET STRING')
    }
    const community = buf.toString('latin1', pos, end)
    pos = end
    const pduTag = header(messageEnd)
    const pduEnd = end
    if (pduEnd !== messageEnd) throw new Malformed('bytes after the PDU')
    if (pduTag < 0xa0 || pduTag > 0xa8) throw new Malformed('no PDU')
    reqid = integer(pduEnd, 'request-id')
    if (pduTag !== 0xa0 + PDU_RESPONSE) {
      throw new Malformed(`unexpected PDU type 0x${pduTag.toString(16)}`)
    }
    const errorStatus = integer(pduEnd, 'error-status')
    const errorIndex = integer(pduEnd, 'error-index')
    if (header(pduEnd) !== 0x30 || end !== pduEnd) throw new Malformed('bad varbind list')
    const listEnd = end

    // Sized for ~12-byte varbinds up front: growing a 500-element array by push re-copies it 7 times.
    const offsets: number[] = new Array(Math.ceil((listEnd - pos) / 12) * 5)
    let used = 0
    while (pos < listEnd) {
      if (header(listEnd) !== 0x30) throw new Malformed('varbind is not a SEQUENCE')
      const varbindEnd = end
      if (header(varbindEnd) !== SnmpType.ObjectIdentifier) {
        throw new Malformed('varbind name is not an OID')
      }
      const nameStart = pos
      const nameEnd = end
      if (nameEnd === nameStart || buf[nameEnd - 1] & 0x80) throw new Malformed('bad OID encoding')
      pos = end
      const valueTag = header(varbindEnd)
      if (end !== varbindEnd) throw new Malformed('varbind value overruns its SEQUENCE')
      checkValue(valueTag, end - pos)
      offsets[used++] = nameStart
      offsets[used++] = nameEnd
      offsets[used++] = valueTag
      offsets[used++] = pos
      offsets[used++] = end
      pos = varbindEnd
    }
    offsets.length = used
    return new SnmpResponse(buf, reqid, community, errorStatus, errorIndex, offsets)
  } catch (error) {
    reqid ??= peekRequestId(buf)
    if (error instanceof Malformed) return { ok: false, reason: error.message, reqid }
    return { ok: false, reason: `undecodable: ${(error as Error).message}`, reqid }
  }
}

/**
 * Best-effort request-id of a damaged message: walks the headers in front of
 * it without trusting the outer lengths (a truncated datagram overruns them).
 */
function peekRequestId(buf: Buffer): number | undefined {
  let pos = 0
  const skipHeader = () => {
    const first = buf[pos + 1]
    if (first === undefined) return -1
    const length = first & 0x80 ? first & 0x7f : 0
    const start = pos + 2 + length
    let value = first & 0x80 ? 0 : first
    for (let i = 0; i < length; i++) value = value * 256 + (buf[pos + 2 + i] ?? 0)
    pos = start
    return value
  }
  if (buf[0] !== 0x30 || skipHeader() < 0) return undefined
  for (const tag of [SnmpType.Integer, SnmpType.OctetString]) {
    if (buf[pos] !== tag) return undefined
    const length = skipHeader()
    if (length < 0) return undefined
    pos += length
  }
  if (buf[pos] !== 0xa0 + PDU_RESPONSE || skipHeader() < 0) return undefined
  if (buf[pos] !== SnmpType.Integer) return undefined
  const length = buf[pos + 1]
  if (length < 1 || length > 4 || pos + 2 + length > buf.length) return undefined
  return buf.readIntBE(pos + 2, length)
}

// ---------------------------------------------------------------- walking

/** Decimal strings of small indexes (ifIndex and the like), shared instead of re-created per row. */
const INDEX_STRINGS = Array.from({ length: 4096 }, (_, i) => String(i))

/**
 * The rows of one walked column as parallel arrays (index, type, value) —
 * no object per cell; `varbind(k)` materialises one when a caller wants it.
 */
export class TableColumn {
  readonly oid: string
  /** Instance suffix after the column OID, e.g. "3" for ifIndex 3. */
  readonly indexes: string[] = []
  readonly types: number[] = []
  readonly values: SnmpValue[] = []
  #responses: SnmpResponse[] = []
  #positions: number[] = []

  constructor(oid: string) {
    this.oid = oid
  }

  get length(): number {
    return this.indexes.length
  }

  add(index: string, response: SnmpResponse, position: number) {
    this.indexes.push(index)
    this.types.push(response.type(position))
    this.values.push(response.value(position))
    this.#responses.push(response)
    this.#positions.push(position)
  }

  varbind(k: number): SnmpVarbind {
    return this.#responses[k].varbind(this.#positions[k])
  }

  varbinds(): SnmpVarbind[] {
    return this.indexes.map((_, k) => this.varbind(k))
  }
}

interface ColumnState {
  column: TableColumn
  base: number[]
  encodedBase: Buffer
  /** Encoded OID the next request continues from: the base, then the last OID seen. */
  next: Buffer
  lastSuffix: number[]
  done: boolean
}

/** Lexicographic comparison of `a[0..aLength)` with `b`. */
function compareSuffix(a: number[], aLength: number, b: number[]): number {
  const n = Math.min(aLength, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return aLength - b.length
}

const encodedOids = new Map<string, { parts: number[]; encoded: Buffer }>()

/** Parsed and encoded form of an OID string; the poller's fixed OIDs are encoded once. */
function encodedOid(oid: string) {
  let entry = encodedOids.get(oid)
  if (!entry) {
    const parts = parseOid(oid)
    entry = { parts, encoded: encodeOidContent(parts) }
    if (encodedOids.size > 4096) encodedOids.clear()
    encodedOids.set(oid, entry)
  }
  return entry
}

function describe(target: SnmpTarget) {
  return `${target.host}:${target.port ?? 161}`
}

// ---------------------------------------------------------------- client

/**
 * SNMP v1/v2c manager on one shared UDP socket (an snmp-native Session;
 * host, port and community travel with each request, so one socket serves
 * every device of a poller). Replies are matched by request-id *and* source
 * address; anything unparseable surfaces as SnmpMalformedResponseError.
 */
export default class SnmpClient {
  readonly stats: SnmpClientStats = {
    requests: 0,
    retransmits: 0,
    responses: 0,
    timeouts: 0,
    malformed: 0,
    stray: 0,
  }
  readonly options: Required<Omit<SnmpClientOptions, 'onRequest' | 'sendBufferBytes'>> &
    Pick<SnmpClientOptions, 'onRequest' | 'sendBufferBytes'>

  #socket: Socket
  #pending = new Map<number, Pending>()
  /** Endpoints that recently sent bytes we could not tie to a request (for timeout → malformed). */
  #garbled = new Map<string, { at: number; reason: string }>()
  #nextId = 1 + Math.floor(Math.random() * 0x3fffffff)
  #closed = false
  #recvBufferBytes = 0

  private constructor(options: SnmpClientOptions) {
    this.options = {
      timeoutMs: options.timeoutMs ?? 1000,
      retries: options.retries ?? 1,
      maxRepetitions: options.maxRepetitions ?? 25,
      recvBufferBytes: options.recvBufferBytes ?? 4 * 1024 * 1024,
      sendBufferBytes: options.sendBufferBytes,
      onRequest: options.onRequest,
    }
    const session = new snmpNative.Session({
      msgReceived: (msg: Buffer, rinfo: RemoteInfo) => this.#onMessage(msg, rinfo),
    })
    session.on('error', () => {})
    this.#socket = session.socket!
  }

  /** Opens the shared socket and applies buffer sizes once it is bound. */
  static async open(options: SnmpClientOptions = {}): Promise<SnmpClient> {
    const client = new SnmpClient(options)
    const socket = client.#socket
    await new Promise<void>((resolve, reject) => {
      socket.once('listening', () => resolve())
      socket.once('error', reject)
    })
    try {
      socket.setRecvBufferSize(client.options.recvBufferBytes)
      if (client.options.sendBufferBytes) socket.setSendBufferSize(client.options.sendBufferBytes)
    } catch {
      // the kernel caps SO_RCVBUF at net.core.rmem_max; the default buffer still works
    }
    client.#recvBufferBytes = socket.getRecvBufferSize()
    return client
  }

  /** Effective receive buffer as reported by the kernel (twice the requested size on Linux). */
  get recvBufferBytes(): number {
    return this.#recvBufferBytes
  }

  /** Local UDP port of the shared socket. */
  get localPort(): number {
    return this.#socket.address().port
  }

  get inFlight(): number {
    return this.#pending.size
  }

  /** GET of any number of OIDs (32 varbinds per request); exceptions come back as varbinds. */
  async get(
    target: SnmpTarget,
    oids: string[],
    options: { signal?: AbortSignal } = {}
  ): Promise<SnmpVarbind[]> {
    const result: SnmpVarbind[] = []
    for (let i = 0; i < oids.length; i += 32) {
      const chunk = oids.slice(i, i + 32).map((oid) => encodedOid(oid).encoded)
      const response = await this.#request(target, PDU_GET, chunk, 0, 0, options.signal)
      if (response.errorStatus !== 0) {
        throw new SnmpErrorStatusError(describe(target), response.errorStatus, response.errorIndex)
      }
      result.push(...response.varbinds)
    }
    return result
  }

  /** Every varbind under `baseOid` (GETBULK on v2c, GETNEXT on v1). */
  async bulkWalk(
    target: SnmpTarget,
    baseOid: string,
    options: WalkOptions = {}
  ): Promise<SnmpVarbind[]> {
    const result = await this.walkTables(target, [baseOid], options)
    return result.columns.get(baseOid)!.varbinds()
  }

  /**
   * Walks several columns in one request stream: each GETBULK carries one
   * repeater per unfinished column, so a device's ifTable + ifXTable comes
   * back in a few round trips. Copes with agents that truncate bulk replies
   * at any varbind count, and with ones that fail bulk requests outright.
   */
  async walkTables(
    target: SnmpTarget,
    columnOids: string[],
    options: TableWalkOptions = {}
  ): Promise<TableWalkResult> {
    const name = describe(target)
    // GETNEXT for v1, and for v2c agents that fail bulk requests sweeping past a broken object.
    let useNext = target.version === '1'
    const maxRows = options.maxRows ?? 100_000
    let maxRepetitions = Math.max(1, options.maxRepetitions ?? this.options.maxRepetitions)
    let scalars = (options.scalars ?? []).map((oid) => encodedOid(oid).encoded)
    let scalarSlots = scalars.map((_, i) => i)
    const scalarResults: (SnmpVarbind | null)[] = scalars.map(() => null)
    const columns: ColumnState[] = columnOids.map((key) => {
      const { parts, encoded } = encodedOid(key)
      return {
        column: new TableColumn(key),
        base: parts,
        encodedBase: encoded,
        next: encoded,
        lastSuffix: [],
        done: false,
      }
    })
    const suffix: number[] = []
    let requests = 0
    let first = true

    while (true) {
      const active = columns.filter((state) => !state.done)
      const nonRepeaters = first ? scalars.length : 0
      if (active.length === 0 && nonRepeaters === 0) break
      const varbinds = first ? [...scalars] : []
      for (const state of active) varbinds.push(state.next)

      requests++
      const response = useNext
        ? await this.#request(target, PDU_GET_NEXT, varbinds, 0, 0, options.signal)
        : await this.#request(
            target,
            PDU_GET_BULK,
            varbinds,
            nonRepeaters,
            maxRepetitions,
            options.signal
          )

      if (response.errorStatus !== 0) {
        // A bulk reply's error-index is ambiguous once repetitions sweep past the
        // failing object, so redo this step with GETNEXT, where it is exact.
        if (response.errorStatus === 2 && !useNext) {
          useNext = true
          continue
        }
        // v1 signals the end of the MIB with noSuchName on the varbind that ran off it;
        // some v2c agents (snmpsim, older firmware) do the same for objects they lack.
        if (response.errorStatus === 2 && response.errorIndex >= 1) {
          const at = response.errorIndex - 1
          if (at < nonRepeaters) {
            scalars = scalars.filter((_, i) => i !== at)
            scalarSlots = scalarSlots.filter((_, i) => i !== at)
          } else if (active[at - nonRepeaters]) {
            active[at - nonRepeaters].done = true
          } else {
            throw new SnmpErrorStatusError(name, response.errorStatus, response.errorIndex)
          }
          continue
        }
        if (response.errorStatus === 1 && !useNext && maxRepetitions > 1) {
          maxRepetitions = Math.ceil(maxRepetitions / 2)
          continue
        }
        throw new SnmpErrorStatusError(name, response.errorStatus, response.errorIndex)
      }

      const received = response.count
      if (first) {
        for (let i = 0; i < nonRepeaters && i < received; i++) {
          if (response.type(i) !== SnmpType.EndOfMibView) {
            scalarResults[scalarSlots[i]] = response.varbind(i)
          }
        }
        first = false
      }

      let progressed = false
      const repeaters = active.length
      for (let i = nonRepeaters; i < received && repeaters > 0; i++) {
        const state = active[(i - nonRepeaters) % repeaters]
        if (state.done) continue
        const length =
          response.type(i) >= SnmpType.NoSuchObject
            ? -1
            : response.suffixUnder(i, state.encodedBase, suffix)
        if (length < 0) {
          state.done = true
          progressed = true
          continue
        }
        if (compareSuffix(suffix, length, state.lastSuffix) <= 0) {
          throw new SnmpProtocolError(
            name,
            `OID not increasing in ${state.column.oid} at ${response.varbind(i).oid}`
          )
        }
        state.lastSuffix.length = length
        for (let k = 0; k < length; k++) state.lastSuffix[k] = suffix[k]
        const index =
          length === 1 && suffix[0] < INDEX_STRINGS.length
            ? INDEX_STRINGS[suffix[0]]
            : suffix.slice(0, length).join('.')
        state.column.add(index, response, i)
        progressed = true
        if (state.column.length > maxRows) {
          throw new SnmpProtocolError(name, `more than ${maxRows} rows in ${state.column.oid}`)
        }
      }
      if (!progressed && repeaters > 0) {
        throw new SnmpProtocolError(name, 'agent returned no usable varbinds for the walk')
      }
      for (const state of active) {
        if (!state.done && state.lastSuffix.length > 0) {
          state.next = encodeOidAfter(state.encodedBase, state.lastSuffix, state.lastSuffix.length)
        }
      }
    }

    return {
      scalars: scalarResults,
      columns: new Map(columns.map((state) => [state.column.oid, state.column])),
      requests,
    }
  }

  /** Closes the socket; requests still in flight fail with E_SNMP_CLOSED. */
  close() {
    if (this.#closed) return
    this.#closed = true
    for (const [reqid, pending] of this.#pending) {
      this.#forget(reqid, pending)
      pending.reject(
        new SnmpRequestError('E_SNMP_CLOSED', `${pending.host}:${pending.port}`, 'client closed')
      )
    }
    this.#socket.close()
  }

  #request(
    target: SnmpTarget,
    pduType: number,
    oids: Buffer[],
    nonRepeaters: number,
    maxRepetitions: number,
    signal?: AbortSignal
  ): Promise<SnmpResponse> {
    const host = target.host
    const port = target.port ?? 161
    if (this.#closed) {
      return Promise.reject(
        new SnmpRequestError('E_SNMP_CLOSED', `${host}:${port}`, 'client closed')
      )
    }
    if (signal?.aborted) {
      return Promise.reject(new SnmpRequestError('E_SNMP_ABORTED', `${host}:${port}`, 'aborted'))
    }
    this.#nextId = this.#nextId >= 0x7ffffffe ? 1 : this.#nextId + 1
    const reqid = this.#nextId
    const packet = encodeRequest({
      version: target.version === '1' ? 0 : 1,
      community: target.community ?? 'public',
      pduType,
      reqid,
      nonRepeaters,
      maxRepetitions,
      oids,
    })
    if (this.options.onRequest) this.options.onRequest(packet, target)

    return new Promise<SnmpResponse>((resolve, reject) => {
      const pending: Pending = {
        host,
        port,
        checkAddress: isIP(host) !== 0,
        sentAt: Date.now(),
        packet,
        attempt: 0,
        attempts: (target.retries ?? this.options.retries) + 1,
        timeoutMs: target.timeoutMs ?? this.options.timeoutMs,
        timer: undefined,
        signal,
        resolve,
        reject,
      }
      this.#pending.set(reqid, pending)
      // One listener per signal (EventTarget de-duplicates); it fails whatever is pending then.
      signal?.addEventListener('abort', this.#onAbort, { once: true })
      this.stats.requests++
      this.#transmit(reqid, pending)
    })
  }

  /** Aborted polls fail every request of theirs still waiting. */
  #onAbort = (event: Event) => {
    const signal = event.target as AbortSignal
    for (const [reqid, pending] of this.#pending) {
      if (pending.signal !== signal) continue
      this.#forget(reqid, pending)
      pending.reject(
        new SnmpRequestError('E_SNMP_ABORTED', `${pending.host}:${pending.port}`, 'aborted')
      )
    }
  }

  #transmit(reqid: number, pending: Pending) {
    pending.attempt++
    pending.timer = setTimeout(() => this.#onAttemptTimeout(reqid), pending.timeoutMs)
    this.#socket.send(pending.packet, pending.port, pending.host, (error) => {
      if (!error || this.#pending.get(reqid) !== pending) return
      this.#forget(reqid, pending)
      pending.reject(
        new SnmpRequestError('E_SNMP_SEND', `${pending.host}:${pending.port}`, error.message)
      )
    })
  }

  #onAttemptTimeout(reqid: number) {
    const pending = this.#pending.get(reqid)
    if (!pending) return
    if (pending.attempt < pending.attempts) {
      this.stats.retransmits++
      this.#transmit(reqid, pending)
      return
    }
    this.#forget(reqid, pending)
    const name = `${pending.host}:${pending.port}`
    const garbled = this.#garbled.get(name)
    if (garbled && garbled.at >= pending.sentAt) {
      pending.reject(new SnmpMalformedResponseError(name, garbled.reason))
      return
    }
    this.stats.timeouts++
    pending.reject(new SnmpTimeoutError(name, pending.attempts, pending.timeoutMs))
  }

  #forget(reqid: number, pending: Pending) {
    if (pending.timer) clearTimeout(pending.timer)
    this.#pending.delete(reqid)
  }

  #matches(pending: Pending, rinfo: RemoteInfo) {
    return pending.port === rinfo.port && (!pending.checkAddress || pending.host === rinfo.address)
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo) {
    if (msg.length === 0) return
    const decoded = decodeResponse(msg)
    const reqid = decoded.reqid
    const pending = reqid === undefined ? undefined : this.#pending.get(reqid)

    if (!decoded.ok) {
      this.stats.malformed++
      const endpoint = `${rinfo.address}:${rinfo.port}`
      if (pending && this.#matches(pending, rinfo)) {
        this.#forget(reqid!, pending)
        pending.reject(new SnmpMalformedResponseError(endpoint, decoded.reason))
      } else {
        this.#garbled.set(endpoint, { at: Date.now(), reason: decoded.reason })
        if (this.#garbled.size > 10_000) this.#garbled.clear()
      }
      return
    }
    if (!pending || !this.#matches(pending, rinfo)) {
      this.stats.stray++
      return
    }
    this.#forget(decoded.reqid, pending)
    if (this.#garbled.size > 0) this.#garbled.delete(`${rinfo.address}:${rinfo.port}`)
    this.stats.responses++
    pending.resolve(decoded)
  }
}
