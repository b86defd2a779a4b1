import { getCiphers } from 'node:crypto'
import { createRequire } from 'node:module'
import {
  decodeResponse,
  SnmpType,
  PDU_GET,
  PDU_GET_BULK,
  PDU_GET_NEXT,
  type SnmpResponse,
} from '#network_monitoring/snmp/ber'
import {
  SnmpError,
  SnmpMalformedResponseError,
  SnmpRequestError,
  SnmpTimeoutError,
  SnmpV3Error,
} from '#network_monitoring/snmp/errors'
import type { SnmpTarget } from '#network_monitoring/snmp/transport'

/*
 * SNMPv3 (USM) requests through net-snmp's session: engine discovery, time
 * synchronisation, authentication (HMAC-MD5/SHA-1/SHA-2, RFC 3414/7860) and
 * privacy (DES, AES-128 RFC 3826, AES-256 with Blumenthal or Reeder key
 * extension). Each reply's PDU is re-encoded into the internal response form,
 * so the table walk and the poller modules work on v3 exactly as on v2c.
 */

export const V3_AUTH = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const
export const V3_PRIV = ['des', 'aes', 'aes256b', 'aes256r'] as const
export type V3AuthProtocol = (typeof V3_AUTH)[number]
export type V3PrivProtocol = (typeof V3_PRIV)[number]

export interface V3Credentials {
  username: string
  level: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv'
  authProtocol?: V3AuthProtocol | null
  authKey?: string | null
  privProtocol?: V3PrivProtocol | null
  privKey?: string | null
  /** SNMPv3 context name (default empty). */
  context?: string
}

/** Stored priv protocol names; 'aes256' (older rows) means the Blumenthal variant, as Net-SNMP's AES-256. */
export function normalisePriv(value: string | null | undefined): V3PrivProtocol | null {
  if (!value) return null
  if (value === 'aes256') return 'aes256b'
  return (V3_PRIV as readonly string[]).includes(value) ? (value as V3PrivProtocol) : null
}

interface NetSnmpVarbind {
  oid: string
  type: number
  value: unknown
}

interface NetSnmpPdu {
  id: number
  errorStatus: number
  errorIndex: number
  varbinds: NetSnmpVarbind[]
}

interface NetSnmpReq {
  responseCb(error: unknown, pdu?: NetSnmpPdu): void
}

interface NetSnmpSession {
  onSimpleGetResponse: (req: NetSnmpReq, message: { pdu: NetSnmpPdu }) => void
  get(oids: string[], cb: (error: unknown, pdu?: unknown) => void): void
  getNext(oids: string[], cb: (error: unknown, pdu?: unknown) => void): void
  getBulk(
    oids: string[],
    nonRepeaters: number,
    maxRepetitions: number,
    cb: (error: unknown, pdu?: unknown) => void
  ): void
  on(event: string, listener: (...args: unknown[]) => void): void
  close(): void
  msgSecurityParameters?: unknown
}

interface NetSnmp {
  createV3Session(target: string, user: object, options: object): NetSnmpSession
  Version3: number
  SecurityLevel: Record<string, number>
  AuthProtocols: Record<string, number>
  PrivProtocols: Record<string, number>
  ResponseInvalidCode: Record<string, number>
}

const netSnmp = createRequire(import.meta.url)('net-snmp') as NetSnmp

/** net-snmp's Report texts (usmStats*) → our codes. */
const USM_REPORTS: Record<string, SnmpV3Error['code']> = {
  'Unsupported Security Level': 'E_SNMP_V3_SECURITY_LEVEL',
  'Not In Time Window': 'E_SNMP_V3_TIME_WINDOW',
  'Unknown User Name': 'E_SNMP_V3_UNKNOWN_USER',
  'Unknown Engine ID': 'E_SNMP_V3_UNKNOWN_ENGINE',
  'Wrong Digest (incorrect password, community or key)': 'E_SNMP_V3_AUTH',
  'Decryption Error': 'E_SNMP_V3_DECRYPT',
}

/** The net-snmp user object for a device's credentials; throws E_SNMP_V3_CONFIG when incomplete. */
export function netSnmpUser(credentials: V3Credentials, name: string) {
  const level = netSnmp.SecurityLevel[credentials.level]
  if (!credentials.username || level === undefined) {
    throw new SnmpV3Error('E_SNMP_V3_CONFIG', name, 'SNMPv3 user name or security level missing')
  }
  const user: Record<string, unknown> = { name: credentials.username, level }
  if (credentials.level !== 'noAuthNoPriv') {
    const auth = credentials.authProtocol
    if (!auth || !V3_AUTH.includes(auth) || !credentials.authKey) {
      throw new SnmpV3Error('E_SNMP_V3_CONFIG', name, 'SNMPv3 auth protocol or key missing')
    }
    user.authProtocol = netSnmp.AuthProtocols[auth]
    user.authKey = credentials.authKey
  }
  if (credentials.level === 'authPriv') {
    const priv = credentials.privProtocol
    if (!priv || !V3_PRIV.includes(priv) || !credentials.privKey) {
      throw new SnmpV3Error('E_SNMP_V3_CONFIG', name, 'SNMPv3 privacy protocol or key missing')
    }
    if (priv === 'des' && !getCiphers().includes('des-cbc')) {
      throw new SnmpV3Error(
        'E_SNMP_V3_CONFIG',
        name,
        'DES privacy is not available (OpenSSL 3 dropped single DES); use AES'
      )
    }
    user.privProtocol = netSnmp.PrivProtocols[priv]
    user.privKey = credentials.privKey
  }
  return user
}

// ------------------------------------------------ PDU → internal response

function oidToString(encoded: Buffer): string {
  const first = encoded[0]
  const head = first < 40 ? 0 : first < 80 ? 1 : 2
  const parts = [head, first - 40 * head]
  let value = 0
  for (let i = 1; i < encoded.length; i++) {
    value = value * 128 + (encoded[i] & 0x7f)
    if ((encoded[i] & 0x80) === 0) {
      parts.push(value)
      value = 0
    }
  }
  return parts.join('.')
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length
  const header =
    n < 0x80
      ? Buffer.from([tag, n])
      : n < 0x100
        ? Buffer.from([tag, 0x81, n])
        : n < 0x10000
          ? Buffer.from([tag, 0x82, n >> 8, n & 0xff])
          : Buffer.from([tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff])
  return Buffer.concat([header, content])
}

function signedBytes(value: number): Buffer {
  let big = BigInt(Math.trunc(value))
  const bytes: number[] = []
  do {
    bytes.unshift(Number(big & 0xffn))
    big >>= 8n
  } while (!((big === 0n && (bytes[0] & 0x80) === 0) || (big === -1n && (bytes[0] & 0x80) !== 0)))
  return Buffer.from(bytes)
}

function unsignedBytes(value: number): Buffer {
  const bytes: number[] = []
  let v = Math.max(0, Math.trunc(value))
  do {
    bytes.unshift(v % 256)
    v = Math.floor(v / 256)
  } while (v > 0)
  if (bytes[0] & 0x80) bytes.unshift(0)
  return Buffer.from(bytes)
}

function oidContent(oid: string): Buffer {
  const parts = oid.split('.').map(Number)
  const out: number[] = [40 * parts[0] + parts[1]]
  for (const part of parts.slice(2)) {
    const group: number[] = [part & 0x7f]
    let v = Math.floor(part / 128)
    while (v > 0) {
      group.unshift(0x80 | (v & 0x7f))
      v = Math.floor(v / 128)
    }
    out.push(...group)
  }
  return Buffer.from(out)
}

function valueContent(varbind: NetSnmpVarbind): Buffer {
  const { type, value } = varbind
  switch (type) {
    case SnmpType.Integer:
      return signedBytes(Number(value))
    case SnmpType.Counter32:
    case SnmpType.Gauge32:
    case SnmpType.TimeTicks:
      return unsignedBytes(Number(value))
    case SnmpType.OctetString:
    case SnmpType.Opaque:
    case SnmpType.Counter64:
      return Buffer.isBuffer(value) ? value : Buffer.from(String(value ?? ''), 'utf8')
    case SnmpType.ObjectIdentifier:
      return value ? oidContent(String(value)) : Buffer.alloc(0)
    case SnmpType.IpAddress:
      return Buffer.from(String(value).split('.').map(Number))
    default:
      return Buffer.alloc(0)
  }
}

/** The PDU net-snmp decoded and authenticated, as a v2c response message in the internal form. */
export function responseFromPdu(pdu: NetSnmpPdu, name: string): SnmpResponse {
  const list = Buffer.concat(
    pdu.varbinds.map((vb) =>
      tlv(
        0x30,
        Buffer.concat([
          tlv(SnmpType.ObjectIdentifier, oidContent(vb.oid)),
          tlv(vb.type, valueContent(vb)),
        ])
      )
    )
  )
  const body = Buffer.concat([
    tlv(SnmpType.Integer, signedBytes(pdu.id ?? 0)),
    tlv(SnmpType.Integer, signedBytes(pdu.errorStatus ?? 0)),
    tlv(SnmpType.Integer, signedBytes(pdu.errorIndex ?? 0)),
    tlv(0x30, list),
  ])
  const message = tlv(
    0x30,
    Buffer.concat([
      tlv(SnmpType.Integer, Buffer.from([1])),
      tlv(SnmpType.OctetString, Buffer.alloc(0)),
      tlv(0xa2, body),
    ])
  )
  const decoded = decodeResponse(message)
  if (!decoded.ok) throw new SnmpMalformedResponseError(name, decoded.reason)
  return decoded
}

// ------------------------------------------------------------ the transport

export interface V3TransportOptions {
  timeoutMs?: number
  retries?: number
  bindAddress?: string
}

interface CachedSession {
  key: string
  session: NetSnmpSession
  /** An authenticated reply came back on this session (engine discovered, keys right). */
  answered: boolean
}

/**
 * SNMPv3 requests for the table walk. One net-snmp session (one socket)
 * per device and credentials, kept between polls so engine discovery and
 * time synchronisation happen once.
 */
export class SnmpV3Transport {
  readonly #options: V3TransportOptions
  readonly #sessions = new Map<string, CachedSession>()
  #closed = false

  constructor(options: V3TransportOptions = {}) {
    this.#options = options
  }

  get sessions(): number {
    return this.#sessions.size
  }

  request(
    target: SnmpTarget,
    pduType: number,
    oids: Buffer[],
    nonRepeaters: number,
    maxRepetitions: number,
    signal?: AbortSignal
  ): Promise<SnmpResponse> {
    const name = `${target.host}:${target.port ?? 161}`
    if (this.#closed)
      return Promise.reject(new SnmpRequestError('E_SNMP_CLOSED', name, 'client closed'))
    if (signal?.aborted)
      return Promise.reject(new SnmpRequestError('E_SNMP_ABORTED', name, 'aborted'))
    let cached: CachedSession
    try {
      cached = this.#session(target, name)
    } catch (error) {
      return Promise.reject(error)
    }
    const strings = oids.map(oidToString)
    const timeoutMs = target.timeoutMs ?? this.#options.timeoutMs ?? 1000
    const attempts = (target.retries ?? this.#options.retries ?? 1) + 1

    return new Promise<SnmpResponse>((resolve, reject) => {
      let settled = false
      const onAbort = () => finish(new SnmpRequestError('E_SNMP_ABORTED', name, 'aborted'))
      const finish = (error: SnmpError | null, response?: SnmpResponse) => {
        if (settled) return
        settled = true
        signal?.removeEventListener('abort', onAbort)
        if (error) reject(error)
        else resolve(response!)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      const callback = (error: unknown, pdu?: unknown) => {
        if (settled) return
        if (error) {
          const mapped = this.#mapError(error, name, attempts, timeoutMs, cached)
          if (mapped.code === 'E_SNMP_TIMEOUT' && cached.answered === false) {
            // Never answered with these keys: tell wrong keys from a dead device.
            const discovered = Boolean(cached.session.msgSecurityParameters)
            this.#diagnose(target, name, discovered)
              .then((diagnosed) => finish(diagnosed ?? mapped))
              .catch(() => finish(mapped))
            return
          }
          finish(mapped)
          return
        }
        try {
          cached.answered = true
          finish(null, responseFromPdu(pdu as NetSnmpPdu, name))
        } catch (failure) {
          finish(
            failure instanceof SnmpError
              ? failure
              : new SnmpMalformedResponseError(name, String(failure))
          )
        }
      }
      try {
        if (pduType === PDU_GET_BULK)
          cached.session.getBulk(strings, nonRepeaters, maxRepetitions, callback)
        else if (pduType === PDU_GET_NEXT) cached.session.getNext(strings, callback)
        else if (pduType === PDU_GET) cached.session.get(strings, callback)
        else finish(new SnmpRequestError('E_SNMP_SEND', name, `unsupported PDU ${pduType}`))
      } catch (error) {
        finish(new SnmpRequestError('E_SNMP_SEND', name, (error as Error).message))
      }
    })
  }

  close() {
    if (this.#closed) return
    this.#closed = true
    for (const cached of this.#sessions.values()) closeQuietly(cached.session)
    this.#sessions.clear()
  }

  #session(target: SnmpTarget, name: string): CachedSession {
    const credentials = target.v3
    if (!credentials) throw new SnmpV3Error('E_SNMP_V3_CONFIG', name, 'no SNMPv3 credentials')
    const user = netSnmpUser(credentials, name)
    const key = JSON.stringify([target.host, target.port ?? 161, credentials])
    const id = `${target.host}:${target.port ?? 161}`
    const existing = this.#sessions.get(id)
    if (existing && existing.key === key) return existing
    if (existing) closeQuietly(existing.session)
    const session = this.#open(target, user, credentials.context)
    const cached: CachedSession = { key, session, answered: false }
    this.#sessions.set(id, cached)
    return cached
  }

  #open(target: SnmpTarget, user: object, context?: string) {
    const session = netSnmp.createV3Session(target.host, user, {
      port: target.port ?? 161,
      version: netSnmp.Version3,
      timeout: target.timeoutMs ?? this.#options.timeoutMs ?? 1000,
      retries: target.retries ?? this.#options.retries ?? 1,
      transport: target.host.includes(':') ? 'udp6' : 'udp4',
      sourceAddress: this.#options.bindAddress,
      idBitsSize: 32,
      context: context ?? '',
    })
    // Pass every reply up as it is: the table walk handles error-status and OID order itself.
    session.onSimpleGetResponse = (req, message) => req.responseCb(null, message.pdu)
    // Undecodable datagrams are emitted as 'error': never let them throw out of the socket.
    session.on('error', () => {})
    return session
  }

  /**
   * Requests timed out before the device ever answered with these keys.
   * Many agents drop what fails authentication or decryption instead of
   * sending a usmStats report, so: at authPriv, ask once at authNoPriv — an
   * authenticated reply (even an access error) proves user and auth key
   * right, so the privacy key or protocol is wrong. Otherwise, when the
   * engine discovery was answered, the device is alive and refuses the
   * authentication (wrong auth key or protocol, or an unknown user).
   */
  async #diagnose(
    target: SnmpTarget,
    name: string,
    discovered: boolean
  ): Promise<SnmpError | null> {
    const credentials = target.v3
    if (!credentials || this.#closed) return null
    // a device that did not even answer the engine discovery is silent: a plain timeout
    if (!discovered) return null
    if (credentials.level === 'authPriv') {
      const probe = {
        ...credentials,
        level: 'authNoPriv' as const,
        privProtocol: null,
        privKey: null,
      }
      // short: the engine just answered, and the poll's deadline is already running
      const timeoutMs = Math.min(target.timeoutMs ?? this.#options.timeoutMs ?? 1000, 800)
      const session = this.#open(
        { ...target, timeoutMs, retries: 0 },
        netSnmpUser(probe, name),
        credentials.context
      )
      try {
        const answered = await new Promise<boolean>((resolve) => {
          session.get(['1.3.6.1.2.1.1.3.0'], (error) => {
            resolve(!error || (error as Error).message === 'Unsupported Security Level')
          })
        })
        if (answered) {
          return new SnmpV3Error(
            'E_SNMP_V3_DECRYPT',
            name,
            'authPriv requests unanswered while authNoPriv is authenticated: wrong privacy key or protocol'
          )
        }
      } finally {
        closeQuietly(session)
      }
    }
    if (credentials.level !== 'noAuthNoPriv') {
      return new SnmpV3Error(
        'E_SNMP_V3_AUTH',
        name,
        'engine discovery answered but authenticated requests are not: wrong auth key or protocol, or unknown user'
      )
    }
    return null
  }

  #mapError(
    error: unknown,
    name: string,
    attempts: number,
    timeoutMs: number,
    cached: CachedSession
  ): SnmpError {
    if (error instanceof SnmpError) return error
    const err = error as { name?: string; message?: string; code?: number }
    if (err.name === 'RequestTimedOutError') return new SnmpTimeoutError(name, attempts, timeoutMs)
    if (err.name === 'ResponseInvalidError') {
      const codes = netSnmp.ResponseInvalidCode
      const report = USM_REPORTS[err.message ?? '']
      if (report) {
        if (report === 'E_SNMP_V3_TIME_WINDOW') cached.session.msgSecurityParameters = undefined
        return new SnmpV3Error(report, name, err.message ?? report)
      }
      if (err.code === codes.ECouldNotDecrypt)
        return new SnmpV3Error('E_SNMP_V3_DECRYPT', name, err.message ?? 'decryption failed')
      if (err.code === codes.EAuthFailure)
        return new SnmpV3Error('E_SNMP_V3_AUTH', name, err.message ?? 'authentication failed')
      if (err.code === codes.ENotInTimeWindow) {
        cached.session.msgSecurityParameters = undefined
        return new SnmpV3Error('E_SNMP_V3_TIME_WINDOW', name, err.message ?? 'not in time window')
      }
      return new SnmpMalformedResponseError(name, err.message ?? 'invalid response')
    }
    if (err.message === 'Socket forcibly closed')
      return new SnmpRequestError('E_SNMP_CLOSED', name, 'client closed')
    return new SnmpRequestError('E_SNMP_SEND', name, err.message ?? String(error))
  }
}

function closeQuietly(session: NetSnmpSession) {
  try {
    session.close()
  } catch {
    // already closed
  }
}

const AUTH_SPELLINGS: Record<string, V3AuthProtocol> = {
  md5: 'md5',
  sha: 'sha',
  sha1: 'sha',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
}

const PRIV_SPELLINGS: Record<string, V3PrivProtocol> = {
  des: 'des',
  aes: 'aes',
  aes128: 'aes',
  aes256: 'aes256b',
  aes256b: 'aes256b',
  aes256r: 'aes256r',
  aes256c: 'aes256r',
}

/**
 * A protocol as people write it in a spreadsheet or a device config
 * ("SHA-256", "AES-128", Net-SNMP's "AES-256" / "AES-256-C", "AES-256 R")
 * to its stored code; the text unchanged when unknown (the validator says so).
 */
export function v3ProtocolFromText(kind: 'auth' | 'priv', text: string): string {
  const key = text.toLowerCase().replace(/[\s_-]+/g, '')
  return (kind === 'auth' ? AUTH_SPELLINGS[key] : PRIV_SPELLINGS[key]) ?? text
}
