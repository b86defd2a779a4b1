/*
 * BER codec of SNMP v1/v2c messages: requests are encoded into one Buffer
 * (the same bytes as snmp-native's `encode`, unit-tested), responses decoded
 * in one bounds-checked pass whose varbinds stay offsets into the datagram.
 * Nothing in this file may throw on bytes received from the network: every
 * read is checked against the datagram's end (fuzz-tested, see
 * tests/unit/network_monitoring/snmp_fuzz.spec.ts).
 */

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

export const PDU_GET = 0
export const PDU_GET_NEXT = 1
export const PDU_RESPONSE = 2
export const PDU_GET_BULK = 5

export type SnmpException = 'noSuchObject' | 'noSuchInstance' | 'endOfMibView'

/** One decoded variable binding; `raw` keeps the value bytes for callers that need them. */
export interface SnmpVarbind {
  oid: string
  type: number
  value: number | bigint | string | null
  raw: Buffer
  exception?: SnmpException
}

export type SnmpValue = number | bigint | string | null

/** OIDs longer than this are refused (RFC 2578 allows at most 128 sub-identifiers). */
export const MAX_OID_ARCS = 128

/** Parses "1.3.6.1…" (leading dot optional) into numbers; throws on anything else. */
export function parseOid(oid: string): number[] {
  const text = oid.startsWith('.') ? oid.slice(1) : oid
  const parts = text.split('.').map((part) => {
    if (!/^\d+$/.test(part)) throw new TypeError(`invalid OID "${oid}"`)
    return Number(part)
  })
  if (parts.length < 2 || parts.length > MAX_OID_ARCS) throw new TypeError(`invalid OID "${oid}"`)
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
export function encodeOidAfter(
  encodedBase: Buffer,
  suffix: readonly number[],
  count: number
): Buffer {
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

/**
 * Internal: thrown while decoding, turned into `{ ok: false, reason }` at the
 * top. Not an Error: capturing a stack trace per hostile datagram would make
 * garbage the most expensive thing to receive.
 */
class Malformed {
  constructor(readonly message: string) {}
}

/** Sub-identifiers of an encoded OID (the first byte holds two). */
function oidArcs(buf: Buffer, start: number, end: number): number {
  let arcs = 1
  for (let i = start; i < end; i++) if ((buf[i] & 0x80) === 0) arcs++
  return arcs
}

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

const utf8Strict = new TextDecoder('utf-8', { fatal: true })
const gb18030 = new TextDecoder('gb18030')

/**
 * Text of an OCTET STRING: ASCII as is, UTF-8 when the bytes are valid
 * UTF-8, otherwise GB18030 (a superset of GBK, common on Chinese-market
 * devices' ifDescr/ifAlias/sysDescr). Never throws.
 */
export function decodeText(buf: Buffer, start = 0, end = buf.length): string {
  let ascii = true
  for (let i = start; i < end; i++) {
    if (buf[i] >= 0x80) {
      ascii = false
      break
    }
  }
  if (ascii) return buf.toString('latin1', start, end)
  const bytes = buf.subarray(start, end)
  try {
    return utf8Strict.decode(bytes)
  } catch {
    return gb18030.decode(bytes)
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
      return decodeText(buf, start, end)
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
  /** 0 = SNMPv1, 1 = SNMPv2c */
  readonly version: number
  readonly community: string
  readonly errorStatus: number
  readonly errorIndex: number
  readonly message: Buffer
  /** nameStart, nameEnd, type, valueStart, valueEnd — five per varbind. */
  readonly #offsets: number[]

  constructor(
    message: Buffer,
    reqid: number,
    version: number,
    community: string,
    errorStatus: number,
    errorIndex: number,
    offsets: number[]
  ) {
    this.message = message
    this.reqid = reqid
    this.version = version
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

  /** Whether varbinds `i` and `j` carry the same name (byte comparison). */
  sameName(i: number, j: number): boolean {
    const o = this.#offsets
    const a = o[i * 5]
    const b = o[j * 5]
    const length = o[i * 5 + 1] - a
    if (length !== o[j * 5 + 1] - b) return false
    for (let k = 0; k < length; k++) if (this.message[a + k] !== this.message[b + k]) return false
    return true
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
      if (oidArcs(buf, nameStart, nameEnd) > MAX_OID_ARCS) {
        throw new Malformed(`OID longer than ${MAX_OID_ARCS} sub-identifiers`)
      }
      pos = end
      const valueTag = header(varbindEnd)
      if (end !== varbindEnd) throw new Malformed('varbind value overruns its SEQUENCE')
      checkValue(valueTag, end - pos)
      if (valueTag === SnmpType.ObjectIdentifier && end > pos) {
        if (buf[end - 1] & 0x80 || oidArcs(buf, pos, end) > MAX_OID_ARCS) {
          throw new Malformed('bad OID value')
        }
      }
      offsets[used++] = nameStart
      offsets[used++] = nameEnd
      offsets[used++] = valueTag
      offsets[used++] = pos
      offsets[used++] = end
      pos = varbindEnd
    }
    offsets.length = used
    return new SnmpResponse(buf, reqid, version, community, errorStatus, errorIndex, offsets)
  } catch (error) {
    try {
      reqid ??= peekRequestId(buf)
    } catch {
      reqid = undefined
    }
    if (error instanceof Malformed) return { ok: false, reason: error.message, reqid }
    return {
      ok: false,
      reason: `undecodable: ${(error as Error)?.message ?? String(error)}`,
      reqid,
    }
  }
}

/**
 * Best-effort request-id of a damaged message: walks the headers in front of
 * it without trusting the outer lengths (a truncated datagram overruns
 * them). Every read is bounds-checked; anything odd gives undefined.
 */
export function peekRequestId(buf: Buffer): number | undefined {
  let pos = 0
  /** Skips a tag and length at `pos`; returns the length (or -1), leaves `pos` at the contents. */
  const skipHeader = (): number => {
    if (pos + 2 > buf.length) return -1
    const first = buf[pos + 1]
    if ((first & 0x80) === 0) {
      pos += 2
      return first
    }
    const count = first & 0x7f
    if (count === 0 || count > 4 || pos + 2 + count > buf.length) return -1
    let value = 0
    for (let i = 0; i < count; i++) value = value * 256 + buf[pos + 2 + i]
    pos += 2 + count
    return value
  }
  if (buf.length < 2 || buf[0] !== 0x30 || skipHeader() < 0) return undefined
  for (const tag of [SnmpType.Integer, SnmpType.OctetString]) {
    if (pos >= buf.length || buf[pos] !== tag) return undefined
    const length = skipHeader()
    if (length < 0 || pos + length > buf.length) return undefined
    pos += length
  }
  if (pos >= buf.length || buf[pos] !== 0xa0 + PDU_RESPONSE || skipHeader() < 0) return undefined
  if (pos + 2 > buf.length || buf[pos] !== SnmpType.Integer) return undefined
  const length = buf[pos + 1]
  if (!(length >= 1 && length <= 4) || pos + 2 + length > buf.length) return undefined
  return buf.readIntBE(pos + 2, length)
}

const encodedOids = new Map<string, { parts: number[]; encoded: Buffer }>()

/** Parsed and encoded form of an OID string; the poller's fixed OIDs are encoded once. */
export function encodedOid(oid: string) {
  let entry = encodedOids.get(oid)
  if (!entry) {
    const parts = parseOid(oid)
    entry = { parts, encoded: encodeOidContent(parts) }
    if (encodedOids.size > 4096) encodedOids.clear()
    encodedOids.set(oid, entry)
  }
  return entry
}
