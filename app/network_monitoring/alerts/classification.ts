/**
 * Classification and grading of network security events after GB/T 20986-2023
 * 《信息安全技术 网络安全事件分类分级指南》 (replaces GB/Z 20986-2007; in force 2023-12-01).
 *
 * §5.2 names ten categories (事件类别), each with sub-categories (子类); §6 grades an
 * event 特别重大 (I) / 重大 (II) / 较大 (III) / 一般 (IV) from the importance of the affected
 * system, the loss and the social impact. The table below keeps the categories and the
 * sub-categories we meet on a county extranet as data; `section` points at the clause.
 * Our codes are stable snake_case keys (stored in alerts.category); names are i18n keys
 * `alerts.categories.<code>` so screens and PDFs show the standard's Chinese names.
 */

export interface EventCategory {
  /** Stable code stored in the database. */
  code: string
  /** Clause of GB/T 20986-2023 that defines the category. */
  section: string
  /** Threat events need a human to resolve; fault events resolve when the condition clears. */
  kind: 'threat' | 'fault'
  subcategories: readonly string[]
}

/** GB/T 20986-2023 §5.2: the ten categories and the sub-categories we classify into. */
export const CATEGORIES: readonly EventCategory[] = [
  {
    code: 'malware',
    section: '5.2.1',
    kind: 'threat',
    subcategories: [
      'computer_virus',
      'worm',
      'trojan',
      'botnet',
      'blended_attack',
      'web_malicious_code',
      'malicious_code_host',
      'ransomware',
      'mining',
      'malware_other',
    ],
  },
  {
    code: 'network_attack',
    section: '5.2.2',
    kind: 'threat',
    subcategories: [
      'denial_of_service',
      'backdoor',
      'vulnerability_exploit',
      'scan_eavesdrop',
      'phishing',
      'interference',
      'apt',
      'brute_force',
      'traffic_anomaly',
      'network_attack_other',
    ],
  },
  {
    code: 'data_security',
    section: '5.2.3',
    kind: 'threat',
    subcategories: [
      'data_tampering',
      'data_masquerading',
      'data_leakage',
      'data_theft',
      'data_loss',
      'social_engineering',
      'data_security_other',
    ],
  },
  {
    code: 'content_security',
    section: '5.2.4',
    kind: 'threat',
    subcategories: ['illegal_content', 'content_security_other'],
  },
  {
    code: 'facility_fault',
    section: '5.2.5',
    kind: 'fault',
    subcategories: [
      'software_hardware_fault',
      'peripheral_facility_fault',
      'man_made_damage',
      'facility_fault_other',
    ],
  },
  {
    code: 'violation',
    section: '5.2.6',
    kind: 'threat',
    subcategories: ['privilege_abuse', 'unauthorized_operation', 'violation_other'],
  },
  {
    code: 'security_hazard',
    section: '5.2.7',
    kind: 'threat',
    subcategories: ['vulnerability_hazard', 'security_hazard_other'],
  },
  {
    code: 'abnormal_behaviour',
    section: '5.2.8',
    kind: 'threat',
    subcategories: ['abnormal_access', 'abnormal_behaviour_other'],
  },
  {
    code: 'force_majeure',
    section: '5.2.9',
    kind: 'fault',
    subcategories: ['natural_disaster', 'force_majeure_other'],
  },
  { code: 'other_event', section: '5.2.10', kind: 'threat', subcategories: ['other'] },
]

export type GradeLevel = 1 | 2 | 3 | 4
/** 1 = 特别重大 I, 2 = 重大 II, 3 = 较大 III, 4 = 一般 IV (GB/T 20986-2023 §6.2). */
export const GRADES: readonly GradeLevel[] = [1, 2, 3, 4]
export const GRADE_ROMAN: Record<GradeLevel, string> = { 1: 'I', 2: 'II', 3: 'III', 4: 'IV' }

const BY_SUB = new Map<string, EventCategory>()
for (const category of CATEGORIES) {
  for (const sub of category.subcategories) BY_SUB.set(sub, category)
}

/** Every sub-category code, in the standard's order. */
export const SUBCATEGORY_CODES: readonly string[] = CATEGORIES.flatMap((c) => c.subcategories)
export const CATEGORY_CODES: readonly string[] = CATEGORIES.map((c) => c.code)

export function isSubcategory(code: string) {
  return BY_SUB.has(code)
}

/** The category of a sub-category; an unknown code belongs to 其他事件. */
export function categoryOf(subcategory: string): EventCategory {
  return BY_SUB.get(subcategory) ?? CATEGORIES[CATEGORIES.length - 1]
}

/** A known sub-category code as is; anything else → 'other' (the caller keeps the raw type). */
export function normaliseSubcategory(code: string | null | undefined): string {
  return code && BY_SUB.has(code) ? code : 'other'
}

/**
 * Vendor and platform type names (态势感知平台, firewalls, IPS, 防病毒网关) → sub-category.
 * Matched case-insensitively on the whole text after trimming, then on contained words.
 */
const VENDOR_EXACT: Record<string, string> = {
  'virus': 'computer_virus',
  '病毒': 'computer_virus',
  '计算机病毒': 'computer_virus',
  'worm': 'worm',
  '蠕虫': 'worm',
  'trojan': 'trojan',
  '木马': 'trojan',
  '木马病毒': 'trojan',
  '特洛伊木马': 'trojan',
  'trojan-horse': 'trojan',
  'botnet': 'botnet',
  '僵尸网络': 'botnet',
  'bot': 'botnet',
  'ransomware': 'ransomware',
  '勒索病毒': 'ransomware',
  '勒索软件': 'ransomware',
  'coinminer': 'mining',
  'mining': 'mining',
  'miner': 'mining',
  '挖矿': 'mining',
  '挖矿病毒': 'mining',
  'malware': 'malware_other',
  '恶意软件': 'malware_other',
  '恶意程序': 'malware_other',
  '安装恶意软件': 'malware_other',
  'ddos': 'denial_of_service',
  'dos': 'denial_of_service',
  '拒绝服务': 'denial_of_service',
  'backdoor': 'backdoor',
  'webshell': 'backdoor',
  '后门': 'backdoor',
  'exploit': 'vulnerability_exploit',
  '漏洞利用': 'vulnerability_exploit',
  '漏洞攻击': 'vulnerability_exploit',
  'intrusion': 'vulnerability_exploit',
  '入侵': 'vulnerability_exploit',
  'scan': 'scan_eavesdrop',
  'portscan': 'scan_eavesdrop',
  '扫描': 'scan_eavesdrop',
  '网络扫描': 'scan_eavesdrop',
  'phishing': 'phishing',
  '钓鱼': 'phishing',
  '网络钓鱼': 'phishing',
  'apt': 'apt',
  'bruteforce': 'brute_force',
  'brute-force': 'brute_force',
  'brute_force': 'brute_force',
  '暴力破解': 'brute_force',
  'data_leak': 'data_leakage',
  'leak': 'data_leakage',
  '数据泄露': 'data_leakage',
  'tamper': 'data_tampering',
  '网页篡改': 'data_tampering',
  '篡改': 'data_tampering',
  '数据窃取': 'data_theft',
}

const VENDOR_CONTAINS: Array<[RegExp, string]> = [
  [/ransom|勒索/i, 'ransomware'],
  [/trojan|木马/i, 'trojan'],
  [/worm|蠕虫/i, 'worm'],
  [/botnet|僵尸/i, 'botnet'],
  [/miner|mining|挖矿/i, 'mining'],
  [/virus|病毒/i, 'computer_virus'],
  [/ddos|denial|拒绝服务/i, 'denial_of_service'],
  [/backdoor|webshell|后门/i, 'backdoor'],
  [/exploit|漏洞/i, 'vulnerability_exploit'],
  [/scan|扫描/i, 'scan_eavesdrop'],
  [/phish|钓鱼/i, 'phishing'],
  [/brute|暴力破解/i, 'brute_force'],
  [/malware|恶意/i, 'malware_other'],
]

/**
 * A vendor's type text (or a code of ours) → sub-category code. Unknown → 'other'; the caller
 * keeps the raw text in alerts.raw_type, so nothing the sender said is dropped.
 */
export function mapVendorType(raw: string | null | undefined): string {
  if (!raw) return 'other'
  const text = raw.trim()
  if (BY_SUB.has(text)) return text
  if (CATEGORY_CODES.includes(text)) return categoryDefaultSub(text)
  const exact = VENDOR_EXACT[text.toLowerCase()]
  if (exact) return exact
  for (const [pattern, code] of VENDOR_CONTAINS) if (pattern.test(text)) return code
  return 'other'
}

/** The catch-all sub-category of a category code (e.g. malware → malware_other). */
function categoryDefaultSub(categoryCode: string) {
  const category = CATEGORIES.find((c) => c.code === categoryCode)!
  return category.subcategories[category.subcategories.length - 1]
}

export type Criticality = 'critical' | 'important' | 'normal'

export interface GradeInput {
  subcategory: string
  /** The affected device's criticality (关键/重要/一般); null for events without a device. */
  criticality: Criticality | null
  /** Number of sites affected (the device's own site plus the suppressed children's). */
  sites: number
  /** How long the condition has lasted so far. */
  durationMinutes: number
}

/** Sub-categories that are at least 较大 (III) whatever the device (loss of data, extortion). */
const SEVERE_SUBS = new Set(['ransomware', 'data_leakage', 'data_theft', 'apt', 'data_tampering'])

/**
 * The grade per GB/T 20986-2023 §6 as read for a county extranet: the system's importance
 * (device criticality), the extent of the loss (sites cut off, duration) and the kind of event.
 * - 一般 IV by default;
 * - 较大 III: a critical device, 10+ sites affected, a fault lasting 4 h+, or a severe threat
 *   (ransomware, data leakage/theft/tampering, APT);
 * - 重大 II: 30+ sites (about a whole town network), or a critical device down 24 h+, or a severe
 *   threat on a critical device;
 * - 特别重大 I: 200+ sites (most of the county's 310 villages), or 100+ sites for 24 h+.
 */
export function gradeFor(input: GradeInput): GradeLevel {
  const { criticality, sites, durationMinutes } = input
  const severe = SEVERE_SUBS.has(input.subcategory)
  if (sites >= 200 || (sites >= 100 && durationMinutes >= 24 * 60)) return 1
  if (
    sites >= 30 ||
    (criticality === 'critical' && durationMinutes >= 24 * 60) ||
    (severe && criticality === 'critical')
  ) {
    return 2
  }
  if (criticality === 'critical' || sites >= 10 || durationMinutes >= 4 * 60 || severe) return 3
  return 4
}

/** A grade taken from a form or an API (1..4), or null when it is not one. */
export function parseGrade(value: unknown): GradeLevel | null {
  const n = Number(value)
  return n === 1 || n === 2 || n === 3 || n === 4 ? n : null
}

/** Fault alerts resolve when their condition clears; threats wait for a human. */
export function isFaultCategory(subcategory: string) {
  return categoryOf(subcategory).kind === 'fault'
}
