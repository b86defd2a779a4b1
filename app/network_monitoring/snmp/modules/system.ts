import { SnmpType } from '#network_monitoring/snmp/ber'
import { ModuleFailure, type PollModule } from '#network_monitoring/snmp/poll_module'
import { textOf, uint32Of } from '#network_monitoring/snmp/modules/values'

export const SYSTEM_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1',
  sysObjectID: '1.3.6.1.2.1.1.2',
  sysUpTime: '1.3.6.1.2.1.1.3',
  sysName: '1.3.6.1.2.1.1.5',
} as const

export interface SystemInfo {
  sysDescr: string | null
  sysObjectId: string | null
  /** Hundredths of a second since the agent (re)started. */
  sysUpTimeTicks: number | null
  sysName: string | null
}

/** SNMPv2-MIB system group, as non-repeaters of the first GETBULK. */
export const systemModule: PollModule<SystemInfo> = {
  name: 'system',
  scalars: [
    SYSTEM_OIDS.sysDescr,
    SYSTEM_OIDS.sysObjectID,
    SYSTEM_OIDS.sysUpTime,
    SYSTEM_OIDS.sysName,
  ],
  columns: [],
  shouldPoll: () => true,
  async parse(view, _context, warn) {
    const error = view.errorOf(this.scalars)
    if (error) throw new ModuleFailure(error.code, error.message)
    const descr = view.scalar(SYSTEM_OIDS.sysDescr)
    const objectId = view.scalar(SYSTEM_OIDS.sysObjectID)
    const upTime = view.scalar(SYSTEM_OIDS.sysUpTime)
    const name = view.scalar(SYSTEM_OIDS.sysName)
    const ticks =
      upTime && upTime.type === SnmpType.TimeTicks ? uint32Of(upTime.type, upTime.value) : null
    if (upTime && ticks === null) warn('E_SNMP_BAD_VALUE', `sysUpTime is not TimeTicks`)
    return {
      sysDescr: descr ? textOf(descr.type, descr.value) : null,
      sysObjectId:
        objectId && objectId.type === SnmpType.ObjectIdentifier ? String(objectId.value) : null,
      sysUpTimeTicks: ticks,
      sysName: name ? textOf(name.type, name.value) : null,
    }
  },
}
