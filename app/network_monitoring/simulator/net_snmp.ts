import { createRequire } from 'node:module'

/*
 * net-snmp ships no type declarations; these are the parts of its documented
 * agent API (createAgent, Mib providers, Authorizer) the simulator uses.
 */

export interface MibRequest {
  /** Instance OID as numbers, e.g. [1,3,6,1,2,1,2,2,1,10,3]. */
  address: number[]
  instanceNode: { value: unknown }
  done(error?: { errorStatus: number }): void
}

export interface TableColumn {
  number: number
  name: string
  type: number
  maxAccess: number
}

export interface ProviderDefinition {
  name: string
  type: number
  oid: string
  maxAccess: number
  scalarType?: number
  tableColumns?: TableColumn[]
  tableIndex?: { columnName: string }[]
  tableAugments?: string
  handler?: (request: MibRequest) => void
}

export interface NetSnmpMib {
  registerProvider(definition: ProviderDefinition): void
  setScalarValue(name: string, value: unknown): void
  addTableRow(name: string, row: unknown[]): void
}

export interface NetSnmpAgent {
  getMib(): NetSnmpMib
  getAuthorizer(): { addCommunity(community: string): void; addUser(user: object): void }
  close(callback?: () => void): void
}

/** The subset of node:dgram the agent's listener calls; the simulator passes its own. */
export interface DgramLike {
  createSocket(type: string): unknown
}

export interface AgentOptions {
  port: number
  address: string
  transport?: 'udp4'
  disableAuthorization?: boolean
  dgramModule?: DgramLike
}

export interface NetSnmpModule {
  createAgent(options: AgentOptions, callback: (error: Error | null) => void): NetSnmpAgent
  ObjectType: Record<
    | 'Integer'
    | 'OctetString'
    | 'OID'
    | 'Counter'
    | 'Gauge'
    | 'TimeTicks'
    | 'Counter64'
    | 'IpAddress',
    number
  >
  MibProviderType: { Scalar: number; Table: number }
  MaxAccess: Record<'not-accessible' | 'read-only' | 'read-write', number>
}

const netSnmp = createRequire(import.meta.url)('net-snmp') as NetSnmpModule

export default netSnmp
