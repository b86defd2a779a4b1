import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { RemoteInfo } from 'node:dgram'
import type { DeviceFaults } from '#network_monitoring/simulator/simulated_device'

/**
 * A UDP socket with the dgram interface net-snmp's agent listener uses
 * (handed over through its `dgramModule` option), which applies a device's
 * faults on the way in (drop, delay) and out (junk, truncation) — the agent
 * itself stays unmodified.
 */
export default class FaultSocket extends EventEmitter {
  readonly ready: Promise<void>
  #inner: dgram.Socket
  #faults: () => DeviceFaults
  #timers = new Set<NodeJS.Timeout>()
  #closed = false
  /** Requests the fault layer swallowed (down) — for tests and the command's status line. */
  dropped = 0

  constructor(type: dgram.SocketType, faults: () => DeviceFaults) {
    super()
    this.#faults = faults
    this.#inner = dgram.createSocket(type)
    this.ready = new Promise((resolve, reject) => {
      this.#inner.once('listening', () => resolve())
      this.#inner.once('error', reject)
    })
    this.ready.catch(() => {})
    this.#inner.on('error', (error) => this.emit('error', error))
    this.#inner.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.#receive(msg, rinfo))
  }

  /** A `dgramModule` for one device's agent. */
  static moduleFor(faults: () => DeviceFaults, created: (socket: FaultSocket) => void) {
    return {
      createSocket: (type: string) => {
        const socket = new FaultSocket(type as dgram.SocketType, faults)
        created(socket)
        return socket
      },
    }
  }

  bind(port: number, address?: string) {
    this.#inner.bind(port, address ?? undefined)
    return this
  }

  address() {
    return this.#inner.address()
  }

  send(
    buffer: Buffer,
    offset: number,
    length: number,
    port: number,
    address: string,
    callback?: (error: Error | null, bytes: number) => void
  ) {
    if (this.#closed) return
    const garbage = this.#faults().garbage
    let payload = buffer.subarray(offset, offset + length)
    if (garbage === 'junk') payload = randomBytes(8 + Math.floor(Math.random() * 40))
    if (garbage === 'truncated') payload = payload.subarray(0, Math.max(1, Math.floor(length / 2)))
    this.#inner.send(payload, port, address, callback)
  }

  close(callback?: () => void) {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    try {
      this.#inner.close(callback)
    } catch {
      callback?.()
    }
  }

  #receive(msg: Buffer, rinfo: RemoteInfo) {
    const faults = this.#faults()
    if (faults.down) {
      this.dropped++
      return
    }
    if (faults.delayMs && faults.delayMs > 0) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        if (!this.#closed) this.emit('message', msg, rinfo)
      }, faults.delayMs)
      this.#timers.add(timer)
      return
    }
    this.emit('message', msg, rinfo)
  }
}
