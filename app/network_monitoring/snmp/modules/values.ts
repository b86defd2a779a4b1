import { SnmpType, type SnmpValue } from '#network_monitoring/snmp/ber'

/*
 * Range checks of decoded values before anything stores them: an agent
 * returning ifOperStatus 300 or a 22-digit Counter64 gets null for that
 * cell (counted as dropped data), never a value the database refuses.
 */

export const UINT32_MAX = 4294967295
export const UINT64_MAX = 2n ** 64n - 1n
export const INT32_MAX = 2147483647

/** A small INTEGER enum (ifOperStatus 1–7…), or null. */
export function enumOf(type: number, value: SnmpValue, min: number, max: number): number | null {
  if (type !== SnmpType.Integer || typeof value !== 'number') return null
  return Number.isInteger(value) && value >= min && value <= max ? value : null
}

/** A Gauge32/Counter32/TimeTicks (or non-negative INTEGER) within 32 bits, or null. */
export function uint32Of(type: number, value: SnmpValue): number | null {
  if (
    type !== SnmpType.Gauge32 &&
    type !== SnmpType.Counter32 &&
    type !== SnmpType.TimeTicks &&
    type !== SnmpType.Integer
  ) {
    return null
  }
  if (typeof value !== 'number') return null
  return Number.isInteger(value) && value >= 0 && value <= UINT32_MAX ? value : null
}

/** A Counter64 (or 32-bit counter) within 64 bits, or null. */
export function counter64Of(type: number, value: SnmpValue): bigint | null {
  if (type === SnmpType.Counter64 && typeof value === 'bigint') {
    return value >= 0n && value <= UINT64_MAX ? value : null
  }
  const small = uint32Of(type, value)
  return small === null ? null : BigInt(small)
}

/** Text of an OCTET STRING (NULs removed: they end C strings and some drivers' texts). */
export function textOf(type: number, value: SnmpValue): string | null {
  if (type !== SnmpType.OctetString || typeof value !== 'string') return null
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value
}

/** Whether a cell held something other than an SNMP exception yet failed its range check. */
export function isBad(type: number, checked: unknown) {
  return checked === null && type < SnmpType.NoSuchObject && type !== SnmpType.Null
}
