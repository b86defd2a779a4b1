import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import audit from '#core/audit/audit_service'
import Unit from '#identity/models/unit'
import User from '#identity/models/user'
import Alert from '#network_monitoring/models/alert'
import AlertEvent from '#network_monitoring/models/alert_event'
import AlertHandlingRecord from '#network_monitoring/models/alert_handling_record'
import Device from '#network_monitoring/models/device'
import {
  categoryOf,
  gradeFor,
  type Criticality,
  type GradeLevel,
} from '#network_monitoring/alerts/classification'
import type { AlertState } from '#network_monitoring/alerts/lifecycle'

/**
 * A year of alert history for the demo, in the seeds' shape: "态势感知平台共预警监测140起安全事件，
 * 其中木马病毒攻击134起、安装恶意软件2起、勒索病毒4起", plus device outages (设备设施故障) that
 * recovered, each with realistic times to acknowledge and resolve and a 处置记录, so the
 * 告警中心, the dashboard and the monthly report have data on first start. Deterministic
 * (seeded random), written through the alert models in one transaction.
 */

/** The seeds' security events of the year, by GB/T 20986 sub-category. */
export const DEMO_THREATS = { trojan: 134, malware_other: 2, ransomware: 4 } as const
/** Device outages of the year (village switches, a few town routers). */
export const DEMO_OUTAGES = 36

const SOURCE = '态势感知平台'
const ID_PREFIX = 'demo-'

/** mulberry32: a small seeded generator, so every demo database tells the same story. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Rng = () => number
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]
/** Minutes, skewed towards `low` (most are handled fast, a few take long). */
const skewed = (rng: Rng, low: number, high: number) => low + (high - low) * rng() ** 2.2

const TROJANS = [
  'Gh0st 远控木马',
  'njRAT 远控木马',
  '灰鸽子变种',
  'Zegost 木马',
  'Emotet 下载器',
  'AsyncRAT 远控木马',
  '银狐木马',
]
const RANSOMWARE = [
  'GlobeImposter 勒索病毒',
  'Phobos 勒索病毒',
  'LockBit 勒索病毒',
  'Mallox 勒索病毒',
]
const MALWARE = ['终端安装了捆绑恶意插件的破解软件', '终端安装了带推广木马的“驱动精灵”仿冒程序']

const THREAT_STORY: Record<
  keyof typeof DEMO_THREATS,
  { cause: string[]; action: string[]; evidence: string }
> = {
  trojan: {
    cause: [
      '办公终端打开了伪装成通知文件的邮件附件，木马程序驻留并向境外控制端回连',
      '终端从非官方网站下载软件，安装包捆绑木马',
      'U 盘交叉使用带入木马程序',
      '终端长期未更新病毒库，木马未被及时查杀',
    ],
    action: [
      '断网隔离终端，全盘查杀并清除木马，修改相关账号密码，复查无回连后恢复接入',
      '封禁控制端地址，终端重装系统并更新补丁，对使用人开展安全提醒',
      '查杀木马并清理启动项，防火墙增加外联阻断策略，观察 24 小时无异常',
    ],
    evidence: '态势感知平台告警详情、终端查杀报告截图',
  },
  malware_other: {
    cause: ['工作人员自行安装来历不明的破解软件'],
    action: ['卸载恶意软件并查杀，收回终端管理员权限，纳入终端准入管控'],
    evidence: '终端软件清单、查杀报告',
  },
  ransomware: {
    cause: ['服务器远程桌面弱口令被暴力破解后投放勒索病毒', '未修补的中间件漏洞被利用投放勒索病毒'],
    action: [
      '立即断网隔离，关闭远程桌面对外暴露，从离线备份恢复数据，全网排查同类弱口令，向网信部门报告',
      '隔离受感染主机，修补漏洞并从备份恢复业务，加强备份与访问控制',
    ],
    evidence: '勒索信截图、主机日志、备份恢复记录、上报回执',
  },
}

const OUTAGE_STORY = {
  cause: [
    '村委会停电',
    '光缆被施工挖断',
    '设备电源适配器损坏',
    '雷击导致设备端口损坏',
    '机柜空开跳闸',
  ],
  action: [
    '联系供电所恢复供电后设备自动恢复',
    '联系运营商抢修光缆，恢复后链路正常',
    '更换电源适配器，设备恢复在线',
    '更换受损设备端口并加装防雷器',
    '现场合闸恢复供电，检查设备运行正常',
  ],
}

interface Plan {
  alert: Partial<Alert> & { firstSeenAt: DateTime }
  ackAfterMin: number | null
  resolveAfterMin: number | null
  closeAfterMin: number | null
  autoResolved: boolean
  story: { cause: string; action: string; evidence: string | null } | null
  externalId: string | null
  parentIndex?: number
}

/**
 * Seeds the year ending at `now` when no demo history exists yet (returns null otherwise).
 * Needs the demo network (devices) and accounts; without devices it seeds nothing.
 */
export async function seedAlertHistory(
  log: (line: string) => void = () => {},
  now: DateTime = DateTime.utc()
) {
  const started = performance.now()
  const already = await Alert.query()
    .where('external_id', 'like', `${SOURCE}:${ID_PREFIX}%`)
    .first()
  if (already) {
    log('alerts: demo history already there')
    return null
  }
  const devices = await Device.query().select(
    'id',
    'name',
    'site_id',
    'unit_id',
    'device_type',
    'criticality',
    'parent_device_id'
  )
  const villages = devices.filter((d) => d.deviceType === 'access_switch')
  const towns = devices.filter((d) => d.deviceType === 'access_router')
  const core = devices.find((d) => d.deviceType === 'core_switch') ?? null
  if (villages.length === 0 || towns.length === 0 || !core) {
    log('alerts: no demo network, history skipped')
    return null
  }
  const netadmin = await User.query().where('username', 'netadmin').first()
  const handler = netadmin
    ? { id: netadmin.id, name: `${netadmin.fullName}(${netadmin.username})` }
    : { id: null, name: null }
  const departments = await Unit.query().where('kind', 'department')
  const rng = random(20_260_101)
  const yearStart = now.minus({ days: 365 })
  const plans: Plan[] = []

  // Security events: spread over the year, the last three still being handled.
  const kinds = Object.entries(DEMO_THREATS).flatMap(([sub, n]) =>
    Array.from({ length: n }, () => sub as keyof typeof DEMO_THREATS)
  )
  const threatTimes = kinds
    .map(() => yearStart.plus({ minutes: Math.floor(rng() * 365 * 24 * 60) }))
    .sort((a, b) => a.toMillis() - b.toMillis())
  // Shuffle kinds so ransomware and malware do not cluster at the start.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[kinds[i], kinds[j]] = [kinds[j], kinds[i]]
  }
  kinds.forEach((sub, index) => {
    // Working hours are when people open attachments.
    const at = threatTimes[index].set({ hour: 8 + Math.floor(rng() * 10) })
    const atCounty = rng() < 0.3 && departments.length > 0
    const device = atCounty ? core : pick(rng, villages)
    const unitId = atCounty ? pick(rng, departments).id : device.unitId
    const host = `10.${atCounty ? 1 : 32 + (device.siteId % 200)}.${Math.floor(rng() * 250) + 1}.${Math.floor(rng() * 250) + 2}`
    const attacker = `${pick(rng, [45, 103, 185, 194, 91])}.${Math.floor(rng() * 255)}.${Math.floor(rng() * 255)}.${Math.floor(rng() * 254) + 1}`
    const family =
      sub === 'trojan'
        ? pick(rng, TROJANS)
        : sub === 'ransomware'
          ? pick(rng, RANSOMWARE)
          : pick(rng, MALWARE)
    const story = THREAT_STORY[sub]
    const remaining = kinds.length - index
    const state: AlertState = remaining === 1 ? 'open' : remaining <= 3 ? 'acknowledged' : 'closed'
    const ackAfterMin =
      state === 'open' ? null : Math.round(skewed(rng, 3, sub === 'ransomware' ? 20 : 90))
    const resolveAfterMin =
      state === 'closed'
        ? Math.round((ackAfterMin ?? 0) + skewed(rng, 30, sub === 'ransomware' ? 36 * 60 : 8 * 60))
        : null
    const seq = String(index + 1).padStart(4, '0')
    const externalId = `${ID_PREFIX}${at.toFormat('yyyy')}-${seq}`
    const rawType =
      sub === 'trojan' ? '木马病毒' : sub === 'ransomware' ? '勒索病毒' : '安装恶意软件'
    plans.push({
      alert: {
        conditionKey: `platform:${sub}:device:${device.id}:${attacker}`,
        category: sub,
        categoryGroup: categoryOf(sub).code,
        rawType,
        deviceId: device.id,
        siteId: device.siteId,
        unitId,
        source: 'platform',
        rule: 'platform',
        externalId: `${SOURCE}:${externalId}`,
        severity: sub === 'trojan' ? 4 : 5,
        summaryText:
          sub === 'malware_other'
            ? `${family}（主机 ${host}）`
            : `主机 ${host} 检测到${family}，与 ${attacker} 通信`,
        details: { source: SOURCE, eventId: externalId, family },
        count: 1 + Math.floor(rng() ** 3 * 6),
        srcIp: attacker,
        dstIp: host,
        firstSeenAt: at,
        grade: gradeOf(sub, device.criticality, resolveAfterMin),
      },
      ackAfterMin,
      resolveAfterMin,
      closeAfterMin:
        state === 'closed'
          ? (resolveAfterMin ?? 0) + Math.round(skewed(rng, 60, 3 * 24 * 60))
          : null,
      autoResolved: false,
      story:
        state === 'closed'
          ? {
              cause: pick(rng, story.cause),
              action: pick(rng, story.action),
              evidence: story.evidence,
            }
          : null,
      externalId: `${SOURCE}:${externalId}`,
    })
  })

  // Device outages: mostly villages (power, fibre), two town routers with their villages behind.
  for (let n = 0; n < DEMO_OUTAGES; n++) {
    const townOutage = n % 18 === 7
    const device = townOutage ? pick(rng, towns) : pick(rng, villages)
    const at = yearStart.plus({ minutes: Math.floor(rng() * 360 * 24 * 60) })
    const downMin = Math.round(skewed(rng, 6, townOutage ? 5 * 60 : 8 * 60))
    const ackAfterMin = downMin > 10 ? Math.round(skewed(rng, 2, Math.min(30, downMin))) : null
    const storyIndex = Math.floor(rng() * OUTAGE_STORY.cause.length)
    const parentIndex = plans.length
    const children = townOutage ? villages.filter((v) => v.parentDeviceId === device.id) : []
    plans.push({
      alert: {
        conditionKey: `unreachable:device:${device.id}`,
        category: 'software_hardware_fault',
        categoryGroup: 'facility_fault',
        rawType: null,
        deviceId: device.id,
        siteId: device.siteId,
        unitId: device.unitId,
        source: 'rule',
        rule: 'unreachable',
        summaryKey: 'alerts.summary.unreachable',
        summaryParams: { device: device.name, failures: 2 },
        count: 1,
        sitesAffected: 1 + children.length,
        firstSeenAt: at,
        grade: gradeFor({
          subcategory: 'software_hardware_fault',
          criticality: device.criticality as Criticality,
          sites: 1 + children.length,
          durationMinutes: downMin,
        }),
      },
      ackAfterMin,
      resolveAfterMin: downMin,
      closeAfterMin: downMin + Math.round(skewed(rng, 30, 2 * 24 * 60)),
      autoResolved: true,
      story: {
        cause: OUTAGE_STORY.cause[storyIndex],
        action: OUTAGE_STORY.action[storyIndex],
        evidence: null,
      },
      externalId: null,
    })
    for (const child of children) {
      plans.push({
        alert: {
          conditionKey: `unreachable:device:${child.id}`,
          category: 'software_hardware_fault',
          categoryGroup: 'facility_fault',
          deviceId: child.id,
          siteId: child.siteId,
          unitId: child.unitId,
          source: 'rule',
          rule: 'unreachable',
          summaryKey: 'alerts.summary.unreachable',
          summaryParams: { device: child.name, failures: 2 },
          count: 1,
          firstSeenAt: at.plus({ seconds: 30 }),
          grade: 4,
        },
        ackAfterMin: null,
        resolveAfterMin: downMin,
        closeAfterMin: downMin,
        autoResolved: true,
        story: null,
        externalId: null,
        parentIndex,
      })
    }
  }

  const result = await db.transaction(async (trx) => {
    const alerts = await Alert.createMany(
      plans.map((plan) => rowOf(plan, handler.id)),
      { client: trx }
    )
    // Children behind a town router point at its alert.
    for (const [index, plan] of plans.entries()) {
      if (plan.parentIndex === undefined) continue
      await trx
        .from(Alert.table)
        .where('id', alerts[index].id)
        .update({ parent_alert_id: alerts[plan.parentIndex].id })
    }
    const events: Array<Partial<AlertEvent>> = []
    const records: Array<Partial<AlertHandlingRecord>> = []
    const signalIds: Array<{ source: string; external_id: string; alert_id: number }> = []
    for (const [index, plan] of plans.entries()) {
      const alert = alerts[index]
      const t0 = plan.alert.firstSeenAt
      const event = (
        type: AlertEvent['type'],
        at: DateTime,
        human: boolean,
        details: Record<string, unknown> = {}
      ) =>
        events.push({
          alertId: alert.id,
          type,
          at,
          actorId: human ? handler.id : null,
          actorName: human ? handler.name : null,
          details,
        })
      event('raised', t0, false, { category: alert.category, grade: alert.grade })
      if (plan.parentIndex !== undefined) {
        event('suppressed', t0, false, { parentAlertId: alerts[plan.parentIndex].id })
      }
      if (alert.count > 1) event('updated', t0.plus({ minutes: 7 }), false, { count: alert.count })
      if (plan.ackAfterMin !== null)
        event('acknowledged', t0.plus({ minutes: plan.ackAfterMin }), true)
      if (plan.resolveAfterMin !== null) {
        const at = t0.plus({ minutes: plan.resolveAfterMin })
        event('resolved', at, !plan.autoResolved, plan.autoResolved ? { auto: true } : {})
        if (plan.story) {
          records.push({
            alertId: alert.id,
            cause: plan.story.cause,
            action: plan.story.action,
            evidence: plan.story.evidence,
            createdById: handler.id,
            createdByName: handler.name,
            createdAt: plan.autoResolved ? at.plus({ minutes: 20 }) : at,
          })
        }
      }
      if (plan.closeAfterMin !== null && plan.parentIndex === undefined) {
        event('closed', t0.plus({ minutes: plan.closeAfterMin }), true)
      }
      if (plan.externalId)
        signalIds.push({ source: 'platform', external_id: plan.externalId, alert_id: alert.id })
    }
    await AlertEvent.createMany(events, { client: trx })
    await AlertHandlingRecord.createMany(records, { client: trx })
    for (let i = 0; i < signalIds.length; i += 200) {
      await trx.table('alert_signal_ids').multiInsert(signalIds.slice(i, i + 200))
    }
    const totals = countByCategory(plans)
    await audit.record(
      {
        actorId: null,
        actorName: 'demo:seed',
        ip: null,
        action: 'demo.seed_alerts',
        details: { alerts: alerts.length, ...totals },
      },
      trx
    )
    return { alerts: alerts.length, events: events.length, records: records.length, totals }
  })
  const ms = Math.round(performance.now() - started)
  log(
    `alerts: a year of history, ${result.alerts} alerts (${Object.entries(result.totals)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}), ${result.events} timeline entries, ${result.records} 处置记录 in ${ms} ms`
  )
  return result
}

function gradeOf(sub: string, criticality: string, resolveAfterMin: number | null): GradeLevel {
  return gradeFor({
    subcategory: sub,
    criticality: criticality as Criticality,
    sites: 1,
    durationMinutes: resolveAfterMin ?? 0,
  })
}

/** The alert row of a plan, with the lifecycle columns its times imply. */
function rowOf(plan: Plan, handlerId: number | null): Partial<Alert> {
  const t0 = plan.alert.firstSeenAt
  const at = (minutes: number | null) => (minutes === null ? null : t0.plus({ minutes }))
  const resolvedAt = at(plan.resolveAfterMin)
  const closedAt = plan.parentIndex === undefined ? at(plan.closeAfterMin) : null
  const state: AlertState = closedAt
    ? 'closed'
    : resolvedAt
      ? 'resolved'
      : plan.ackAfterMin !== null
        ? 'acknowledged'
        : 'open'
  const live = state === 'open' || state === 'acknowledged'
  const grade = plan.alert.grade ?? 4
  return {
    rawType: null,
    unitId: null,
    interfaceId: null,
    externalId: null,
    severity: null,
    summaryKey: null,
    summaryParams: null,
    summaryText: null,
    details: null,
    sitesAffected: 1,
    srcIp: null,
    dstIp: null,
    ...plan.alert,
    openKey: live ? plan.alert.conditionKey : null,
    state,
    grade,
    computedGrade: grade,
    gradeOverrideReason: null,
    lastSeenAt: t0.plus({ minutes: plan.alert.count && plan.alert.count > 1 ? 7 : 0 }),
    acknowledgedAt: at(plan.ackAfterMin),
    acknowledgedById: plan.ackAfterMin === null ? null : handlerId,
    resolvedAt,
    resolvedById: resolvedAt && !plan.autoResolved ? handlerId : null,
    closedAt,
    closedById: closedAt ? handlerId : null,
    assigneeId: plan.ackAfterMin === null ? null : handlerId,
    parentAlertId: null,
    isFlapping: false,
  }
}

function countByCategory(plans: Plan[]) {
  const totals: Record<string, number> = {}
  for (const plan of plans) {
    const category = plan.alert.category!
    totals[category] = (totals[category] ?? 0) + 1
  }
  return totals
}
