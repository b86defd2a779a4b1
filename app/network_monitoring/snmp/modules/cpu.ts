import { ModuleFailure, type PollModule } from '#network_monitoring/snmp/poll_module'
import { enumOf, isBad } from '#network_monitoring/snmp/modules/values'

export const CPU_OIDS = {
  hrProcessorLoad: '1.3.6.1.2.1.25.3.3.1.2',
} as const

/** HOST-RESOURCES-MIB hrProcessorLoad per processor (absent on most switches: no rows, no error). */
export const cpuModule: PollModule<number[]> = {
  name: 'cpu',
  scalars: [],
  columns: [CPU_OIDS.hrProcessorLoad],
  shouldPoll: () => true,
  async parse(view, _context, warn) {
    const error = view.errorOf(this.columns)
    if (error) throw new ModuleFailure(error.code, error.message)
    const loads: number[] = []
    const column = view.column(CPU_OIDS.hrProcessorLoad)
    let bad = 0
    for (let k = 0; column && k < column.length; k++) {
      const load = enumOf(column.types[k], column.values[k], 0, 100)
      if (load !== null) loads.push(load)
      else if (isBad(column.types[k], load)) bad++
    }
    if (bad > 0) warn('E_SNMP_BAD_VALUE', `${bad} processor load(s) outside 0–100 dropped`)
    return loads
  },
}
