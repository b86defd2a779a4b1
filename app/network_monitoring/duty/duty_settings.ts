/**
 * 告警通知设置: which grades are mailed, how fast unacknowledged alerts escalate (per grade,
 * stricter in 重点敏感时期), when a storm becomes one digest, and where mail goes when nobody is
 * on duty. Stored as key/value rows; defaults below and `DUTY_FALLBACK_EMAIL` from the env.
 */
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import env from '#start/env'

export type Grade = 1 | 2 | 3 | 4
export const GRADES: Grade[] = [1, 2, 3, 4]

export interface DutySettings {
  /** Mail alerts of this grade and more severe (1 = 特别重大 I … 4 = 一般 IV). */
  mailGrade: Grade
  /** The same during a 重点敏感时期 (lower threshold: more grades are mailed). */
  sensitiveMailGrade: Grade
  /** Minutes without acknowledgement before the next escalation step, per grade. */
  escalateMinutes: Record<Grade, number>
  sensitiveEscalateMinutes: Record<Grade, number>
  /** More than this many alert mails within the window become one digest. */
  stormThreshold: number
  stormWindowMinutes: number
  /** Where alert mail goes when nobody is on duty (无人值班). */
  fallbackEmail: string
  /** The leader (带班领导) escalated to when no leader shift covers the time. */
  leaderUserId: number | null
}

export function defaultDutySettings(): DutySettings {
  return {
    mailGrade: 3,
    sensitiveMailGrade: 4,
    escalateMinutes: { 1: 10, 2: 15, 3: 30, 4: 60 },
    sensitiveEscalateMinutes: { 1: 5, 2: 5, 3: 10, 4: 15 },
    stormThreshold: 10,
    stormWindowMinutes: 10,
    fallbackEmail: env.get('DUTY_FALLBACK_EMAIL', 'noc@localhost'),
    leaderUserId: null,
  }
}

function flatten(settings: DutySettings): Record<string, string> {
  const rows: Record<string, string> = {
    mailGrade: String(settings.mailGrade),
    sensitiveMailGrade: String(settings.sensitiveMailGrade),
    stormThreshold: String(settings.stormThreshold),
    stormWindowMinutes: String(settings.stormWindowMinutes),
    fallbackEmail: settings.fallbackEmail,
    leaderUserId: settings.leaderUserId === null ? '' : String(settings.leaderUserId),
  }
  for (const grade of GRADES) {
    rows[`escalateMinutes.${grade}`] = String(settings.escalateMinutes[grade])
    rows[`sensitiveEscalateMinutes.${grade}`] = String(settings.sensitiveEscalateMinutes[grade])
  }
  return rows
}

export async function loadDutySettings(client?: TransactionClientContract): Promise<DutySettings> {
  const settings = defaultDutySettings()
  const rows: { key: string; value: string }[] = await (client ?? db.connection())
    .from('duty_settings')
    .select('key', 'value')
  const grade = (value: string): Grade | null => {
    const n = Number(value)
    return n === 1 || n === 2 || n === 3 || n === 4 ? n : null
  }
  for (const { key, value } of rows) {
    const n = Number(value)
    if (key === 'mailGrade') settings.mailGrade = grade(value) ?? settings.mailGrade
    else if (key === 'sensitiveMailGrade')
      settings.sensitiveMailGrade = grade(value) ?? settings.sensitiveMailGrade
    else if (key === 'stormThreshold' && n > 0) settings.stormThreshold = n
    else if (key === 'stormWindowMinutes' && n > 0) settings.stormWindowMinutes = n
    else if (key === 'fallbackEmail' && value) settings.fallbackEmail = value
    else if (key === 'leaderUserId') settings.leaderUserId = value ? n : null
    else if (key.startsWith('escalateMinutes.') && n > 0) {
      const g = grade(key.split('.')[1])
      if (g) settings.escalateMinutes[g] = n
    } else if (key.startsWith('sensitiveEscalateMinutes.') && n > 0) {
      const g = grade(key.split('.')[1])
      if (g) settings.sensitiveEscalateMinutes[g] = n
    }
  }
  return settings
}

export async function saveDutySettings(settings: DutySettings, trx: TransactionClientContract) {
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
  for (const [key, value] of Object.entries(flatten(settings))) {
    const updated = await trx
      .from('duty_settings')
      .where('key', key)
      .update({ value, updated_at: now })
    if (Number(updated) === 0)
      await trx.table('duty_settings').insert({ key, value, updated_at: now })
  }
}
