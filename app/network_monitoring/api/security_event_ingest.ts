import { createHash } from 'node:crypto'
import Device from '#network_monitoring/models/device'
import { canonicalIp } from '#core/ip_address'
import { isIP } from 'node:net'
import { alertSink, type AlertSignal } from '#network_monitoring/alerts/contract'
import { pushedCategory } from '#network_monitoring/api/pushed_category'
import {
  instantOf,
  severityOf,
  type SecurityEventInput,
} from '#network_monitoring/api/security_event_validator'

export interface IngestResult {
  received: number
  created: number
  updated: number
  duplicates: number
  suppressed: number
  /** Events whose type or category is not in the classification (kept as 其他 with the raw type). */
  unclassified: number
  /** Events naming a device that is not in the inventory (kept without a device). */
  unknownDevices: number
}

interface ResolvedDevice {
  id: number
  siteId: number
}

/** Finds the named devices by management IP (canonical) or by name, in two queries. */
async function resolveDevices(events: readonly SecurityEventInput[]) {
  const names = new Set<string>()
  const ips = new Set<string>()
  for (const event of events) {
    if (!event.device) continue
    const ip = canonicalIp(event.device)
    if (isIP(ip)) ips.add(ip)
    else names.add(event.device)
  }
  const byKey = new Map<string, ResolvedDevice>()
  if (ips.size > 0) {
    const rows = await Device.query()
      .whereIn('management_ip', [...ips])
      .select('id', 'site_id', 'management_ip')
    for (const row of rows) byKey.set(`ip:${row.managementIp}`, { id: row.id, siteId: row.siteId })
  }
  if (names.size > 0) {
    const rows = await Device.query()
      .whereIn('name', [...names])
      .select('id', 'site_id', 'name')
    for (const row of rows) byKey.set(`name:${row.name}`, { id: row.id, siteId: row.siteId })
  }
  return (device: string | undefined) => {
    if (!device) return null
    const ip = canonicalIp(device)
    return byKey.get(isIP(ip) ? `ip:${ip}` : `name:${device}`) ?? null
  }
}

/** Short, stable stand-in for free text inside a condition key. */
function digest(text: string, length = 12) {
  return createHash('sha256').update(text).digest('hex').slice(0, length)
}

/** The store keeps sender ids in 128 characters: longer `source:eventId` pairs go by digest. */
const EXTERNAL_ID_MAX = 128

function externalIdOf(source: string, eventId: string) {
  const id = `${source}:${eventId}`
  return id.length <= EXTERNAL_ID_MAX ? id : `sha256:${digest(id, 64)}`
}

/**
 * Turns validated 态势感知 events into alert signals and hands them to the alert store in one
 * call (one transaction: all or nothing). One condition per category, target (device, else
 * destination address) and source address: repeats update one open alert. The sender's
 * `(source, eventId)` is the idempotency key; a replay is reported as a duplicate.
 */
export async function ingestSecurityEvents(
  events: readonly SecurityEventInput[]
): Promise<IngestResult> {
  const deviceOf = await resolveDevices(events)
  const seen = new Set<string>()
  const signals: AlertSignal[] = []
  let repeatedInRequest = 0
  let unclassified = 0
  let unknownDevices = 0
  for (const event of events) {
    const externalId = externalIdOf(event.source, event.eventId)
    if (seen.has(externalId)) {
      repeatedInRequest++
      continue
    }
    seen.add(externalId)
    const rawType = event.type ?? event.category ?? ''
    const category = pushedCategory(event.type, event.category)
    if (category === 'other') unclassified++
    const device = deviceOf(event.device)
    if (event.device && !device) unknownDevices++
    const target = device ? `device:${device.id}` : event.dstIp ? `ip:${event.dstIp}` : '-'
    const kind = category === 'other' ? `other.${digest(rawType)}` : category
    signals.push({
      source: 'platform',
      rule: 'platform',
      conditionKey: `platform:${kind}:${target}:${event.srcIp ?? '-'}`,
      category,
      rawType,
      deviceId: device?.id ?? null,
      siteId: device?.siteId ?? null,
      interfaceId: null,
      occurredAt: new Date(instantOf(event.time) ?? Number.NaN),
      severity: severityOf(event.severity),
      summary: { text: event.description ?? rawType },
      details: {
        source: event.source,
        eventId: event.eventId,
        ...(event.severity === undefined ? {} : { severity: event.severity }),
        ...(event.device && !device ? { device: event.device } : {}),
      },
      externalId,
      srcIp: event.srcIp ?? null,
      dstIp: event.dstIp ?? null,
    })
  }
  const outcome = await alertSink().raise(signals)
  return {
    received: events.length,
    created: outcome.created,
    updated: outcome.updated,
    duplicates: outcome.duplicates + repeatedInRequest,
    suppressed: outcome.suppressed,
    unclassified,
    unknownDevices,
  }
}
