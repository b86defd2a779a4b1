/**
 * The seam between what produces alert signals (poll rules, threat
 * counters, the 态势感知 push API) and the alert store (dedupe, lifecycle,
 * classification, suppression). Producers never touch alert tables; they
 * hand signals to the registered sink. The store registers itself at boot.
 */
import type { PollRecord } from '#network_monitoring/services/poll_records'

/** Where a signal comes from. */
export type AlertSource = 'rule' | 'counter' | 'platform'

export interface AlertSignal {
  source: AlertSource
  /** Rule key: unreachable, rebooted, if_down, utilisation, if_errors, cpu, anomaly, threat_counter, platform. */
  rule: string
  /** One open alert per condition key (e.g. `unreachable:device:42`, `if_down:iface:7`). */
  conditionKey: string
  /** GB/T 20986 sub-category code from the classification table; 'other' when unknown. */
  category: string
  /** The sender's own type/category text, kept verbatim (always kept for 'other'). */
  rawType?: string | null
  deviceId?: number | null
  siteId?: number | null
  interfaceId?: number | null
  /** When it happened (UTC), not when it was stored. */
  occurredAt: Date
  /** Sender's severity on its own scale, if any (platform events). */
  severity?: number | null
  /** Human summary; for rule signals an i18n key under `alerts.` plus params. */
  summary: { key: string; params?: Record<string, string | number> } | { text: string }
  details?: Record<string, unknown>
  /** Sender's event id: a replayed id stores nothing new. */
  externalId?: string | null
  srcIp?: string | null
  dstIp?: string | null
}

export interface RaiseOutcome {
  created: number
  updated: number
  duplicates: number
  suppressed: number
  /** New alerts suppressed behind a parent's alert (one alert for one cause); within `created`. */
  linked?: number
}

export interface AlertSink {
  /** Records signals (one transaction per call); same conditionKey updates the open alert. */
  raise(signals: AlertSignal[]): Promise<RaiseOutcome>
  /** The conditions cleared (device answers again, interface up): fault alerts auto-resolve. */
  recover(conditionKeys: string[], at: Date): Promise<number>
}

let registered: AlertSink | null = null

export function registerAlertSink(sink: AlertSink | null) {
  registered = sink
}

export function alertSink(): AlertSink {
  if (!registered) throw new Error('no alert sink registered')
  return registered
}

export function hasAlertSink() {
  return registered !== null
}

/** A change of an alert, for the notification side (mail, escalation, board). */
export interface AlertChange {
  type: 'raised' | 'updated' | 'acknowledged' | 'resolved' | 'closed' | 'reclassified'
  alertId: number
  /** 1 = 特别重大 I … 4 = 一般 IV */
  grade: 1 | 2 | 3 | 4
  at: Date
}

type ChangeListener = (changes: readonly AlertChange[]) => Promise<void>
const changeListeners = new Set<ChangeListener>()

/** Subscribe to alert changes; returns the unsubscribe function. */
export function onAlertChanges(listener: ChangeListener): () => void {
  changeListeners.add(listener)
  return () => changeListeners.delete(listener)
}

/** Called by the store after its transaction committed. Never throws. */
export async function emitAlertChanges(changes: readonly AlertChange[]) {
  if (changes.length === 0) return
  for (const listener of changeListeners) {
    try {
      await listener(changes)
    } catch (error) {
      const { default: logger } = await import('@adonisjs/core/services/logger')
      logger.error({ err: (error as Error).message }, 'alert change listener failed')
    }
  }
}

type PollListener = (records: readonly PollRecord[]) => Promise<void>
const pollListeners = new Set<PollListener>()

/** Subscribe to poll results once they are committed (rules run here, never inside the write). */
export function onPollWritten(listener: PollListener): () => void {
  pollListeners.add(listener)
  return () => pollListeners.delete(listener)
}

/** Called by the poller after each committed batch. Never throws. */
export async function emitPollWritten(records: readonly PollRecord[]) {
  if (records.length === 0) return
  for (const listener of pollListeners) {
    try {
      await listener(records)
    } catch (error) {
      const { default: logger } = await import('@adonisjs/core/services/logger')
      logger.error({ err: (error as Error).message }, 'poll listener failed')
    }
  }
}
