import net from 'node:net'
import tls from 'node:tls'
import { hostname } from 'node:os'
import { readFileSync } from 'node:fs'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#core/audit/audit_event'

export interface SyslogTarget {
  host: string
  port: number
  tls?: boolean
  caFile?: string
  rejectUnauthorized?: boolean
}

interface ForwarderLogger {
  info(message: string): void
  warn(message: string): void
}

export interface ForwarderOptions {
  target: SyslogTarget
  logger?: ForwarderLogger
  /** Rows per write (default 500). */
  batchSize?: number
  /** Poll for rows written by other processes (ace commands) this often (default 5 s). */
  pollMs?: number
  /** Reconnect delay after a failure, doubling up to maxRetryMs. */
  retryMs?: number
  maxRetryMs?: number
  /** A written batch counts as delivered once the link stayed healthy this long. */
  settleMs?: number
}

/** RFC 5424 SD-PARAM value escaping (", \ and ]). */
function sdValue(value: unknown) {
  return String(value ?? '').replace(/["\\\]]/g, (c) => `\\${c}`)
}

/** One audit event as an RFC 5424 message (facility 13 "log audit"), octet-counted (RFC 6587). */
export function formatSyslog(event: AuditEvent, host = hostname()) {
  const severity = event.outcome === 'failure' ? 4 : 6
  const pri = 13 * 8 + severity
  const msgId = event.action.replace(/[^\x21-\x7e]/g, '_').slice(0, 32) || '-'
  const sd =
    `[shuzhi@32473 id="${event.id}" outcome="${sdValue(event.outcome)}"` +
    ` actor="${sdValue(event.actorName)}" ip="${sdValue(event.ip)}"` +
    ` target="${sdValue([event.targetType, event.targetId].filter(Boolean).join('#'))}"` +
    ` key="${sdValue(event.keyId)}" hash="${sdValue(event.hash)}"]`
  const body = JSON.stringify({
    id: Number(event.id),
    occurredAt: event.occurredAt,
    actorId: event.actorId,
    actorName: event.actorName,
    ip: event.ip,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    outcome: event.outcome,
    details: event.details,
    keyId: event.keyId,
    prevHash: event.prevHash,
    hash: event.hash,
  })
  const host255 = host.replace(/[^\x21-\x7e]/g, '_').slice(0, 255) || '-'
  const message = `<${pri}>1 ${event.occurredAt} ${host255} shuzhi ${process.pid} ${msgId} ${sd} \uFEFF${body}`
  const bytes = Buffer.byteLength(message)
  return `${bytes} ${message}`
}

/**
 * Forwards every audit event to a syslog collector over TCP (or TLS) in id
 * order. The position lives in the database (audit_forward_state), so events
 * written while the collector is down — or while this process is stopped —
 * are sent once it is back: none is lost. A batch only counts as delivered
 * when the connection stayed healthy for settleMs after it; after a failure
 * the last batch is sent again (the collector may see an event twice; the id
 * in the structured data identifies duplicates).
 */
export class SyslogForwarder {
  #socket: net.Socket | null = null
  #connecting: Promise<net.Socket> | null = null
  #running = false
  #pending = false
  #stopped = true
  #timer: NodeJS.Timeout | null = null
  #retryTimer: NodeJS.Timeout | null = null
  #retryDelay: number
  /** Last id written to the socket (in memory) and last id confirmed (in the database). */
  #sentUpTo: number | null = null
  #sentAt = 0
  #unsubscribe: (() => void) | null = null
  readonly options: Required<Omit<ForwarderOptions, 'logger'>> & { logger?: ForwarderLogger }

  constructor(options: ForwarderOptions) {
    this.options = {
      batchSize: 500,
      pollMs: 5000,
      retryMs: 1000,
      maxRetryMs: 30000,
      settleMs: 2000,
      ...options,
    }
    this.#retryDelay = this.options.retryMs
  }

  /** Starts forwarding; `subscribe` hooks new appends (AuditService.onAppended). */
  start(subscribe?: (listener: () => void) => () => void) {
    this.#stopped = false
    this.#unsubscribe = subscribe?.(() => this.kick()) ?? null
    this.#timer = setInterval(() => this.kick(), this.options.pollMs)
    this.#timer.unref()
    this.kick()
    return this
  }

  async stop() {
    this.#stopped = true
    this.#unsubscribe?.()
    if (this.#timer) clearInterval(this.#timer)
    if (this.#retryTimer) clearTimeout(this.#retryTimer)
    this.#timer = null
    this.#retryTimer = null
    const socket = this.#socket
    this.#socket = null
    if (socket) await new Promise<void>((resolve) => socket.end(resolve))
  }

  /** Sends whatever is pending (coalesces concurrent calls). */
  kick() {
    if (this.#stopped) return
    if (this.#running) {
      this.#pending = true
      return
    }
    this.#running = true
    this.#drain()
      .catch((error: Error) => this.#failed(error))
      .finally(() => {
        this.#running = false
        if (this.#pending && !this.#retryTimer) {
          this.#pending = false
          this.kick()
        }
      })
  }

  async #cursor(): Promise<number> {
    const row = await db.from('audit_forward_state').where('id', 1).first()
    if (!row) {
      await db.table('audit_forward_state').insert({ id: 1, last_forwarded_id: 0 })
      return 0
    }
    return Number(row.last_forwarded_id)
  }

  async #confirm(id: number) {
    await db
      .from('audit_forward_state')
      .where('id', 1)
      .where('last_forwarded_id', '<', id)
      .update({ last_forwarded_id: id, updated_at: new Date().toISOString() })
  }

  async #drain() {
    const confirmed = await this.#cursor()
    let position = this.#sentUpTo ?? confirmed
    for (;;) {
      if (this.#stopped) return
      const rows = await AuditEvent.query()
        .where('id', '>', position)
        .orderBy('id')
        .limit(this.options.batchSize)
      if (rows.length === 0) break
      const socket = await this.#connect()
      const payload = rows.map((row) => formatSyslog(row)).join('')
      await new Promise<void>((resolve, reject) => {
        socket.write(payload, (error) => (error ? reject(error) : resolve()))
      })
      // The previous batch survived until this write: it is delivered.
      if (this.#sentUpTo !== null && this.#sentUpTo > confirmed) await this.#confirm(this.#sentUpTo)
      position = Number(rows[rows.length - 1].id)
      this.#sentUpTo = position
      this.#sentAt = Date.now()
    }
    this.#retryDelay = this.options.retryMs
    // Nothing new: confirm the last batch once the link stayed healthy long enough.
    if (this.#sentUpTo !== null && this.#sentUpTo > confirmed && this.#socket) {
      const wait = this.#sentAt + this.options.settleMs - Date.now()
      if (wait > 0) {
        setTimeout(() => this.kick(), wait).unref()
      } else {
        await this.#confirm(this.#sentUpTo)
      }
    }
  }

  #connect(): Promise<net.Socket> {
    if (this.#socket && !this.#socket.destroyed) return Promise.resolve(this.#socket)
    this.#connecting ??= new Promise<net.Socket>((resolve, reject) => {
      const { host, port } = this.options.target
      const socket = this.options.target.tls
        ? tls.connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            ca: this.options.target.caFile ? readFileSync(this.options.target.caFile) : undefined,
            rejectUnauthorized: this.options.target.rejectUnauthorized ?? true,
          })
        : net.connect({ host, port })
      const ready = this.options.target.tls ? 'secureConnect' : 'connect'
      socket.setKeepAlive(true, 10000)
      socket.once(ready, () => {
        socket.off('error', reject)
        socket.on('error', (error) => this.#lost(socket, error))
        socket.on('close', () => this.#lost(socket, new Error('connection closed')))
        this.#socket = socket
        this.options.logger?.info(`audit syslog: connected to ${host}:${port}`)
        resolve(socket)
      })
      socket.once('error', reject)
    }).finally(() => {
      this.#connecting = null
    })
    return this.#connecting
  }

  /** The connection broke: resend from the last confirmed position. */
  #lost(socket: net.Socket, error: Error) {
    if (this.#socket !== socket) return
    this.#socket = null
    this.#sentUpTo = null
    socket.destroy()
    if (!this.#stopped) this.#failed(error)
  }

  #failed(error: Error) {
    this.#sentUpTo = null
    if (this.#stopped || this.#retryTimer) return
    this.options.logger?.warn(
      `audit syslog: ${error.message}; events stay queued, retrying in ${this.#retryDelay} ms`
    )
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null
      this.kick()
    }, this.#retryDelay)
    this.#retryTimer.unref()
    this.#retryDelay = Math.min(this.#retryDelay * 2, this.options.maxRetryMs)
  }

  /** Events not yet confirmed delivered. */
  async backlog() {
    const cursor = await this.#cursor()
    const row = await db.from('audit_events').where('id', '>', cursor).count('* as total').first()
    return Number(row?.total ?? 0)
  }
}
