/**
 * The built-in SNMP simulator (preloaded for the `web` environment only):
 * serves the whole simulated county on 127.0.0.1:SIMULATOR_PORT+n so that
 * `npm start` shows live monitoring at once. On by default outside
 * production; SNMP_SIMULATOR=false turns it off. Faults are injected by
 * editing SIMULATOR_FAULT_FILE (see README "Monitoring").
 */
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import { monitoringSettings } from '#network_monitoring/services/monitoring_settings'

const settings = monitoringSettings()

if (settings.simulator) {
  const { default: SnmpSimulator, DEMO_THREAT_SPEEDUP } =
    await import('#network_monitoring/simulator/snmp_simulator')
  const { DEMO_V3_USERS } = await import('#network_monitoring/simulator/demo_v3')
  try {
    // the demo seed registers DEMO_V3_DEVICE as an SNMPv3 authPriv device
    const simulator = await SnmpSimulator.start({
      basePort: settings.simulatorPort,
      v3Users: DEMO_V3_USERS,
      threatSpeedup: DEMO_THREAT_SPEEDUP,
    })
    const endpoints = simulator.endpoints
    logger.info(
      `SNMP simulator: ${endpoints.length} devices on 127.0.0.1:${endpoints[0]?.port}-${endpoints.at(-1)?.port} (fault file ${settings.simulatorFaultFile})`
    )
    await simulator.watchFaultFile(settings.simulatorFaultFile, (error) =>
      logger.warn({ err: { message: error.message } }, 'simulator fault file is not valid JSON')
    )
    app.terminating(() => simulator.stop())
  } catch (error) {
    logger.error(
      { err: { message: (error as Error).message } },
      `SNMP simulator could not start on port ${settings.simulatorPort} (set SIMULATOR_PORT or SNMP_SIMULATOR=false)`
    )
  }
}
