import type { AlertSignal } from '#network_monitoring/alerts/contract'
import type Device from '#network_monitoring/models/device'

/** An unreachable signal of a device (what the rules send after N failed polls). */
export function unreachable(device: Device, at = new Date(), extra: Partial<AlertSignal> = {}) {
  return {
    source: 'rule',
    rule: 'unreachable',
    conditionKey: `unreachable:device:${device.id}`,
    category: 'software_hardware_fault',
    deviceId: device.id,
    siteId: device.siteId,
    occurredAt: at,
    summary: { key: 'alerts.summary.unreachable', params: { device: device.name, failures: 2 } },
    ...extra,
  } satisfies AlertSignal
}

/** A threat pushed by the 态势感知平台 (or a threat counter), with the sender's event id. */
export function threat(externalId: string | null, extra: Partial<AlertSignal> = {}): AlertSignal {
  return {
    source: 'platform',
    rule: 'platform',
    conditionKey: `platform:trojan:${extra.srcIp ?? '10.1.1.1'}`,
    category: 'trojan',
    rawType: '木马病毒',
    occurredAt: new Date(),
    summary: { text: '检测到木马病毒外联' },
    externalId,
    srcIp: '10.1.1.1',
    dstIp: '203.0.113.9',
    ...extra,
  }
}
