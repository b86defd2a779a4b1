import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { DeviceFaults } from '#network_monitoring/simulator/simulated_device'

/**
 * Serves the county extranet (core, firewalls, IPS, town routers, village
 * switches) as SNMP v2c agents on loopback — device N on port `--port` + N —
 * until stopped, with faults settable per device from a watched JSON file.
 */
export default class SnmpSimulate extends BaseCommand {
  static commandName = 'snmp:simulate'
  static description =
    'Simulate the county extranet devices as SNMP agents (127.0.0.1, one UDP port per device)'
  static help = [
    'Device N (0 = xian-core-01, 1-2 firewalls, 3 IPS, 4-35 town routers, then villages) answers',
    'on 127.0.0.1:<port + N> with community "public".',
    '',
    'Faults: edit the JSON file given by --faults-file (re-read within a second), keyed by',
    'device id or sysName:',
    '  { "12": { "down": true }, "town-03-rtr": { "delayMs": 2000 },',
    '    "cun-007-sw": { "garbage": "junk" }, "40": { "reboot": true },',
    '    "41": { "flap": { "ifIndex": 2, "downForMs": 30000 } }, "42": { "nearWrapSeconds": 60 } }',
    'or at start: --fault 12=down --fault town-03-rtr=delay:2000 --fault 7=garbage:truncated',
  ]
  static options: CommandOptions = { startApp: false, staysAlive: true }

  @flags.number({ description: 'Devices to serve (default: the whole county, 347)' })
  declare devices?: number

  @flags.number({ description: 'UDP port of device 0; device N uses port + N', default: 16100 })
  declare port: number

  @flags.string({ description: 'Loopback address to bind', default: '127.0.0.1' })
  declare host: string

  @flags.string({ description: 'SNMP v2c community', default: 'public' })
  declare community: string

  @flags.string({
    description: 'JSON file of faults, watched for changes',
    default: 'tmp/snmp_sim_faults.json',
  })
  declare faultsFile: string

  @flags.array({
    description: 'Fault applied at start: <id|sysName>=down|delay:<ms>|garbage[:truncated]',
  })
  declare fault?: string[]

  async run() {
    if (!this.host.startsWith('127.')) {
      this.logger.error('the simulator only binds loopback addresses (127.0.0.0/8)')
      this.exitCode = 1
      return
    }
    const { default: SnmpSimulator, DEMO_THREAT_SPEEDUP } =
      await import('#network_monitoring/simulator/snmp_simulator')
    const { DEMO_V3_USERS } = await import('#network_monitoring/simulator/demo_v3')
    const simulator = await SnmpSimulator.start({
      devices: this.devices,
      basePort: this.port,
      host: this.host,
      community: this.community,
      v3Users: DEMO_V3_USERS,
      threatSpeedup: DEMO_THREAT_SPEEDUP,
    })
    this.app.terminating(() => simulator.stop())
    process.once('SIGINT', () => this.app.terminate())

    for (const spec of this.fault ?? []) {
      const [device, fault] = spec.split('=')
      simulator.setFaults(/^\d+$/.test(device) ? Number(device) : device, parseFault(fault ?? ''))
    }
    await simulator.watchFaultFile(this.app.makePath(this.faultsFile), (error) =>
      this.logger.warning(`fault file ignored: ${error.message}`)
    )

    const endpoints = simulator.endpoints
    const kinds = new Map<string, number>()
    for (const endpoint of endpoints) kinds.set(endpoint.kind, (kinds.get(endpoint.kind) ?? 0) + 1)
    const table = this.ui.table()
    table.head(['kind', 'devices', 'first', 'ports'])
    for (const [kind, count] of kinds) {
      const ofKind = endpoints.filter((endpoint) => endpoint.kind === kind)
      table.row([
        kind,
        String(count),
        ofKind[0].name,
        `${ofKind[0].port}–${ofKind[ofKind.length - 1].port}`,
      ])
    }
    table.render()
    this.logger.success(
      `${endpoints.length} devices on ${this.host}:${this.port}–${this.port + endpoints.length - 1} ` +
        `(community "${this.community}"); faults file ${this.faultsFile}; Ctrl+C to stop`
    )
  }
}

/** "down" | "delay:2000" | "garbage" | "garbage:truncated" → faults. */
function parseFault(text: string): DeviceFaults {
  const [kind, argument] = text.split(':')
  if (kind === 'down') return { down: true }
  if (kind === 'delay') return { delayMs: Number(argument ?? 1000) }
  if (kind === 'garbage') return { garbage: argument === 'truncated' ? 'truncated' : 'junk' }
  throw new Error(`unknown fault "${text}" (down, delay:<ms>, garbage[:truncated])`)
}
