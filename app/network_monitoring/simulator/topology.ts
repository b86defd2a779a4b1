export type DeviceKind =
  'core_switch' | 'firewall' | 'ips' | 'av_gateway' | 'town_router' | 'village_switch'

export interface InterfaceSpec {
  ifIndex: number
  descr: string
  name: string
  alias: string
  /** IANAifType: 6 ethernetCsmacd */
  type: number
  speedBps: number
  adminUp: boolean
  /** Night-time mean traffic in bit/s; the simulator adds a 10–25 min wave and the working day. */
  inBps: number
  outBps: number
  /** One input error every N seconds (null: clean link). */
  errorEverySeconds: number | null
  /** One output discard every N seconds (null: none). */
  discardEverySeconds: number | null
}

export interface DeviceSpec {
  id: number
  name: string
  kind: DeviceKind
  siteLevel: '县' | '乡镇' | '村'
  sysDescr: string
  sysObjectId: string
  sysLocation: string
  sysContact: string
  interfaces: InterfaceSpec[]
  /** Processors exposed through HOST-RESOURCES hrProcessorTable (0: table absent). */
  cpus: number
  /** Uptime at simulator start, seconds. */
  initialUptimeSeconds: number
  /**
   * The device it is reached through from the county centre (villages → their
   * town router → the core switch): while that one is down, so is this one.
   */
  uplinkId?: number | null
}

/** Small deterministic PRNG so a device looks the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const MBPS = 1e6
const GBPS = 1e9
const pad = (n: number, width: number) => String(n).padStart(width, '0')

const CORE_DESCR =
  'Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.170 (S12700 V200R019C10SPC500)\r\nCopyright (C) 2000-2021 HUAWEI TECH Co., Ltd.\r\nHUAWEI S12708 Terabit Routing Switch'
const FIREWALL_DESCR = [
  'Huawei USG6650E\r\nHuawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.170 (USG6650E V600R007C20SPC600)\r\nCopyright (C) 2014-2022 Huawei Technologies Co., Ltd.',
  'Sangfor NGAF M5400, Version AF 8.0.47 Build20221208',
]
const IPS_DESCR =
  'H3C Comware Platform Software, Software Version 7.1.064, Release 8630P24\r\nH3C SecPath T1020\r\nCopyright (c) 2004-2022 New H3C Technologies Co., Ltd. All rights reserved.'
const TOWN_DESCR = [
  'Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.170 (AR2220 V200R010C10SPC700)\r\nCopyright (C) 2011-2020 HUAWEI TECH CO., LTD\r\nHuawei AR2220 Router',
  'H3C Comware Platform Software, Software Version 7.1.064, Release 0821P16\r\nH3C MSR3620\r\nCopyright (c) 2004-2021 New H3C Technologies Co., Ltd. All rights reserved.',
]
const VILLAGE_MODELS = [
  {
    descr:
      'Ruijie Full Gigabit Security & Intelligence Access Switch(S2910-24GT4SFP-UP-H) By Ruijie Networks Co., Ltd\r\nSystem software version : S29_RGOS 11.4(1)B12P8',
    objectId: '1.3.6.1.4.1.4881.1.1.10.1.173',
    port: (n: number) => ({ descr: `GigabitEthernet 0/${n}`, name: `Gi0/${n}` }),
  },
  {
    descr:
      'H3C Comware Platform Software, Software Version 7.1.070, Release 6328P03\r\nH3C S5120V2-28P-LI\r\nCopyright (c) 2004-2021 New H3C Technologies Co., Ltd. All rights reserved.',
    objectId: '1.3.6.1.4.1.25506.1.1578',
    port: (n: number) => ({ descr: `GigabitEthernet1/0/${n}`, name: `GE1/0/${n}` }),
  },
  {
    descr:
      'S5735-L8T4S-A1\r\nHuawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.170 (S5735 V200R021C00SPC100)\r\nCopyright (C) 2000-2021 HUAWEI TECH Co., Ltd.',
    objectId: '1.3.6.1.4.1.2011.2.23.629',
    port: (n: number) => ({ descr: `GigabitEthernet0/0/${n}`, name: `GE0/0/${n}` }),
  },
]

function makeInterface(
  random: () => number,
  ifIndex: number,
  names: { descr: string; name: string },
  alias: string,
  speedBps: number,
  meanBps: number,
  adminUp = true
): InterfaceSpec {
  const spread = (base: number) => Math.round(base * (0.5 + random()))
  return {
    ifIndex,
    ...names,
    alias,
    type: 6,
    speedBps,
    adminUp,
    inBps: adminUp ? spread(meanBps) : 0,
    outBps: adminUp ? spread(meanBps * 0.4) : 0,
    errorEverySeconds: adminUp && random() < 0.12 ? Math.round(30 + random() * 600) : null,
    discardEverySeconds: adminUp && random() < 0.2 ? Math.round(10 + random() * 300) : null,
  }
}

function uptime(random: () => number) {
  return Math.round((1 + random() * 200) * 86400)
}

function core(): DeviceSpec {
  const random = seededRandom(1)
  const interfaces: InterfaceSpec[] = []
  for (let n = 1; n <= 48; n++) {
    const tenGig = n <= 8
    const slot = tenGig ? 1 : 2
    const port = tenGig ? n : n - 8
    const prefix = tenGig ? 'XGigabitEthernet' : 'GigabitEthernet'
    const short = tenGig ? 'XGE' : 'GE'
    const alias =
      n <= 2
        ? `至-出口防火墙0${n}`
        : n === 3
          ? '至-IPS旁路'
          : tenGig
            ? `至-汇聚-${n}`
            : `至-乡镇-${pad(port, 2)}`
    interfaces.push(
      makeInterface(
        random,
        n,
        { descr: `${prefix}${slot}/0/${port}`, name: `${short}${slot}/0/${port}` },
        alias,
        tenGig ? 10 * GBPS : GBPS,
        tenGig ? 1.2 * GBPS : 60 * MBPS,
        n <= 44
      )
    )
  }
  return {
    id: 0,
    name: 'xian-core-01',
    kind: 'core_switch',
    siteLevel: '县',
    sysDescr: CORE_DESCR,
    sysObjectId: '1.3.6.1.4.1.2011.2.23.222',
    sysLocation: '县数据资源局 机房A 02机柜',
    sysContact: 'noc@shuzhi.local',
    interfaces,
    cpus: 2,
    initialUptimeSeconds: uptime(random),
  }
}

function securityDevice(id: number, kind: 'firewall' | 'ips'): DeviceSpec {
  const random = seededRandom(id + 1)
  const count = kind === 'firewall' ? 8 : 6
  const sangfor = kind === 'firewall' && id === 2
  const interfaces = Array.from({ length: count }, (_, i) =>
    makeInterface(
      random,
      i + 1,
      sangfor
        ? { descr: `eth${i}`, name: `eth${i}` }
        : { descr: `GigabitEthernet1/0/${i}`, name: `GE1/0/${i}` },
      i === 0 ? '外网-电子政务外网上联' : i === 1 ? '内网-县核心' : `业务区-${i}`,
      GBPS,
      i < 2 ? 300 * MBPS : 20 * MBPS,
      i < count - 2
    )
  )
  return {
    id,
    name: kind === 'firewall' ? `xian-fw-${pad(id, 2)}` : 'xian-ips-01',
    kind,
    siteLevel: '县',
    sysDescr: kind === 'firewall' ? FIREWALL_DESCR[id - 1] : IPS_DESCR,
    sysObjectId:
      kind === 'ips'
        ? '1.3.6.1.4.1.25506.1.2211'
        : sangfor
          ? '1.3.6.1.4.1.35047.1.5400'
          : '1.3.6.1.4.1.2011.2.239.37',
    sysLocation: '县数据资源局 机房A 01机柜',
    sysContact: 'noc@shuzhi.local',
    interfaces,
    cpus: kind === 'firewall' ? 4 : 2,
    initialUptimeSeconds: uptime(random),
  }
}

const AV_GATEWAY_DESCR =
  'ShuzhiSim AVG-2000 Anti-Virus Gateway, Version 3.2.1 (simulated appliance of a fictional vendor, SHUZHI-SIM-THREAT-MIB)'

/** The anti-virus gateway (防病毒网关) behind the firewalls; a fictional vendor (RFC 5612 enterprise 32473). */
function avGateway(id: number): DeviceSpec {
  const random = seededRandom(id + 1)
  const interfaces = Array.from({ length: 4 }, (_, i) =>
    makeInterface(
      random,
      i + 1,
      { descr: `ge${i}`, name: `ge${i}` },
      i === 0 ? '上联-出口防火墙' : i === 1 ? '下联-县核心' : `管理口-${i}`,
      GBPS,
      i < 2 ? 300 * MBPS : 2 * MBPS,
      i < 3
    )
  )
  return {
    id,
    name: 'xian-avg-01',
    kind: 'av_gateway',
    siteLevel: '县',
    sysDescr: AV_GATEWAY_DESCR,
    sysObjectId: '1.3.6.1.4.1.32473.1.3',
    sysLocation: '县数据资源局 机房A 01机柜',
    sysContact: 'noc@shuzhi.local',
    interfaces,
    cpus: 2,
    initialUptimeSeconds: uptime(random),
  }
}

function town(id: number, townNo: number): DeviceSpec {
  const random = seededRandom(id + 1)
  const huawei = townNo % 2 === 1
  const interfaces = Array.from({ length: 8 }, (_, i) =>
    makeInterface(
      random,
      i + 1,
      huawei
        ? { descr: `GigabitEthernet0/0/${i}`, name: `GE0/0/${i}` }
        : { descr: `GigabitEthernet0/${i}`, name: `GE0/${i}` },
      i === 0 ? '上联-县核心' : `至-村-${pad(i, 2)}`,
      GBPS,
      i === 0 ? 80 * MBPS : 8 * MBPS,
      i < 7
    )
  )
  return {
    id,
    name: `town-${pad(townNo, 2)}-rtr`,
    kind: 'town_router',
    siteLevel: '乡镇',
    sysDescr: TOWN_DESCR[huawei ? 0 : 1],
    sysObjectId: huawei ? '1.3.6.1.4.1.2011.2.224.67' : '1.3.6.1.4.1.25506.1.1219',
    sysLocation: `第${townNo}乡镇 便民服务中心`,
    sysContact: `town${pad(townNo, 2)}@shuzhi.local`,
    interfaces,
    cpus: 0,
    initialUptimeSeconds: uptime(random),
  }
}

function village(id: number, villageNo: number): DeviceSpec {
  const random = seededRandom(id + 1)
  const model = VILLAGE_MODELS[villageNo % VILLAGE_MODELS.length]
  const spareUnused = random() < 0.3
  const interfaces = Array.from({ length: 4 }, (_, i) =>
    makeInterface(
      random,
      i + 1,
      model.port(i + 1),
      i === 0 ? '上联-乡镇路由' : i === 1 ? '村委会办公' : i === 2 ? '便民服务终端' : '备用',
      i === 0 ? GBPS : 100 * MBPS,
      i === 0 ? 12 * MBPS : 2 * MBPS,
      !(i === 3 && spareUnused)
    )
  )
  return {
    id,
    name: `cun-${pad(villageNo, 3)}-sw`,
    kind: 'village_switch',
    siteLevel: '村',
    sysDescr: model.descr,
    sysObjectId: model.objectId,
    sysLocation: `第${villageNo}村 村委会`,
    sysContact: 'noc@shuzhi.local',
    interfaces,
    cpus: 0,
    initialUptimeSeconds: uptime(random),
  }
}

/** 310 villages over 32 towns: the first 22 towns have 10 villages, the other 10 have 9. */
export function townOfVillage(villageNo: number) {
  return villageNo <= 220 ? Math.ceil(villageNo / 10) : 22 + Math.ceil((villageNo - 220) / 9)
}

/** Town routers are devices 4–35 (town n is device n + 3). */
const TOWNS = 32
const FIRST_TOWN_ID = 4

/** Devices of a full county: core, 2 firewalls, IPS, 32 town routers, 310 village switches, AV gateway. */
export const COUNTY_DEVICE_COUNT = 4 + 32 + 310 + 1
/** The anti-virus gateway comes last, so the towns and villages keep their ports. */
const AV_GATEWAY_ID = 346

/**
 * The county extranet in a fixed order (county devices, then towns, then
 * villages, then the anti-virus gateway); counts above the real county add
 * more villages.
 */
export function buildCountyTopology(count = COUNTY_DEVICE_COUNT): DeviceSpec[] {
  const devices: DeviceSpec[] = []
  for (let id = 0; id < count; id++) {
    if (id === 0) devices.push({ ...core(), uplinkId: null })
    else if (id <= 2) devices.push({ ...securityDevice(id, 'firewall'), uplinkId: 0 })
    else if (id === 3) devices.push({ ...securityDevice(id, 'ips'), uplinkId: 0 })
    else if (id < 36) devices.push({ ...town(id, id - 3), uplinkId: 0 })
    else if (id === AV_GATEWAY_ID) devices.push({ ...avGateway(id), uplinkId: 0 })
    else {
      const villageNo = id < AV_GATEWAY_ID ? id - 35 : id - 36
      const townId = Math.min(townOfVillage(villageNo), TOWNS) + FIRST_TOWN_ID - 1
      devices.push({ ...village(id, villageNo), uplinkId: townId < count ? townId : null })
    }
  }
  return devices
}
