import { isIP } from 'node:net'
import {
  encodedOid,
  PDU_GET,
  type SnmpResponse,
  type SnmpVarbind,
} from '#network_monitoring/snmp/ber'
import { SnmpErrorStatusError, SnmpRequestError } from '#network_monitoring/snmp/errors'
import {
  walkTables,
  type TableWalkOptions,
  type TableWalkResult,
  type WalkOptions,
} from '#network_monitoring/snmp/table_walk'
import {
  describe,
  SnmpTransport,
  type SnmpTarget,
  type TransportOptions,
  type TransportStats,
} from '#network_monitoring/snmp/transport'
import { SnmpV3Transport } from '#network_monitoring/snmp/v3_transport'

/*
 * The SNMP v1/v2c manager, in parts: errors.ts (typed failures), ber.ts
 * (codec), table_walk.ts (multi-column GETBULK walk), transport.ts (UDP
 * sockets, retransmission, reply matching). This file ties them together
 * and re-exports what callers import from `#network_monitoring/snmp/client`.
 */
export * from '#network_monitoring/snmp/errors'
export {
  SnmpType,
  parseOid,
  compareOids,
  encodeOidContent,
  encodeRequest,
  decodeResponse,
  decodeText,
  DecodedVarbind,
  SnmpResponse,
  MAX_OID_ARCS,
} from '#network_monitoring/snmp/ber'
export type {
  SnmpException,
  SnmpVarbind,
  SnmpValue,
  RequestPdu,
  DecodedResponse,
} from '#network_monitoring/snmp/ber'
export { TableColumn } from '#network_monitoring/snmp/table_walk'
export type {
  WalkOptions,
  TableWalkOptions,
  TableWalkResult,
} from '#network_monitoring/snmp/table_walk'
export type { SnmpTarget } from '#network_monitoring/snmp/transport'

export interface SnmpClientOptions extends TransportOptions {
  /** GETBULK max-repetitions for walks (default 25). */
  maxRepetitions?: number
}

export type SnmpClientStats = TransportStats

/**
 * SNMP v1/v2c manager. Host, port and community travel with each request,
 * so one client (one socket per source address) serves every device of a
 * poller. Replies are matched by request-id, source address, version and
 * community; anything unparseable surfaces as SnmpMalformedResponseError.
 */
export default class SnmpClient {
  readonly options: {
    timeoutMs: number
    retries: number
    maxRepetitions: number
    recvBufferBytes: number
  }
  readonly transport: SnmpTransport
  /** SNMPv3 targets go through USM sessions (opened on first use). */
  readonly #clientOptions: SnmpClientOptions
  #v3: SnmpV3Transport | null = null
  #closed = false

  private constructor(options: SnmpClientOptions) {
    this.transport = new SnmpTransport(options)
    this.#clientOptions = options
    this.options = {
      timeoutMs: this.transport.timeoutMs,
      retries: this.transport.retries,
      maxRepetitions: options.maxRepetitions ?? 25,
      recvBufferBytes: options.recvBufferBytes ?? 4 * 1024 * 1024,
    }
  }

  /** Opens the client; the socket for loopback (or the configured source address) is bound at once. */
  static async open(options: SnmpClientOptions = {}): Promise<SnmpClient> {
    const client = new SnmpClient(options)
    const first = options.bindAddress ?? '127.0.0.1'
    if (isIP(first)) await client.transport.prepare(first)
    return client
  }

  get stats(): SnmpClientStats {
    return this.transport.stats
  }

  /** Effective receive buffer as reported by the kernel (twice the requested size on Linux). */
  get recvBufferBytes(): number {
    return this.transport.recvBufferBytes
  }

  /** Local UDP port of the first socket bound (loopback, or the configured source address). */
  get localPort(): number {
    return this.transport.localPort
  }

  get inFlight(): number {
    return this.transport.inFlight
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
      const response: SnmpResponse = await this.request(
        target,
        PDU_GET,
        chunk,
        0,
        0,
        options.signal
      )
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
    const error = result.errors.get(baseOid)
    if (error) throw error
    return result.columns.get(baseOid)!.varbinds()
  }

  /** Several columns in one request stream (see table_walk.ts). */
  walkTables(
    target: SnmpTarget,
    columnOids: string[],
    options: TableWalkOptions = {}
  ): Promise<TableWalkResult> {
    return walkTables(
      (pduType, oids, nonRepeaters, maxRepetitions) =>
        this.request(target, pduType, oids, nonRepeaters, maxRepetitions, options.signal),
      describe(target),
      target.version === '1' ? '1' : '2c',
      columnOids,
      this.options.maxRepetitions,
      options
    )
  }

  /** One request over v1/v2c (community) or v3 (USM), answered in the same internal form. */
  request(
    target: SnmpTarget,
    pduType: number,
    oids: Buffer[],
    nonRepeaters: number,
    maxRepetitions: number,
    signal?: AbortSignal
  ): Promise<SnmpResponse> {
    if (target.version !== '3') {
      return this.transport.request(target, pduType, oids, nonRepeaters, maxRepetitions, signal)
    }
    if (this.#closed) {
      return Promise.reject(
        new SnmpRequestError('E_SNMP_CLOSED', describe(target), 'client closed')
      )
    }
    this.#v3 ??= new SnmpV3Transport({
      timeoutMs: this.transport.timeoutMs,
      retries: this.transport.retries,
      bindAddress: this.#clientOptions.bindAddress,
    })
    return this.#v3.request(target, pduType, oids, nonRepeaters, maxRepetitions, signal)
  }

  /** Closes the sockets; requests still in flight fail with E_SNMP_CLOSED. */
  close() {
    this.#closed = true
    this.transport.close()
    this.#v3?.close()
  }
}
