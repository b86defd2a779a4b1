import {
  encodedOid,
  encodeOidAfter,
  PDU_GET_BULK,
  PDU_GET_NEXT,
  SnmpType,
  type SnmpResponse,
  type SnmpValue,
  type SnmpVarbind,
} from '#network_monitoring/snmp/ber'
import { SnmpError, SnmpErrorStatusError, SnmpProtocolError } from '#network_monitoring/snmp/errors'

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

export interface WalkOptions {
  maxRepetitions?: number
  signal?: AbortSignal
  /** Stop with a protocol error past this many rows per column (runaway agents). */
  maxRows?: number
  /** Stop past this many bytes of replies kept for one walk (default 8 MiB): bounds memory per device. */
  maxBytes?: number
}

export interface TableWalkOptions extends WalkOptions {
  /** Scalars fetched with GETNEXT semantics in the first request (GETBULK non-repeaters). */
  scalars?: string[]
  /**
   * Keep what arrived when the device stops answering (timeout, abort, too
   * much data) after at least one reply: the columns left unfinished get an
   * entry in `errors` instead of the whole walk throwing.
   */
  partial?: boolean
  /** Called after each reply (a poll deadline counts progress with it). */
  onResponse?: () => void
}

export interface TableWalkResult {
  /** Varbinds answering `scalars`, in order (null when the agent returned nothing usable). */
  scalars: (SnmpVarbind | null)[]
  /** One column per requested column OID, rows in the order the agent returned them. */
  columns: Map<string, TableColumn>
  /** Columns and scalars (by requested OID) that failed on their own; the rest of the walk went on. */
  errors: Map<string, SnmpError>
  requests: number
  /** Replies received. */
  responses: number
}

/** Sends one request of a walk (the transport retransmits and matches the reply). */
export type WalkRequest = (
  pduType: number,
  oids: Buffer[],
  nonRepeaters: number,
  maxRepetitions: number
) => Promise<SnmpResponse>

interface ColumnState {
  column: TableColumn
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

const ERR_TOO_BIG = 1
const ERR_NO_SUCH_NAME = 2

/**
 * Walks several columns in one request stream: each GETBULK carries one
 * repeater per unfinished column, so a device's ifTable + ifXTable comes
 * back in a few round trips.
 *
 * Varbinds are matched to columns by OID, not by position: a reply missing
 * a varbind or with two swapped loses nothing (the misplaced ones go to
 * their column; a column without news is asked again). An error-status
 * fails only the column it names (located with one GETNEXT step when a
 * bulk reply's index is ambiguous); tooBig halves max-repetitions, then
 * splits the varbind list. Copes with agents that truncate bulk replies at
 * any varbind count, and with v1 agents (GETNEXT, noSuchName at the end).
 */
export async function walkTables(
  request: WalkRequest,
  name: string,
  version: '1' | '2c' | undefined,
  columnOids: string[],
  defaultMaxRepetitions: number,
  options: TableWalkOptions = {}
): Promise<TableWalkResult> {
  let useNext = version === '1'
  /** One GETNEXT step to locate an error a bulk reply reported ambiguously. */
  let nextOnce = false
  const maxRows = options.maxRows ?? 100_000
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024
  let maxRepetitions = Math.max(1, options.maxRepetitions ?? defaultMaxRepetitions)
  let columnsPerRequest = Number.POSITIVE_INFINITY
  /** tooBig with one column and the scalars: ask for the scalars on their own first. */
  let scalarsAlone = false
  const scalarOids = options.scalars ?? []
  let scalars = scalarOids.map((oid) => encodedOid(oid).encoded)
  let scalarSlots = scalars.map((_, i) => i)
  const scalarResults: (SnmpVarbind | null)[] = scalars.map(() => null)
  const errors = new Map<string, SnmpError>()
  const columns: ColumnState[] = columnOids.map((key) => {
    const { encoded } = encodedOid(key)
    return {
      column: new TableColumn(key),
      encodedBase: encoded,
      next: encoded,
      lastSuffix: [],
      done: false,
    }
  })
  const suffix: number[] = []
  let requests = 0
  let responses = 0
  let bytes = 0
  let first = true

  const failColumn = (state: ColumnState, error: SnmpError) => {
    state.done = true
    errors.set(state.column.oid, error)
  }
  const failScalar = (at: number, error: SnmpError | null) => {
    if (error) errors.set(scalarOids[scalarSlots[at]], error)
    scalars = scalars.filter((_, i) => i !== at)
    scalarSlots = scalarSlots.filter((_, i) => i !== at)
  }
  const failRest = (error: SnmpError) => {
    for (const state of columns) if (!state.done) failColumn(state, error)
    if (first) for (let at = scalars.length - 1; at >= 0; at--) failScalar(at, error)
    first = false
  }

  while (true) {
    const nonRepeaters = first ? scalars.length : 0
    const active =
      first && scalarsAlone && nonRepeaters > 0
        ? []
        : columns.filter((state) => !state.done).slice(0, columnsPerRequest)
    if (active.length === 0 && nonRepeaters === 0) break
    const varbinds = first ? [...scalars] : []
    for (const state of active) varbinds.push(state.next)

    const stepNext = useNext || nextOnce
    nextOnce = false
    requests++
    let response: SnmpResponse
    try {
      response = stepNext
        ? await request(PDU_GET_NEXT, varbinds, 0, 0)
        : await request(PDU_GET_BULK, varbinds, nonRepeaters, maxRepetitions)
    } catch (error) {
      const keep =
        options.partial &&
        responses > 0 &&
        error instanceof SnmpError &&
        error.code !== 'E_SNMP_CLOSED'
      if (!keep) throw error
      failRest(error)
      break
    }
    responses++
    options.onResponse?.()

    if (response.errorStatus !== 0) {
      const status = response.errorStatus
      const at = response.errorIndex - 1
      const total = nonRepeaters + active.length
      const statusError = new SnmpErrorStatusError(name, status, response.errorIndex)
      if (status === ERR_TOO_BIG && !stepNext && maxRepetitions > 1) {
        maxRepetitions = Math.ceil(maxRepetitions / 2)
        continue
      }
      if (status === ERR_TOO_BIG) {
        // Even one repetition is too big: ask for fewer varbinds at a time.
        if (active.length > 1) {
          columnsPerRequest = Math.max(1, Math.floor(active.length / 2))
        } else if (nonRepeaters > 0 && !scalarsAlone) {
          scalarsAlone = true
        } else if (nonRepeaters > 0) {
          for (let k = scalars.length - 1; k >= 0; k--) failScalar(k, statusError)
          first = false
        } else {
          failColumn(active[0], statusError)
        }
        continue
      }
      if (!stepNext) {
        // A bulk reply's error-index is ambiguous once repetitions sweep past
        // the failing object: redo this step with GETNEXT, where it is exact.
        // noSuchName means the agent cannot do bulk past such objects at all.
        if (status === ERR_NO_SUCH_NAME) useNext = true
        else nextOnce = true
        continue
      }
      if (at < 0 || at >= total) {
        // No usable error-index: fail what this request asked for.
        if (total === 1 && nonRepeaters === 1) failScalar(0, statusError)
        else if (total === 1) failColumn(active[0], statusError)
        else failRest(statusError)
        continue
      }
      // v1 signals the end of the MIB with noSuchName on the varbind that ran
      // off it; some v2c agents (snmpsim, older firmware) do the same for
      // objects they lack. Both are "no more rows", not failures.
      const endOfView = status === ERR_NO_SUCH_NAME
      if (at < nonRepeaters) failScalar(at, endOfView ? null : statusError)
      else if (endOfView) active[at - nonRepeaters].done = true
      else failColumn(active[at - nonRepeaters], statusError)
      continue
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
    let misplaced = false
    const ended: ColumnState[] = []
    const repeaters = active.length
    for (let i = nonRepeaters; i < received && repeaters > 0; i++) {
      const slot = (i - nonRepeaters) % repeaters
      const expected = active[slot]
      if (expected.done) continue
      if (response.type(i) >= SnmpType.NoSuchObject) {
        ended.push(expected)
        continue
      }
      let state: ColumnState | undefined = expected
      let length = response.suffixUnder(i, expected.encodedBase, suffix)
      if (length < 0) {
        state = undefined
        for (let c = 0; c < repeaters && !state; c++) {
          const other = active[c]
          if (other === expected || other.done) continue
          const otherLength = response.suffixUnder(i, other.encodedBase, suffix)
          if (otherLength < 0) continue
          // Past the end of `expected` into `other`'s rows (they come back in
          // other's own slot too) — or a varbind of `other` in the wrong place.
          const otherSlot = i - slot + c
          const runoff =
            compareSuffix(suffix, otherLength, other.lastSuffix) <= 0 ||
            (otherSlot < received && response.sameName(i, otherSlot))
          if (!runoff) {
            state = other
            length = otherLength
            misplaced = true
          }
        }
        if (!state) {
          ended.push(expected)
          continue
        }
      }
      if (compareSuffix(suffix, length, state.lastSuffix) <= 0) {
        // Not after the column's last row: a reply out of step (another column's
        // runoff in this slot) or an agent going backwards. Skip it and trust no
        // column end in this reply; an agent that never moves on fails below
        // with "no usable varbinds" (and maxRows / maxBytes bound the rest).
        misplaced = true
        continue
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
        const error = new SnmpProtocolError(
          name,
          `more than ${maxRows} rows in ${state.column.oid}`,
          'E_SNMP_TOO_MUCH_DATA'
        )
        if (!options.partial) throw error
        failColumn(state, error)
      }
    }
    // A misaligned reply says nothing reliable about where columns end: ask again.
    if (!misplaced) {
      for (const state of ended) {
        if (!state.done) progressed = true
        state.done = true
      }
    }
    if (progressed) {
      bytes += response.message.length
      if (bytes > maxBytes) {
        const error = new SnmpProtocolError(
          name,
          `more than ${maxBytes} bytes of replies`,
          'E_SNMP_TOO_MUCH_DATA'
        )
        if (!options.partial) throw error
        failRest(error)
        break
      }
    }
    if (!progressed && repeaters > 0) {
      if (received <= nonRepeaters && nonRepeaters > 0) continue // scalars only: fine, go on
      if (misplaced && !stepNext) {
        // bulk replies out of step where columns end: this step again with GETNEXT
        nextOnce = true
        continue
      }
      const error = new SnmpProtocolError(name, 'agent returned no usable varbinds for the walk')
      if (!options.partial) throw error
      failRest(error)
      break
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
    errors,
    requests,
    responses,
  }
}
