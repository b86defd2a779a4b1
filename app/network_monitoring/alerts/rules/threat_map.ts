/**
 * Threat counters of security appliances: which SNMP counter (per vendor or
 * model, by sysObjectID prefix) counts which kind of threat, as a GB/T
 * 20986 sub-category code. The defaults describe SHUZHI-SIM-THREAT-MIB, the
 * private subtree of a fictional vendor that the built-in simulator's
 * firewalls, IPS and anti-virus gateway expose. It lives under enterprise
 * number 32473, which RFC 5612 reserves for documentation, so it can never
 * collide with a real vendor:
 *
 *   1.3.6.1.4.1.32473.20.1.N.0  Counter32, threats detected since boot
 *     N = 1 virus, 2 trojan, 3 malware, 4 ransomware, 5 worm, 6 botnet,
 *         7 exploit, 8 scan, 9 ddos, 10 bruteForce
 *
 * A real vendor's counters are added on the 告警规则 page (OID + vendor
 * sysObjectID prefix + category); a counter OID may also be a table column
 * (its rows are summed).
 */
export const SIM_THREAT_BASE = '1.3.6.1.4.1.32473.20.1'

export interface ThreatCounterDef {
  /** sysObjectID prefix of the vendor or model; '' matches every security device. */
  vendorOid: string
  counterOid: string
  /** GB/T 20986-2023 sub-category code (alerts/classification.ts SUBCATEGORY_CODES). */
  category: string
  /** The vendor's own name of the counter, kept as the alert's raw type. */
  label: string
}

/** The simulated vendor's counters: N, the simulator's name, GB/T 20986 code, the vendor's label. */
export const SIM_THREAT_COUNTERS = [
  { n: 1, kind: 'virus', category: 'computer_virus', label: 'virusDetected' },
  { n: 2, kind: 'trojan', category: 'trojan', label: 'trojanDetected' },
  { n: 3, kind: 'malware', category: 'malware_other', label: 'malwareInstalled' },
  { n: 4, kind: 'ransomware', category: 'ransomware', label: 'ransomwareDetected' },
  { n: 5, kind: 'worm', category: 'worm', label: 'wormDetected' },
  { n: 6, kind: 'botnet', category: 'botnet', label: 'botnetDetected' },
  { n: 7, kind: 'exploit', category: 'vulnerability_exploit', label: 'exploitAttempts' },
  { n: 8, kind: 'scan', category: 'scan_eavesdrop', label: 'scanDetected' },
  { n: 9, kind: 'ddos', category: 'denial_of_service', label: 'ddosDetected' },
  { n: 10, kind: 'brute_force', category: 'brute_force', label: 'bruteForceAttempts' },
] as const

export type SimThreatKind = (typeof SIM_THREAT_COUNTERS)[number]['kind']

export const DEFAULT_THREAT_COUNTERS: ThreatCounterDef[] = SIM_THREAT_COUNTERS.map((row) => ({
  vendorOid: '',
  counterOid: `${SIM_THREAT_BASE}.${row.n}`,
  category: row.category,
  label: row.label,
}))

/** Device types whose threat counters are polled (防火墙, IPS/IDS, 防病毒网关). */
export const SECURITY_DEVICE_TYPES = ['firewall', 'ips_ids', 'av_gateway'] as const

/** Whether an OID is dotted decimal (what the map accepts). */
export function isDottedOid(text: string) {
  return /^1(\.\d{1,10}){3,40}$/.test(text)
}

/** The definitions that apply to a device: the longest vendor prefix wins per counter OID. */
export function definitionsFor(
  defs: readonly ThreatCounterDef[],
  sysObjectId: string | null
): Map<string, ThreatCounterDef> {
  const chosen = new Map<string, ThreatCounterDef>()
  for (const def of defs) {
    if (def.vendorOid !== '') {
      if (!sysObjectId) continue
      if (sysObjectId !== def.vendorOid && !sysObjectId.startsWith(`${def.vendorOid}.`)) continue
    }
    const current = chosen.get(def.counterOid)
    if (!current || current.vendorOid.length < def.vendorOid.length) chosen.set(def.counterOid, def)
  }
  return chosen
}
