import type { SnmpVarbind, TableColumn, TableWalkResult } from '#network_monitoring/snmp/client'
import type { SnmpError } from '#network_monitoring/snmp/errors'
import type SnmpClient from '#network_monitoring/snmp/client'
import type { SnmpTarget } from '#network_monitoring/snmp/transport'

/** A failure (or dropped data) of one poller module; the rest of the poll is unaffected. */
export interface ModuleError {
  module: string
  code: string
  message: string
}

/** What a module reads back from the device's shared GETBULK stream. */
export class WalkView {
  readonly #walk: TableWalkResult
  readonly #scalarIndex: Map<string, number>

  constructor(walk: TableWalkResult, scalarOids: string[]) {
    this.#walk = walk
    this.#scalarIndex = new Map(scalarOids.map((oid, i) => [oid, i]))
  }

  /** The value of `base`.0 when the GETNEXT landed on it (not on some later object). */
  scalar(base: string): SnmpVarbind | null {
    const at = this.#scalarIndex.get(base)
    const vb = at === undefined ? null : this.#walk.scalars[at]
    return vb && !vb.exception && vb.oid === `${base}.0` ? vb : null
  }

  column(oid: string): TableColumn | undefined {
    return this.#walk.columns.get(oid)
  }

  /** The first error among these OIDs (columns or scalars), if any failed. */
  errorOf(oids: readonly string[]): SnmpError | undefined {
    for (const oid of oids) {
      const error = this.#walk.errors.get(oid)
      if (error) return error
    }
    return undefined
  }
}

export interface ModuleContext {
  client: SnmpClient
  target: SnmpTarget
  maxRepetitions: number
  signal?: AbortSignal
  onResponse?: () => void
  /** Requests a follow-up walk made (added to the poll's count). */
  addRequests(count: number): void
}

/**
 * A poller module (LibreNMS's design): adds its scalars and columns to the
 * one GETBULK stream of a device poll, then parses its own part; when its
 * part failed, only this module fails. New modules (the security counters
 * of the alert rules, say) register in device_poller.ts's MODULES.
 */
export interface PollModule<T> {
  readonly name: string
  readonly scalars: readonly string[]
  readonly columns: readonly string[]
  /** Whether to poll this module for this device (all three default modules: always). */
  shouldPoll(target: SnmpTarget): boolean
  /** Parses the module's part; may run a follow-up walk. Throws ModuleFailure to fail alone. */
  parse(
    view: WalkView,
    context: ModuleContext,
    warn: (code: string, message: string) => void
  ): Promise<T>
}

/** Thrown by a module's parse to fail that module alone. */
export class ModuleFailure extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}
