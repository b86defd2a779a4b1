import db from '@adonisjs/lucid/services/db'
import Unit from '#identity/models/unit'
import Site from '#network_monitoring/models/site'
import Device, { type Criticality, type DeviceType } from '#network_monitoring/models/device'
import { sealSecret } from '#network_monitoring/services/credentials'
import {
  buildCountyTopology,
  townOfVillage,
  type DeviceKind,
} from '#network_monitoring/simulator/topology'
import audit from '#core/audit/audit_service'
import { DEMO_V3_DEVICE, DEMO_V3_USER } from '#network_monitoring/simulator/demo_v3'

/** The county seat (县级节点) and the 32 towns (乡镇) of the seeds' county. */
export const COUNTY_SITE = '县城'
export const TOWNS = [
  '城关镇',
  '东关镇',
  '西关镇',
  '南湖镇',
  '北山镇',
  '青石镇',
  '白马镇',
  '黄土镇',
  '柳树镇',
  '杨庄镇',
  '李集镇',
  '王寨镇',
  '张桥乡',
  '刘庄乡',
  '陈店乡',
  '赵河乡',
  '孙岗乡',
  '吴村乡',
  '郑湾乡',
  '马坊乡',
  '石桥乡',
  '高庙乡',
  '新集乡',
  '双河乡',
  '三里乡',
  '五星乡',
  '七里乡',
  '八里乡',
  '长岭乡',
  '太平乡',
  '永安乡',
  '金山乡',
]
const VILLAGE_STEMS = [
  '东风',
  '红旗',
  '和平',
  '胜利',
  '前进',
  '光明',
  '新华',
  '团结',
  '建设',
  '幸福',
  '友谊',
  '民主',
  '向阳',
  '永丰',
  '丰收',
  '长青',
  '兴隆',
  '福星',
  '金星',
  '桃园',
  '杏花',
  '梨园',
  '枣林',
  '柳营',
  '杨湾',
  '李庄',
  '王庄',
  '张庄',
  '刘湾',
  '陈楼',
  '赵岗',
  '孙寨',
  '周集',
  '吴岭',
  '郑桥',
  '冯营',
  '河口',
  '山前',
  '石门',
  '新庄',
  '大河',
  '小河',
  '南坡',
  '北岭',
  '双井',
  '三合',
  '四方',
  '五里',
  '六合',
  '八一',
]

const TYPE_OF: Record<DeviceKind, DeviceType> = {
  core_switch: 'core_switch',
  firewall: 'firewall',
  ips: 'ips_ids',
  av_gateway: 'av_gateway',
  town_router: 'access_router',
  village_switch: 'access_switch',
}
const CRITICALITY_OF: Record<DeviceKind, Criticality> = {
  core_switch: 'critical',
  firewall: 'critical',
  ips: 'critical',
  av_gateway: 'important',
  town_router: 'important',
  village_switch: 'normal',
}

export { townOfVillage }

/** The name of the n-th village (1-based) of a town: unique within the town. */
function villageName(town: number, nth: number) {
  return `${VILLAGE_STEMS[(town * 7 + nth * 3) % VILLAGE_STEMS.length]}村`
}

export interface NetworkSeedOptions {
  /** First UDP port of the simulator (device n answers on basePort + n). */
  basePort: number
  host?: string
  community?: string
}

/**
 * The county extranet of the simulator (SnmpSimulator, buildCountyTopology):
 * 县城 → 32 乡镇 → 310 村 as sites, and one device per simulated agent,
 * addressed host:basePort+n with community "public" (DEMO_V3_DEVICE: SNMPv3
 * authPriv, see simulator/demo_v3.ts), each under its uplink
 * (villages → their town router → the core switch). Creates what is
 * missing; never changes what exists.
 */
export async function seedNetwork(log: (line: string) => void, options: NetworkSeedOptions) {
  const host = options.host ?? '127.0.0.1'
  const community = sealSecret(options.community ?? 'public')
  const topology = buildCountyTopology()
  return db.transaction(async (trx) => {
    const bureau = await Unit.query({ client: trx }).where('code', 'SJJ').first()

    const findOrCreateSite = async (
      name: string,
      level: Site['level'],
      parentId: number | null,
      sortOrder: number
    ) => {
      const query = Site.query({ client: trx }).where('name', name).where('level', level)
      if (parentId === null) query.whereNull('parent_id')
      else query.where('parent_id', parentId)
      return (
        (await query.first()) ??
        (await Site.create({ name, level, parentId, sortOrder }, { client: trx }))
      )
    }

    const countSites = async () => {
      const [row] = await trx.from('network_sites').count('* as n')
      return Number(row.n)
    }
    const sitesBefore = await countSites()
    const county = await findOrCreateSite(COUNTY_SITE, 'county', null, 0)
    const towns: Site[] = []
    const townUnits: Array<Unit | null> = []
    for (const [i, name] of TOWNS.entries()) {
      towns.push(await findOrCreateSite(name, 'town', county.id, i + 1))
      const code = `TOWN${String(i + 1).padStart(2, '0')}`
      let unit = await Unit.query({ client: trx }).where('code', code).first()
      if (!unit && !(await Unit.query({ client: trx }).where('name', `${name}人民政府`).first())) {
        unit = await Unit.create(
          { code, name: `${name}人民政府`, kind: 'town', isActive: true },
          { client: trx }
        )
      }
      townUnits.push(unit)
    }
    const villageCount = topology.filter((spec) => spec.kind === 'village_switch').length
    const villages: Site[] = []
    const seenInTown = new Map<number, number>()
    for (let v = 1; v <= villageCount; v++) {
      const town = Math.min(townOfVillage(v), TOWNS.length)
      const nth = (seenInTown.get(town) ?? 0) + 1
      seenInTown.set(town, nth)
      villages.push(
        await findOrCreateSite(villageName(town, nth), 'village', towns[town - 1].id, nth)
      )
    }
    const sitesCreated = (await countSites()) - sitesBefore

    const present = await Device.query({ client: trx }).select('id', 'name')
    const existing = new Map(present.map((d) => [d.name, d.id]))
    const ids = new Map<string, number>()
    let created = 0
    let core: number | null = null
    const townRouters: number[] = []
    for (const [index, spec] of topology.entries()) {
      let siteId = county.id
      let unitId = bureau?.id ?? null
      let parentDeviceId: number | null = spec.kind === 'core_switch' ? null : core
      if (spec.kind === 'town_router') {
        const town = townRouters.length
        siteId = towns[town].id
        unitId = townUnits[town]?.id ?? unitId
      } else if (spec.kind === 'village_switch') {
        const v = index - topology.findIndex((s) => s.kind === 'village_switch') + 1
        const town = Math.min(townOfVillage(v), TOWNS.length)
        siteId = villages[v - 1].id
        unitId = townUnits[town - 1]?.id ?? unitId
        parentDeviceId = townRouters[town - 1] ?? core
      }
      let id = existing.get(spec.name)
      if (id === undefined) {
        const device: Device = await Device.create(
          {
            name: spec.name,
            managementIp: host,
            snmpPort: options.basePort + index,
            ...(spec.name === DEMO_V3_DEVICE ? demoV3Settings() : { snmpVersion: 'v2c' as const }),
            communityEncrypted: spec.name === DEMO_V3_DEVICE ? null : community,
            deviceType: TYPE_OF[spec.kind],
            siteId,
            parentDeviceId,
            unitId,
            criticality: CRITICALITY_OF[spec.kind],
            pollIntervalSeconds: 60,
            isEnabled: true,
            description: spec.sysLocation,
          },
          { client: trx }
        )
        id = device.id
        created++
      }
      ids.set(spec.name, id)
      if (spec.kind === 'core_switch') core = id
      if (spec.kind === 'town_router') townRouters.push(id)
    }

    if (created > 0 || sitesCreated > 0) {
      await audit.record(
        {
          actorId: null,
          actorName: 'demo:seed',
          ip: null,
          action: 'demo.seed_network',
          details: { sitesCreated, devicesCreated: created, host, basePort: options.basePort },
        },
        trx
      )
    }
    log(
      `network: ${sitesCreated} sites and ${created} devices created (simulator ${host}:${options.basePort}-${options.basePort + topology.length - 1})`
    )
    return { sitesCreated, devicesCreated: created }
  })
}

/** The demo's SNMPv3 device (the simulator serves it with this authPriv user only). */
function demoV3Settings() {
  return {
    snmpVersion: 'v3' as const,
    v3Username: DEMO_V3_USER.username,
    v3SecurityLevel: DEMO_V3_USER.level,
    v3AuthProtocol: DEMO_V3_USER.authProtocol!,
    v3AuthKeyEncrypted: sealSecret(DEMO_V3_USER.authKey!),
    v3PrivProtocol: DEMO_V3_USER.privProtocol as 'aes',
    v3PrivKeyEncrypted: sealSecret(DEMO_V3_USER.privKey!),
  }
}
