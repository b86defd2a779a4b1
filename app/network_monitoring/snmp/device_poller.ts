import { SnmpError } from '#network_monitoring/snmp/client'
import type SnmpClient from '#network_monitoring/snmp/client'
import type { SnmpTarget } from '#network_monitoring/snmp/client'
import {
  ModuleFailure,
  WalkView,
  type ModuleContext,
  type ModuleError,
  type PollModule,
} from '#network_monitoring/snmp/poll_module'
import { systemModule, SYSTEM_OIDS, type SystemInfo } from '#network_monitoring/snmp/modules/system'
import {
  interfacesModule,
  INTERFACE_OIDS,
  type InterfaceSample,
} from '#network_monitoring/snmp/modules/interfaces'
import { cpuModule, CPU_OIDS } from '#network_monitoring/snmp/modules/cpu'
import { threatsModule } from '#network_monitoring/snmp/modules/threats'

export type { SystemInfo } from '#network_monitoring/snmp/modules/system'
export type { InterfaceSample } from '#network_monitoring/snmp/modules/interfaces'
export type { ModuleError } from '#network_monitoring/snmp/poll_module'

/** OIDs the poller reads, named as in SNMPv2-MIB, IF-MIB and HOST-RESOURCES-MIB. */
export const OIDS = { ...SYSTEM_OIDS, ...INTERFACE_OIDS, ...CPU_OIDS } as const

/** The poller modules, in stream order. Add a module here to poll more (one walk for all). */
export const MODULES = [systemModule, interfacesModule, cpuModule, threatsModule] as const

export interface PollError {
  code: string
  message: string
}

export interface PollResult {
  /** The device answered (it is up), whatever its modules did. */
  ok: boolean
  /** Wall-clock time the poll started (epoch ms); rates are computed between these. */
  takenAtMs: number
  durationMs: number
  requests: number
  /** Replies received. */
  responses: number
  /** Why the device did not answer at all (ok false). */
  error?: PollError
  /** Modules that failed on their own, and data dropped by range checks. */
  moduleErrors: ModuleError[]
  /** Each polled module's fate; a failed module's data below is empty (keep what is stored). */
  modules: Record<string, 'ok' | 'failed'>
  /** null when the system module failed (or the device did not answer). */
  system: SystemInfo | null
  interfaces: InterfaceSample[]
  cpuLoads: number[]
  /** Threat counters (counter OID → value) of a security device; absent when not polled. */
  threats?: Record<string, number>
}

export interface DevicePollOptions {
  signal?: AbortSignal
  /**
   * Rows seen on the previous poll; sizes max-repetitions so the whole table
   * fits the first GETBULK without over-fetching.
   */
  expectedInterfaces?: number
  /** Called on every reply (the scheduler's deadline counts progress, not elapsed time). */
  onResponse?: () => void
}

export interface DevicePollerOptions {
  maxRepetitions?: number
  /** Upper bound when sizing max-repetitions from expectedInterfaces. */
  maxRepetitionsCap?: number
  /** Bytes of replies kept per device poll (default 8 MiB). */
  maxBytesPerDevice?: number
  modules?: readonly PollModule<unknown>[]
  /** Wall clock for takenAtMs (the job's injectable clock). */
  now?: () => number
}

/**
 * Polls one device: every module's scalars and columns in a single
 * GETBULK stream (plus follow-ups a module asks for, like the 32-bit
 * counters of devices lacking 64-bit ones). A device that answered at all
 * is `ok` — reachability and data are different things; a module whose part
 * failed (genErr on its column, tooBig, a timeout half-way) is listed in
 * `moduleErrors` and its data is null. Never throws.
 */
export default class DevicePoller {
  readonly #client: SnmpClient
  readonly #maxRepetitions: number
  readonly #maxRepetitionsCap: number
  readonly #maxBytes: number
  readonly #modules: readonly PollModule<unknown>[]
  readonly #now: () => number

  constructor(client: SnmpClient, options: DevicePollerOptions = {}) {
    this.#client = client
    this.#maxRepetitions = options.maxRepetitions ?? client.options.maxRepetitions
    this.#maxRepetitionsCap = options.maxRepetitionsCap ?? 64
    this.#maxBytes = options.maxBytesPerDevice ?? 8 * 1024 * 1024
    this.#modules = options.modules ?? MODULES
    this.#now = options.now ?? Date.now
  }

  async poll(target: SnmpTarget, options: DevicePollOptions = {}): Promise<PollResult> {
    const takenAtMs = this.#now()
    const started = performance.now()
    let requests = 0
    const maxRepetitions =
      options.expectedInterfaces && options.expectedInterfaces > 0
        ? Math.min(options.expectedInterfaces + 1, this.#maxRepetitionsCap)
        : this.#maxRepetitions
    const modules = this.#modules.filter((module) => module.shouldPoll(target))
    const scalars = modules.flatMap((module) => module.scalars)
    const columns = modules.flatMap((module) => module.columns)

    try {
      const walk = await this.#client.walkTables(target, columns, {
        scalars,
        maxRepetitions,
        signal: options.signal,
        partial: true,
        maxBytes: this.#maxBytes,
        onResponse: options.onResponse,
      })
      requests += walk.requests
      const view = new WalkView(walk, scalars)
      const context: ModuleContext = {
        client: this.#client,
        target,
        maxRepetitions,
        signal: options.signal,
        onResponse: options.onResponse,
        addRequests: (count) => (requests += count),
      }
      const moduleErrors: ModuleError[] = []
      const data = new Map<string, unknown>()
      const fates: Record<string, 'ok' | 'failed'> = {}
      for (const module of modules) {
        const warn = (code: string, message: string) =>
          moduleErrors.push({ module: module.name, code, message })
        try {
          data.set(module.name, await module.parse(view, context, warn))
          fates[module.name] = 'ok'
        } catch (error) {
          fates[module.name] = 'failed'
          moduleErrors.push({ module: module.name, ...describeFailure(error) })
        }
      }
      return {
        ok: true,
        takenAtMs,
        durationMs: performance.now() - started,
        requests,
        responses: walk.responses,
        moduleErrors,
        modules: fates,
        system: (data.get('system') as SystemInfo | undefined) ?? null,
        interfaces: (data.get('interfaces') as InterfaceSample[] | undefined) ?? [],
        cpuLoads: (data.get('cpu') as number[] | undefined) ?? [],
        threats: data.get('threats') as Record<string, number> | undefined,
      }
    } catch (error) {
      return {
        ok: false,
        takenAtMs,
        durationMs: performance.now() - started,
        requests,
        responses: 0,
        error: describeFailure(error),
        moduleErrors: [],
        modules: {},
        system: null,
        interfaces: [],
        cpuLoads: [],
      }
    }
  }
}

function describeFailure(error: unknown): PollError {
  if (error instanceof SnmpError || error instanceof ModuleFailure) {
    return { code: error.code, message: error.message }
  }
  return { code: 'E_POLL_FAILED', message: (error as Error)?.message ?? String(error) }
}
