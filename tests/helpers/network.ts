import Site, { type SiteLevel } from '#network_monitoring/models/site'
import Device from '#network_monitoring/models/device'
import { sealSecret } from '#network_monitoring/services/credentials'

let sequence = 0

export async function createSite(level: SiteLevel, name?: string, parent?: Site | null) {
  sequence++
  return Site.create({
    name: name ?? `站点${sequence}`,
    level,
    parentId: parent?.id ?? null,
    sortOrder: sequence,
  })
}

/** A county with one town and one village under it. */
export async function createSiteTree(prefix = '') {
  const county = await createSite('county', `${prefix}测试县`)
  const town = await createSite('town', `${prefix}城关镇`, county)
  const village = await createSite('village', `${prefix}东风村`, town)
  return { county, town, village }
}

/** A device with a sealed community (default: v2c, enabled, 60 s). */
export async function createDevice(
  site: Site,
  overrides: Partial<Omit<Device, 'communityEncrypted'>> & { community?: string } = {}
) {
  sequence++
  const { community, ...fields } = overrides
  return Device.create({
    name: `dev-${sequence}-${Date.now() % 100000}`,
    managementIp: `10.9.${Math.floor(sequence / 250)}.${(sequence % 250) + 1}`,
    snmpPort: 161,
    snmpVersion: 'v2c',
    communityEncrypted: sealSecret(community ?? 'public'),
    deviceType: 'access_switch',
    siteId: site.id,
    criticality: 'normal',
    pollIntervalSeconds: 60,
    isEnabled: true,
    ...fields,
  })
}

/** Form fields of a valid device at a site. */
export function deviceForm(siteId: number, overrides: Record<string, unknown> = {}) {
  return {
    name: 'town-01-rtr',
    managementIp: '10.20.1.1',
    snmpPort: '161',
    snmpVersion: 'v2c',
    community: 'S3cret-Comm',
    deviceType: 'access_router',
    siteId: String(siteId),
    criticality: 'important',
    pollIntervalSeconds: '60',
    isEnabled: '1',
    ...overrides,
  }
}

/** A base UDP port for an in-process simulator, away from the default 16100 of `npm start`. */
export function freeBasePort() {
  return 20000 + Math.floor(Math.random() * 400) * 50
}

/** Inventory rows for the simulator's endpoints (one per simulated device), at one site. */
export async function devicesFor(
  endpoints: Array<{ name: string; host: string; port: number; community: string }>,
  site: Site,
  overrides: Partial<Omit<Device, 'communityEncrypted'>> = {}
) {
  const devices: Device[] = []
  for (const endpoint of endpoints) {
    devices.push(
      await createDevice(site, {
        name: endpoint.name,
        managementIp: endpoint.host,
        snmpPort: endpoint.port,
        community: endpoint.community,
        ...overrides,
      })
    )
  }
  return devices
}

/** A logger that remembers what the job said. */
export function recordingLogger() {
  const lines: Array<{ level: 'info' | 'warn' | 'error'; message: string; data: object }> = []
  const at = (level: 'info' | 'warn' | 'error') => (data: object, message: string) =>
    lines.push({ level, message, data })
  return { lines, info: at('info'), warn: at('warn'), error: at('error') }
}
