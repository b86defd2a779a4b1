/**
 * Notification policy (告警通知): a new alert at or above the mail grade (a lower threshold in a
 * 重点敏感时期) mails the admins on duty; when nobody is on duty it goes to the fallback address.
 * Not acknowledged within N minutes (per grade, faster in a 重点敏感时期) it escalates to the next
 * person (副班), then to the leader (带班领导). An escalation target without an e-mail address is
 * skipped, written to the audit log and the next target is tried. More than M alert mails within
 * the storm window become one digest mail. Every mail goes through the outbox, written in the
 * same transaction as the notification state, so a crash never mails twice or loses one.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import i18nManager from '@adonisjs/i18n/services/main'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { appUrl } from '#config/app'
import audit from '#core/audit/audit_service'
import { queueMail, sqlTime } from '#core/mail/outbox'
import type { AlertChange } from '#network_monitoring/alerts/contract'
import duty from '#network_monitoring/duty/duty_service'
import { dutyClock } from '#network_monitoring/duty/duty_clock'
import {
  loadDutySettings,
  type DutySettings,
  type Grade,
} from '#network_monitoring/duty/duty_settings'
import type DutyShift from '#network_monitoring/duty/duty_shift'
import { DUTY_ZONE } from '#network_monitoring/duty/roster'

/** What a notification mail says about an alert. */
export interface AlertInfo {
  id: number
  grade: Grade
  title: string
  /** open | acknowledged | resolved | closed */
  status: string
  deviceName?: string | null
  siteName?: string | null
  occurredAt: Date
}

export type AlertLookup = (ids: number[]) => Promise<Map<number, AlertInfo>>

/** The alert page a mail links to (opens after login, also on a phone). */
export function alertUrl(id: number) {
  return `${appUrl.replace(/\/$/, '')}/monitoring/alerts/${id}`
}

/** Until an alert store is registered: the alert's id and grade only. */
const bareLookup: AlertLookup = async () => new Map()

let registeredLookup: AlertLookup = bareLookup

/** The alert store registers how the notifier reads an alert's title, device and status. */
export function registerAlertLookup(lookup: AlertLookup | null) {
  registeredLookup = lookup ?? bareLookup
}

interface Recipient {
  address: string
  name: string
}

interface NotificationRow {
  id: number
  alert_id: number
  grade: number
  sensitive: number | boolean
  level: number
  mode: string
  open: number | boolean
}

const LAST_LEVEL = 2
/** New alerts per notification transaction. */
const NOTIFY_CHUNK = 200

export class AlertNotifier {
  constructor(
    protected options: {
      now?: () => Date
      lookup?: AlertLookup
      breathe?: () => Promise<unknown>
    } = {}
  ) {}

  /** The pause before each chunk of new alerts (tests count the chunks with it). */
  protected breathe() {
    return (this.options.breathe ?? nextTurn)()
  }

  protected now() {
    return DateTime.fromJSDate(this.options.now?.() ?? dutyClock.now()).toUTC()
  }

  protected lookup(ids: number[]) {
    return (this.options.lookup ?? registeredLookup)(ids)
  }

  protected info(id: number, grade: Grade, infos: Map<number, AlertInfo>): AlertInfo {
    return (
      infos.get(id) ?? {
        id,
        grade,
        title: `#${id}`,
        status: 'open',
        occurredAt: this.now().toJSDate(),
      }
    )
  }

  protected t(key: string, data: Record<string, unknown> = {}) {
    return i18nManager.locale(i18nManager.defaultLocale).t(`duty.${key}`, data)
  }

  /**
   * Handles the alert store's committed changes (registered with onAlertChanges). A storm of
   * new alerts is handled in a few transactions of NOTIFY_CHUNK alerts each (settings, duty and
   * the storm count read once per chunk), not one transaction per alert.
   */
  async handle(changes: readonly AlertChange[]) {
    const raised = changes.filter((c) => c.type === 'raised')
    const closedIds = changes
      .filter((c) => c.type === 'acknowledged' || c.type === 'resolved' || c.type === 'closed')
      .map((c) => c.alertId)
    for (let i = 0; i < closedIds.length; i += NOTIFY_CHUNK) {
      await db
        .from('alert_notifications')
        .whereIn('alert_id', closedIds.slice(i, i + NOTIFY_CHUNK))
        .update({ open: false, next_escalation_at: null, updated_at: sqlTime(this.now()) })
    }
    for (const change of changes.filter((c) => c.type === 'reclassified')) {
      await db
        .from('alert_notifications')
        .where('alert_id', change.alertId)
        .update({ grade: change.grade })
    }
    for (let i = 0; i < raised.length; i += NOTIFY_CHUNK) {
      // A turn of the event loop before each chunk: on SQLite every query is synchronous and
      // the alert store calls us right after its commit, so 500 new alerts of one push would
      // otherwise be handled in one stretch (~100 ms) without another request getting a turn.
      await this.breathe()
      await this.notifyNew(raised.slice(i, i + NOTIFY_CHUNK))
    }
  }

  protected escalateAfter(settings: DutySettings, grade: Grade, sensitive: boolean) {
    return (sensitive ? settings.sensitiveEscalateMinutes : settings.escalateMinutes)[grade]
  }

  /**
   * New alerts, in order: mail the on-duty staff (or put each in the storm digest, or skip it by
   * grade). One transaction for the lot; only the alerts that may be mailed are looked up.
   */
  protected async notifyNew(raised: AlertChange[]) {
    const now = this.now()
    const settings = await loadDutySettings()
    const limit = (await duty.periodAt(now)) ? settings.sensitiveMailGrade : settings.mailGrade
    // At most stormThreshold alerts in the window are mailed one by one; the rest go to the
    // digest, so only the first few of a storm need their titles read.
    const room = Math.max(0, settings.stormThreshold - (await this.recentMails(now, settings)))
    const mailable = raised.filter((c) => c.grade <= limit).slice(0, room)
    const infos =
      mailable.length > 0 ? await this.lookup(mailable.map((c) => c.alertId)) : new Map()
    await db.transaction(async (trx) => {
      const ids = [...new Set(raised.map((c) => c.alertId))]
      const existing = await trx.from('alert_notifications').whereIn('alert_id', ids)
      const done = new Set<number>(existing.map((row) => Number(row.alert_id)))
      const current = settings
      const onDuty = await duty.onDutyAt(now, trx)
      const sensitive = onDuty.period !== null
      const threshold = sensitive ? current.sensitiveMailGrade : current.mailGrade
      let recent: number | null = null
      const stamp = sqlTime(now)
      const deadlines = new Map<Grade, string>()
      const rows: Array<Record<string, unknown>> = []
      const toMail: AlertInfo[] = []
      for (const change of raised) {
        if (done.has(change.alertId)) continue
        done.add(change.alertId)
        const grade: Grade = infos.get(change.alertId)?.grade ?? change.grade
        const base = {
          alert_id: change.alertId,
          grade,
          sensitive,
          level: 0,
          raised_at: stamp,
          created_at: stamp,
          updated_at: stamp,
        }
        if (grade > threshold) {
          rows.push({ ...base, mode: 'skipped', open: false, next_escalation_at: null })
          continue
        }
        if (recent === null) recent = await this.recentMails(now, current, trx)
        const storm = recent >= current.stormThreshold
        recent++
        let deadline = deadlines.get(grade)
        if (deadline === undefined) {
          const minutes = this.escalateAfter(current, grade, sensitive)
          deadline = sqlTime(now.plus({ minutes }))
          deadlines.set(grade, deadline)
        }
        rows.push({
          ...base,
          mode: storm ? 'digest' : 'mailed',
          open: true,
          next_escalation_at: deadline,
        })
        if (!storm) toMail.push(this.info(change.alertId, change.grade, infos))
      }
      for (let i = 0; i < rows.length; i += NOTIFY_CHUNK) {
        await trx.table('alert_notifications').multiInsert(rows.slice(i, i + NOTIFY_CHUNK))
      }
      for (const alert of toMail) {
        const { recipients, fallback } = await this.firstResponders(onDuty, current, alert, trx)
        for (const to of recipients) {
          await this.queueAlertMail(
            'notice',
            to,
            alert,
            { sensitive: onDuty.period?.name, fallback },
            trx
          )
        }
      }
    })
  }

  /** Alerts mailed or digested within the storm window before `now`. */
  protected async recentMails(
    now: DateTime,
    settings: DutySettings,
    trx?: TransactionClientContract
  ) {
    const counted = await (trx ?? db)
      .from('alert_notifications')
      .whereIn('mode', ['mailed', 'digest', 'digested'])
      .where('created_at', '>=', sqlTime(now.minus({ minutes: settings.stormWindowMinutes })))
      .count('* as total')
    return Number(counted[0].total)
  }

  /** Level 0: the primary shift(s) now; the 副班 when no primary; the fallback address on a gap. */
  protected async firstResponders(
    onDuty: Awaited<ReturnType<typeof duty.onDutyAt>>,
    settings: DutySettings,
    alert: AlertInfo,
    trx: TransactionClientContract
  ) {
    if (onDuty.gap) {
      return { recipients: [{ address: settings.fallbackEmail, name: '' }], fallback: true }
    }
    const shifts = onDuty.primary.length ? onDuty.primary : onDuty.secondary
    const recipients = await this.reachable(shifts, alert, 0, trx)
    if (recipients.length === 0) {
      return { recipients: [{ address: settings.fallbackEmail, name: '' }], fallback: true }
    }
    return { recipients, fallback: false }
  }

  /** The people of these shifts who have an address; each one without is skipped and audited. */
  protected async reachable(
    shifts: DutyShift[],
    alert: AlertInfo,
    level: number,
    trx: TransactionClientContract
  ) {
    const recipients: Recipient[] = []
    const seen = new Set<number>()
    for (const shift of shifts) {
      if (seen.has(shift.userId)) continue
      seen.add(shift.userId)
      const user = shift.user
      if (user.email) {
        recipients.push({ address: user.email, name: user.fullName })
        continue
      }
      logger.warn(
        { alertId: alert.id, userId: user.id, level },
        'notification target has no e-mail address: skipped'
      )
      await audit.record(
        {
          actorName: 'notifier',
          actorId: null,
          ip: null,
          action: 'duty.escalation_skipped',
          outcome: 'failure',
          targetType: 'alert',
          targetId: alert.id,
          details: { name: user.fullName, username: user.username, level, alertId: alert.id },
        },
        trx
      )
    }
    return recipients
  }

  /** Escalates every open alert whose deadline passed; runs on the outbox tick. */
  async escalateDue() {
    const now = this.now()
    const due: NotificationRow[] = await db
      .from('alert_notifications')
      .where('open', true)
      .whereNotNull('next_escalation_at')
      .where('next_escalation_at', '<=', sqlTime(now))
      .orderBy('id')
      .limit(200)
    if (due.length === 0) return 0
    const infos = await this.lookup(due.map((row) => row.alert_id))
    let escalated = 0
    for (const row of due) {
      const alert = this.info(row.alert_id, row.grade as Grade, infos)
      if (alert.status !== 'open') {
        await db
          .from('alert_notifications')
          .where('id', row.id)
          .update({ open: false, next_escalation_at: null })
        continue
      }
      if (await this.escalate(row, alert, now)) escalated++
    }
    return escalated
  }

  protected async escalate(row: NotificationRow, alert: AlertInfo, now: DateTime) {
    return db.transaction(async (trx) => {
      // compare-and-set on the level: two ticks never escalate one step twice
      const settings = await loadDutySettings(trx)
      const onDuty = await duty.onDutyAt(now, trx)
      const sensitive = Boolean(row.sensitive) || onDuty.period !== null
      let level = row.level
      let recipients: Recipient[] = []
      while (level < LAST_LEVEL && recipients.length === 0) {
        level++
        recipients = await this.targets(level, onDuty, settings, alert, trx)
      }
      const minutes = this.escalateAfter(settings, row.grade as Grade, sensitive)
      const claimed = await trx
        .from('alert_notifications')
        .where('id', row.id)
        .where('level', row.level)
        .update({
          level,
          next_escalation_at: level >= LAST_LEVEL ? null : sqlTime(now.plus({ minutes })),
          updated_at: sqlTime(now),
        })
      if (Number(claimed) !== 1) return false
      const waited = Math.round(now.diff(DateTime.fromJSDate(alert.occurredAt), 'minutes').minutes)
      for (const to of recipients) {
        await this.queueAlertMail(
          'escalation',
          to,
          alert,
          { sensitive: onDuty.period?.name, minutes: Math.max(waited, minutes) },
          trx
        )
      }
      return recipients.length > 0
    })
  }

  /** Level 1: the 副班 on duty (the next person); level 2: the 带班领导 (or the configured leader). */
  protected async targets(
    level: number,
    onDuty: Awaited<ReturnType<typeof duty.onDutyAt>>,
    settings: DutySettings,
    alert: AlertInfo,
    trx: TransactionClientContract
  ) {
    if (level === 1) {
      // the next person: the 副班, or when the first responders were the 副班, nobody new
      if (onDuty.primary.length === 0) return []
      return this.reachable(onDuty.secondary, alert, level, trx)
    }
    let leaders = onDuty.leader
    if (leaders.length === 0 && settings.leaderUserId) {
      const { default: User } = await import('#identity/models/user')
      const leader = await User.query({ client: trx }).where('id', settings.leaderUserId).first()
      if (leader) leaders = [{ userId: leader.id, user: leader } as DutyShift]
    }
    return this.reachable(leaders, alert, level, trx)
  }

  /** One storm digest for everything waiting, at most once per window. */
  async sendDigest() {
    const now = this.now()
    const settings = await loadDutySettings()
    const last = await db
      .from('alert_notifications')
      .where('mode', 'digested')
      .max('updated_at as at')
      .first()
    if (last?.at) {
      const lastAt =
        last.at instanceof Date
          ? DateTime.fromJSDate(last.at)
          : DateTime.fromSQL(String(last.at), { zone: 'utc' })
      if (lastAt.isValid && now.diff(lastAt, 'minutes').minutes < settings.stormWindowMinutes)
        return 0
    }
    const waiting: NotificationRow[] = await db
      .from('alert_notifications')
      .where('mode', 'digest')
      .orderBy('id')
      .limit(500)
    if (waiting.length === 0) return 0
    const infos = await this.lookup(waiting.map((row) => row.alert_id))
    const alerts = waiting.map((row) => this.info(row.alert_id, row.grade as Grade, infos))
    await db.transaction(async (trx) => {
      const onDuty = await duty.onDutyAt(now, trx)
      const { recipients, fallback } = await this.firstResponders(onDuty, settings, alerts[0], trx)
      const from = DateTime.fromJSDate(alerts[0].occurredAt)
        .setZone(DUTY_ZONE)
        .toFormat('MM-dd HH:mm')
      const subject = this.t('mail.digest_subject', { count: alerts.length, from })
      const lines = alerts.map(
        (a) =>
          `· [${this.gradeName(a.grade)}] ${a.title} ${this.when(a.occurredAt)}  ${alertUrl(a.id)}`
      )
      for (const to of recipients) {
        const text = [
          to.name ? this.t('mail.greeting', { name: to.name }) : '',
          fallback ? this.t('mail.fallback_intro') : '',
          this.t('mail.digest_intro', { count: alerts.length }),
          '',
          ...lines,
          '',
          this.t('mail.footer'),
        ]
          .filter((line, i) => line !== '' || i > 2)
          .join('\n')
        await queueMail(
          {
            kind: 'alert.digest',
            to: to.address,
            toName: to.name || null,
            subject,
            text,
            refType: 'alert',
            refId: alerts[0].id,
          },
          trx
        )
      }
      await trx
        .from('alert_notifications')
        .whereIn(
          'id',
          waiting.map((row) => row.id)
        )
        .where('mode', 'digest')
        .update({ mode: 'digested', updated_at: sqlTime(now) })
    })
    return alerts.length
  }

  protected gradeName(grade: number) {
    return this.t(`mail.grade_names.${grade}`)
  }

  protected when(at: Date) {
    return DateTime.fromJSDate(at).setZone(DUTY_ZONE).toFormat('yyyy-MM-dd HH:mm:ss')
  }

  protected async queueAlertMail(
    kind: 'notice' | 'escalation',
    to: Recipient,
    alert: AlertInfo,
    extra: { sensitive?: string; fallback?: boolean; minutes?: number },
    trx: TransactionClientContract
  ) {
    const grade = this.gradeName(alert.grade)
    const subject = this.t(kind === 'notice' ? 'mail.notice_subject' : 'mail.escalation_subject', {
      grade,
      title: alert.title,
    })
    const device = [alert.deviceName, alert.siteName].filter(Boolean).join(' · ')
    const lines = [
      to.name ? this.t('mail.greeting', { name: to.name }) : null,
      extra.fallback ? this.t('mail.fallback_intro') : null,
      kind === 'notice'
        ? this.t('mail.notice_intro')
        : this.t('mail.escalation_intro', { minutes: extra.minutes ?? 0 }),
      extra.sensitive ? this.t('mail.sensitive_note', { name: extra.sensitive }) : null,
      '',
      alert.title,
      `${this.t('mail.grade')}：${grade}`,
      `${this.t('mail.time')}：${this.when(alert.occurredAt)}`,
      device ? `${this.t('mail.device')}：${device}` : null,
      '',
      this.t('mail.open_link', { url: alertUrl(alert.id) }),
      '',
      this.t('mail.footer'),
    ].filter((line) => line !== null)
    await queueMail(
      {
        kind: kind === 'notice' ? 'alert.notice' : 'alert.escalation',
        to: to.address,
        toName: to.name || null,
        subject,
        text: lines.join('\n'),
        refType: 'alert',
        refId: alert.id,
      },
      trx
    )
  }
}

let shared: AlertNotifier | null = null

export function alertNotifier() {
  return (shared ??= new AlertNotifier())
}
