import dgram from 'node:dgram'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { RemoteInfo, Socket } from 'node:dgram'
import { decodeResponse, encodeRequest, type SnmpResponse } from '#network_monitoring/snmp/ber'
import {
  type SnmpError,
  SnmpMalformedResponseError,
  SnmpRequestError,
  SnmpTimeoutError,
} from '#network_monitoring/snmp/errors'
import type { V3Credentials } from '#network_monitoring/snmp/v3_transport'

export interface SnmpTarget {
  host: string
  port?: number
  community?: string
  /** '2c' (default) walks with GETBULK; '1' falls back to GETNEXT; '3' goes through USM (v3_transport.ts). */
  version?: '1' | '2c' | '3'
  /** User-based security of a version '3' target. */
  v3?: V3Credentials
  timeoutMs?: number
  retries?: number
}

export interface TransportOptions {
  /** Per-attempt timeout (default 1000 ms). */
  timeoutMs?: number
  /** Retransmissions after the first attempt (default 1). */
  retries?: number
  /** Receive buffer of each socket; bursts of bulk replies overflow the 208 KiB default. */
  recvBufferBytes?: number
  sendBufferBytes?: number
  /**
   * Local address to send from (SNMP_SOURCE_ADDRESS). Unset: for each
   * target the address the kernel routes it from (127.0.0.1 for loopback
   * agents) — never the wildcard, so only interfaces that reach a device
   * can deliver datagrams to the poller's socket.
   */
  bindAddress?: string
  /** Called with each encoded request; used by the benchmark to replay identical PDUs. */
  onRequest?: (packet: Buffer, target: SnmpTarget) => void
}

export interface TransportStats {
  requests: number
  /** Requests sent again after an attempt timed out. */
  retransmits: number
  responses: number
  timeouts: number
  malformed: number
  stray: number
  /** Datagrams the message handler could not process (should stay 0). */
  handlerErrors: number
}

interface Route {
  /** Resolved, normalised address replies must come from. */
  remote: string
  /** Local address to send from. */
  local: string
  family: 'udp4' | 'udp6'
  at: number
}

interface Pending {
  endpoint: string
  host: string
  port: number
  version: number
  community: string
  socket: Socket
  sentAt: number
  packet: Buffer
  attempt: number
  attempts: number
  timeoutMs: number
  timer: NodeJS.Timeout | undefined
  /** When the current attempt's timer should fire (performance.now()). */
  dueAt: number
  /** The current attempt already got its grace for a stalled event loop. */
  graced: boolean
  signal: AbortSignal | undefined
  resolve: (response: SnmpResponse) => void
  reject: (error: SnmpError) => void
}

/** A timer this late means the event loop was stalled: replies may be waiting unread. */
const STALL_GRACE_MS = 50

const ROUTE_TTL_MS = 10 * 60_000
const ROUTE_CACHE_MAX = 200_000

export function describe(target: SnmpTarget) {
  return `${target.host}:${target.port ?? 161}`
}

/**
 * The UDP side of the client: sockets bound to the source addresses the
 * targets need, requests with retransmission, replies matched by
 * request-id, source address (hostnames resolved), version and community.
 * The message handler never throws: a datagram that cannot be processed
 * is counted and dropped.
 */
export class SnmpTransport {
  readonly stats: TransportStats = {
    requests: 0,
    retransmits: 0,
    responses: 0,
    timeouts: 0,
    malformed: 0,
    stray: 0,
    handlerErrors: 0,
  }
  readonly timeoutMs: number
  readonly retries: number
  readonly #options: TransportOptions
  #sockets = new Map<string, Promise<Socket>>()
  #routes = new Map<string, Promise<Route>>()
  #pending = new Map<number, Pending>()
  /** Requests in flight per endpoint (address:port), to fail one at once on a damaged reply. */
  #byEndpoint = new Map<string, Set<number>>()
  /** Endpoints that recently sent bytes we could not tie to a request (for timeout → malformed). */
  #garbled = new Map<string, { at: number; reason: string }>()
  #nextId = 1 + Math.floor(Math.random() * 0x3fffffff)
  #closed = false
  #recvBufferBytes = 0
  #localPort = 0

  constructor(options: TransportOptions = {}) {
    this.#options = options
    this.timeoutMs = options.timeoutMs ?? 1000
    this.retries = options.retries ?? 1
  }

  get inFlight(): number {
    return this.#pending.size
  }

  get recvBufferBytes(): number {
    return this.#recvBufferBytes
  }

  /** Local UDP port of the first socket opened (loopback, or the configured source address). */
  get localPort(): number {
    return this.#localPort
  }

  /** Local addresses the sockets are bound to (never the wildcard unless configured so). */
  async boundAddresses(): Promise<string[]> {
    const sockets = await Promise.allSettled(this.#sockets.values())
    return sockets.flatMap((s) => (s.status === 'fulfilled' ? [s.value.address().address] : []))
  }

  /** Binds the socket for `address` now (SnmpClient.open does so for loopback / the configured address). */
  async prepare(address: string) {
    await this.#socket(address)
  }

  request(
    target: SnmpTarget,
    pduType: number,
    oids: Buffer[],
    nonRepeaters: number,
    maxRepetitions: number,
    signal?: AbortSignal
  ): Promise<SnmpResponse> {
    const name = describe(target)
    if (this.#closed)
      return Promise.reject(new SnmpRequestError('E_SNMP_CLOSED', name, 'client closed'))
    if (signal?.aborted)
      return Promise.reject(new SnmpRequestError('E_SNMP_ABORTED', name, 'aborted'))
    const route = this.#routes.get(target.host)
    // The common case (route known, socket bound) stays synchronous up to the send.
    return (route ?? this.#route(target.host)).then(
      async (resolved) => {
        const socket = await this.#socket(resolved.local)
        return this.#send(
          target,
          resolved,
          socket,
          pduType,
          oids,
          nonRepeaters,
          maxRepetitions,
          signal
        )
      },
      (error: Error) => {
        throw new SnmpRequestError('E_SNMP_ADDRESS', name, `cannot reach: ${error.message}`)
      }
    )
  }

  close() {
    if (this.#closed) return
    this.#closed = true
    for (const [reqid, pending] of this.#pending) {
      this.#forget(reqid, pending)
      pending.reject(
        new SnmpRequestError('E_SNMP_CLOSED', `${pending.host}:${pending.port}`, 'client closed')
      )
    }
    for (const socket of this.#sockets.values()) {
      socket.then((s) => s.close()).catch(() => {})
    }
  }

  /** Resolves `host` and finds the local address the kernel sends to it from (cached). */
  #route(host: string): Promise<Route> {
    const cached = this.#routes.get(host)
    if (cached) return cached
    const promise = (async () => {
      let address = host
      let family = isIP(host)
      if (family === 0) {
        const found = await lookup(host)
        address = found.address
        family = found.family
      }
      const type = family === 6 ? 'udp6' : 'udp4'
      const bind = this.#options.bindAddress
      const probe = dgram.createSocket(type)
      try {
        await new Promise<void>((resolve, reject) => {
          probe.once('error', reject)
          probe.connect(161, address, () => resolve())
        })
        const remote = probe.remoteAddress().address
        const local = bind ?? probe.address().address
        return { remote, local, family: type, at: Date.now() } satisfies Route
      } finally {
        probe.close()
      }
    })()
    if (this.#routes.size >= ROUTE_CACHE_MAX) this.#routes.clear()
    this.#routes.set(host, promise)
    promise.then(
      (route) => {
        const expire = setTimeout(
          () => {
            if (this.#routes.get(host) === promise) this.#routes.delete(host)
          },
          ROUTE_TTL_MS - (Date.now() - route.at)
        )
        expire.unref()
      },
      () => this.#routes.delete(host)
    )
    return promise
  }

  #socket(local: string): Promise<Socket> {
    let socket = this.#sockets.get(local)
    if (socket) return socket
    socket = new Promise<Socket>((resolve, reject) => {
      const s = dgram.createSocket(isIP(local) === 6 ? 'udp6' : 'udp4')
      s.once('error', reject)
      s.on('message', (msg, rinfo) => this.receive(msg, rinfo))
      s.bind(0, local, () => {
        s.removeListener('error', reject)
        s.on('error', () => {})
        try {
          s.setRecvBufferSize(this.#options.recvBufferBytes ?? 4 * 1024 * 1024)
          if (this.#options.sendBufferBytes) s.setSendBufferSize(this.#options.sendBufferBytes)
        } catch {
          // the kernel caps SO_RCVBUF at net.core.rmem_max; the default buffer still works
        }
        this.#recvBufferBytes = s.getRecvBufferSize()
        if (this.#localPort === 0) this.#localPort = s.address().port
        if (this.#closed) s.close()
        resolve(s)
      })
    })
    socket.catch(() => this.#sockets.delete(local))
    this.#sockets.set(local, socket)
    return socket
  }

  #send(
    target: SnmpTarget,
    route: Route,
    socket: Socket,
    pduType: number,
    oids: Buffer[],
    nonRepeaters: number,
    maxRepetitions: number,
    signal?: AbortSignal
  ): Promise<SnmpResponse> {
    const port = target.port ?? 161
    const name = describe(target)
    if (this.#closed)
      return Promise.reject(new SnmpRequestError('E_SNMP_CLOSED', name, 'client closed'))
    if (signal?.aborted)
      return Promise.reject(new SnmpRequestError('E_SNMP_ABORTED', name, 'aborted'))
    this.#nextId = this.#nextId >= 0x7ffffffe ? 1 : this.#nextId + 1
    const reqid = this.#nextId
    const version = target.version === '1' ? 0 : 1
    const community = target.community ?? 'public'
    const packet = encodeRequest({
      version,
      community,
      pduType,
      reqid,
      nonRepeaters,
      maxRepetitions,
      oids,
    })
    if (this.#options.onRequest) this.#options.onRequest(packet, target)

    return new Promise<SnmpResponse>((resolve, reject) => {
      const pending: Pending = {
        endpoint: `${route.remote}:${port}`,
        host: target.host,
        port,
        version,
        // the decoder reads the community as latin1 bytes
        community: Buffer.from(community, 'utf8').toString('latin1'),
        socket,
        sentAt: Date.now(),
        packet,
        attempt: 0,
        attempts: (target.retries ?? this.retries) + 1,
        timeoutMs: target.timeoutMs ?? this.timeoutMs,
        timer: undefined,
        dueAt: 0,
        graced: false,
        signal,
        resolve,
        reject,
      }
      this.#pending.set(reqid, pending)
      let ids = this.#byEndpoint.get(pending.endpoint)
      if (!ids) this.#byEndpoint.set(pending.endpoint, (ids = new Set()))
      ids.add(reqid)
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
    pending.graced = false
    pending.dueAt = performance.now() + pending.timeoutMs
    pending.timer = setTimeout(() => this.#onTimer(reqid, pending), pending.timeoutMs)
    pending.socket.send(
      pending.packet,
      pending.port,
      pending.endpoint.slice(0, pending.endpoint.lastIndexOf(':')),
      (error) => {
        if (!error || this.#pending.get(reqid) !== pending) return
        this.#forget(reqid, pending)
        pending.reject(
          new SnmpRequestError('E_SNMP_SEND', `${pending.host}:${pending.port}`, error.message)
        )
      }
    )
  }

  /**
   * An attempt's timer fired. Timers run before I/O in each turn of the event
   * loop, so after a stall (the process descheduled on a busy machine, a long
   * GC) the replies may be waiting unread in the socket while their timers
   * expire: a timer that fired late gets a grace as long as it was late (at
   * most one timeout) in which the loop reads them, and the decision itself waits until this turn's I/O is read
   * (setImmediate runs after the poll phase). Never earlier than the timeout.
   */
  #onTimer(reqid: number, pending: Pending) {
    if (this.#pending.get(reqid) !== pending) return
    const late = performance.now() - pending.dueAt
    if (late > STALL_GRACE_MS && !pending.graced) {
      pending.graced = true
      // as long as the stall was (reading a backlog of replies takes a while), at most one timeout
      const grace = Math.min(late, pending.timeoutMs)
      pending.timer = setTimeout(() => this.#onTimer(reqid, pending), grace)
      return
    }
    pending.timer = undefined
    setImmediate(() => this.#onAttemptTimeout(reqid))
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
    const garbled = this.#garbled.get(pending.endpoint)
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
    const ids = this.#byEndpoint.get(pending.endpoint)
    if (ids) {
      ids.delete(reqid)
      if (ids.size === 0) this.#byEndpoint.delete(pending.endpoint)
    }
  }

  /**
   * Handles one datagram arriving on a socket. Public for the fuzz test;
   * never throws, whatever the bytes.
   */
  receive(msg: Buffer, rinfo: RemoteInfo) {
    try {
      this.#receive(msg, rinfo)
    } catch {
      this.stats.handlerErrors++
    }
  }

  #receive(msg: Buffer, rinfo: RemoteInfo) {
    if (msg.length === 0) return
    const endpoint = `${rinfo.address}:${rinfo.port}`
    const decoded = decodeResponse(msg)
    let reqid = decoded.reqid
    let pending = reqid === undefined ? undefined : this.#pending.get(reqid)

    if (!decoded.ok) {
      this.stats.malformed++
      if (pending && pending.endpoint !== endpoint) pending = undefined
      if (!pending) {
        // Damaged before the request-id: still fail at once when only one request waits on that endpoint.
        const ids = this.#byEndpoint.get(endpoint)
        if (ids && ids.size === 1) {
          reqid = ids.values().next().value
          pending = reqid === undefined ? undefined : this.#pending.get(reqid)
        }
      }
      if (pending && reqid !== undefined) {
        this.#forget(reqid, pending)
        pending.reject(new SnmpMalformedResponseError(endpoint, decoded.reason))
      } else {
        this.#garbled.set(endpoint, { at: Date.now(), reason: decoded.reason })
        if (this.#garbled.size > 10_000) this.#garbled.clear()
      }
      return
    }
    if (
      !pending ||
      pending.endpoint !== endpoint ||
      decoded.version !== pending.version ||
      decoded.community !== pending.community
    ) {
      this.stats.stray++
      return
    }
    this.#forget(decoded.reqid, pending)
    if (this.#garbled.size > 0) this.#garbled.delete(endpoint)
    this.stats.responses++
    pending.resolve(decoded)
  }
}
