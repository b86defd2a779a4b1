import db from '@adonisjs/lucid/services/db'
import SnmpSimulator from '#network_monitoring/simulator/snmp_simulator'
import type Device from '#network_monitoring/models/device'
import PollJob from '#network_monitoring/jobs/poll_job'
import { ruleEngine } from '#network_monitoring/alerts/rules/rules_service'
import { refreshSecurityTargets } from '#network_monitoring/snmp/modules/threats'
import { createSite, devicesFor, freeBasePort } from '#tests/helpers/network'

/** Devices of the simulated county used end to end: core, a firewall, town 1 and its 10 villages. */
export const E2E_DEVICES = 46

/** Real time plus an offset tests move forward (the simulator and the job both read it). */
export function testClock() {
  const clock = {
    offset: 0,
    now: () => Date.now() + clock.offset,
    advance: (ms: number) => (clock.offset += ms),
  }
  return clock
}

export async function startE2eSimulator(now: () => number) {
  return SnmpSimulator.start({ devices: E2E_DEVICES, basePort: freeBasePort(), now })
}

/**
 * The inventory of the simulated county's first town: the core switch and a
 * firewall at the county, town-01-rtr under the core, its ten village
 * switches under it — sites and parents as the demo seeds them.
 */
export async function seedTownOne(simulator: SnmpSimulator) {
  const county = await createSite('county', '端到端县')
  const town = await createSite('town', '端到端镇', county)
  const villageSite = await createSite('village', '端到端村', town)
  const byName = (name: string) => simulator.endpoints.filter((e) => e.name === name)
  const [core] = await devicesFor(byName('xian-core-01'), county, {
    deviceType: 'core_switch',
    criticality: 'critical',
  })
  const [firewall] = await devicesFor(byName('xian-fw-01'), county, {
    deviceType: 'firewall',
    criticality: 'critical',
    parentDeviceId: core.id,
  })
  const [router] = await devicesFor(byName('town-01-rtr'), town, {
    deviceType: 'access_router',
    criticality: 'important',
    parentDeviceId: core.id,
  })
  const villages = await devicesFor(
    simulator.endpoints.filter(
      (e) => e.kind === 'village_switch' && simulator.device(e.id).spec.uplinkId === 4
    ),
    villageSite,
    { deviceType: 'access_switch', parentDeviceId: router.id }
  )
  await refreshSecurityTargets(true)
  return { core, firewall, router, villages, town, county }
}

/** A poll job on the test clock, quick to give up on dead devices. */
export function e2eJob(now: () => number) {
  return new PollJob({
    settings: { snmpTimeoutMs: 1000, snmpRetries: 1, snmpConcurrency: 16 },
    now,
    lock: { run: (work) => work() },
    journal: null,
  })
}

/** Polls every device once (forced), as the cron tick would when they are due. */
export async function pollAll(job: PollJob) {
  const report = await job.tick({ force: true })
  if (report.skipped) throw new Error('tick skipped')
  return report
}

/** The rule engine forgets the state of a rolled-back database. */
export function resetRules() {
  ruleEngine().reset()
}

export async function alertsOf(devices: Device[]) {
  return db
    .from('alerts')
    .whereIn(
      'device_id',
      devices.map((device) => device.id)
    )
    .orderBy('id')
}
