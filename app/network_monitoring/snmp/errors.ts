/** RFC 3416 error-status names, indexed by their numeric value. */
export const ERROR_STATUS_NAMES = [
  'noError',
  'tooBig',
  'noSuchName',
  'badValue',
  'readOnly',
  'genErr',
  'noAccess',
  'wrongType',
  'wrongLength',
  'wrongEncoding',
  'wrongValue',
  'noCreation',
  'inconsistentValue',
  'resourceUnavailable',
  'commitFailed',
  'undoFailed',
  'authorizationError',
  'notWritable',
  'inconsistentName',
]

export type SnmpErrorCode =
  | 'E_SNMP_TIMEOUT'
  | 'E_SNMP_MALFORMED_RESPONSE'
  | 'E_SNMP_ERROR_STATUS'
  | 'E_SNMP_PROTOCOL'
  | 'E_SNMP_SEND'
  | 'E_SNMP_ABORTED'
  | 'E_SNMP_CLOSED'
  | 'E_SNMP_TOO_MUCH_DATA'
  | 'E_SNMP_ADDRESS'
  | SnmpV3ErrorCode

/** SNMPv3 (USM) failures: the agent's usmStats reports, or checks of its replies here. */
export type SnmpV3ErrorCode =
  | 'E_SNMP_V3_UNKNOWN_USER'
  | 'E_SNMP_V3_AUTH'
  | 'E_SNMP_V3_DECRYPT'
  | 'E_SNMP_V3_TIME_WINDOW'
  | 'E_SNMP_V3_UNKNOWN_ENGINE'
  | 'E_SNMP_V3_SECURITY_LEVEL'
  | 'E_SNMP_V3_CONFIG'

/** Base of every failure the client reports; `code` is stable, messages are for humans. */
export class SnmpError extends Error {
  readonly code: SnmpErrorCode
  readonly target: string

  constructor(code: SnmpErrorCode, target: string, message: string, options?: ErrorOptions) {
    super(`${message} (${target})`, options)
    this.name = 'SnmpError'
    this.code = code
    this.target = target
  }
}

/** No usable reply within timeout × (retries + 1); also what a wrong community looks like. */
export class SnmpTimeoutError extends SnmpError {
  constructor(target: string, attempts: number, timeoutMs: number) {
    super('E_SNMP_TIMEOUT', target, `no response after ${attempts} attempt(s) of ${timeoutMs} ms`)
    this.name = 'SnmpTimeoutError'
  }
}

/** The agent answered, but with bytes that are not a well-formed SNMP response. */
export class SnmpMalformedResponseError extends SnmpError {
  readonly reason: string

  constructor(target: string, reason: string) {
    super('E_SNMP_MALFORMED_RESPONSE', target, `malformed response: ${reason}`)
    this.name = 'SnmpMalformedResponseError'
    this.reason = reason
  }
}

/** A well-formed response carrying a non-zero error-status (tooBig, genErr, noSuchName…). */
export class SnmpErrorStatusError extends SnmpError {
  readonly status: number
  readonly statusName: string
  readonly index: number

  constructor(target: string, status: number, index: number) {
    const statusName = ERROR_STATUS_NAMES[status] ?? `error-${status}`
    super('E_SNMP_ERROR_STATUS', target, `agent returned ${statusName} at varbind ${index}`)
    this.name = 'SnmpErrorStatusError'
    this.status = status
    this.statusName = statusName
    this.index = index
  }
}

/** The agent broke walk semantics (OIDs not increasing, no progress) — stopped to avoid looping. */
export class SnmpProtocolError extends SnmpError {
  constructor(
    target: string,
    message: string,
    code: 'E_SNMP_PROTOCOL' | 'E_SNMP_TOO_MUCH_DATA' = 'E_SNMP_PROTOCOL'
  ) {
    super(code, target, message)
    this.name = 'SnmpProtocolError'
  }
}

/** The request never left: socket send failed, the address is unusable, or the client was closed/aborted. */
export class SnmpRequestError extends SnmpError {
  constructor(
    code: 'E_SNMP_SEND' | 'E_SNMP_ABORTED' | 'E_SNMP_CLOSED' | 'E_SNMP_ADDRESS',
    target: string,
    message: string
  ) {
    super(code, target, message)
    this.name = 'SnmpRequestError'
  }
}

/** Unknown user, wrong auth/priv key, time window, unknown engine, incomplete credentials (SNMPv3). */
export class SnmpV3Error extends SnmpError {
  declare readonly code: SnmpV3ErrorCode

  constructor(code: SnmpV3ErrorCode, target: string, message: string) {
    super(code, target, message)
    this.name = 'SnmpV3Error'
  }
}
