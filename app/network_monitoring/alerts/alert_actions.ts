import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit, { type AuditActor } from '#core/audit/audit_service'
import { RuleError } from '#core/rule_error'
import Alert from '#network_monitoring/models/alert'
import AlertEvent, { type AlertEventType } from '#network_monitoring/models/alert_event'
import AlertHandlingRecord from '#network_monitoring/models/alert_handling_record'
import { emitAlertChanges, type AlertChange } from '#network_monitoring/alerts/contract'
import {
  categoryOf,
  isFaultCategory,
  isSubcategory,
  type GradeLevel,
} from '#network_monitoring/alerts/classification'
import {
  canTransition,
  transition,
  type AlertAction,
  type AlertState,
} from '#network_monitoring/alerts/lifecycle'
import { auditActionFor } from '#network_monitoring/alerts/alert_store'

export type AlertActionErrorCode =
  | 'transition'
  | 'handling_required'
  | 'condition_live'
  | 'assignee_invalid'
  | 'nothing_changed'
  | 'category_invalid'
  | 'attachment_too_large'
  | 'attachment_type'

/** A refused alert action, with the i18n key of its Chinese message. */
export class AlertActionError extends RuleError<AlertActionErrorCode> {
  static status = 422
}

export interface HandlingInput {
  cause: string
  action: string
  evidence?: string | null
  attachmentPath?: string | null
  attachmentName?: string | null
}

const SQL = 'yyyy-LL-dd HH:mm:ss'

function sqlNow(at: DateTime) {
  return at.toUTC().toFormat(SQL)
}

/**
 * What a network administrator does to an alert (确认、指派、处置、解决、关闭、重新打开、调整分级).
 * Every action is one transaction: a compare-and-set of the state through the lifecycle
 * table, a timeline entry and an audit event; listeners hear about it after the commit.
 */
export class AlertActions {
  constructor(private clock: () => DateTime = () => DateTime.utc()) {}

  acknowledge(alertId: number, actor: AuditActor) {
    return this.#transition(alertId, actor, 'acknowledge', 'acknowledged', (alert, now) => ({
      acknowledged_at: sqlNow(now),
      acknowledged_by_id: actor.actorId,
      // Whoever acknowledges an unassigned alert takes it.
      assignee_id: alert.assigneeId ?? actor.actorId,
    }))
  }

  /**
   * Resolves by hand. A threat needs its 处置记录 (given here or recorded before): what was
   * found and what was done is the evidence the monthly report and 等保 ask for.
   */
  async resolve(alertId: number, actor: AuditActor, handling?: HandlingInput | null) {
    return this.#transition(
      alertId,
      actor,
      'resolve',
      'resolved',
      (_alert, now) => ({
        resolved_at: sqlNow(now),
        resolved_by_id: actor.actorId,
        open_key: null,
      }),
      async (alert, trx, now) => {
        if (handling) await this.#addHandling(trx, alert, actor, handling, now)
        if (!isFaultCategory(alert.category)) {
          const records = await trx
            .from('alert_handling_records')
            .where('alert_id', alert.id)
            .count('* as n')
          if (Number(records[0].n) === 0) {
            throw new AlertActionError('handling_required', 'alerts.errors.handling_required')
          }
        }
      }
    )
  }

  close(alertId: number, actor: AuditActor) {
    return this.#transition(alertId, actor, 'close', 'closed', (_alert, now) => ({
      closed_at: sqlNow(now),
      closed_by_id: actor.actorId,
    }))
  }

  /** The problem is back (or was never fixed): the resolved alert becomes open again. */
  reopen(alertId: number, actor: AuditActor, reason: string) {
    return this.#transition(
      alertId,
      actor,
      'reopen',
      'reopened',
      (alert) => ({
        open_key: alert.conditionKey,
        resolved_at: null,
        resolved_by_id: null,
      }),
      async (alert, trx) => {
        const live = await trx.from('alerts').where('open_key', alert.conditionKey).first()
        if (live) {
          throw new AlertActionError('condition_live', 'alerts.errors.condition_live', {
            id: Number(live.id),
          })
        }
      },
      { reason }
    )
  }

  async assign(alertId: number, actor: AuditActor, assigneeId: number | null) {
    return this.#withAlert(alertId, async (alert, trx, now) => {
      if (alert.state === 'closed' || alert.state === 'suppressed') {
        throw new AlertActionError('transition', 'alerts.errors.transition')
      }
      if (assigneeId !== null) {
        const user = await trx
          .from('users')
          .join('user_roles', 'user_roles.user_id', 'users.id')
          .where('users.id', assigneeId)
          .where('users.is_active', true)
          .where('user_roles.role', 'netadmin')
          .first()
        if (!user) throw new AlertActionError('assignee_invalid', 'alerts.errors.assignee_invalid')
      }
      if (alert.assigneeId === assigneeId) {
        throw new AlertActionError('nothing_changed', 'alerts.errors.nothing_changed')
      }
      await trx
        .from('alerts')
        .where('id', alert.id)
        .update({ assignee_id: assigneeId, updated_at: sqlNow(now) })
      await this.#event(trx, alert, actor, 'assigned', now, {
        from: alert.assigneeId,
        to: assigneeId,
      })
      return null
    })
  }

  /**
   * Overrides the grade and/or sub-category with a reason (audited with before/after). The
   * computed grade is kept beside it; the store no longer regrades an overridden alert.
   */
  async reclassify(
    alertId: number,
    actor: AuditActor,
    input: { grade?: GradeLevel | null; category?: string | null; reason: string }
  ) {
    return this.#withAlert(alertId, async (alert, trx, now) => {
      if (alert.state === 'suppressed') {
        throw new AlertActionError('transition', 'alerts.errors.transition')
      }
      const grade = input.grade ?? alert.grade
      const category = input.category ?? alert.category
      if (!isSubcategory(category)) {
        throw new AlertActionError('category_invalid', 'alerts.errors.category_invalid')
      }
      if (grade === alert.grade && category === alert.category) {
        throw new AlertActionError('nothing_changed', 'alerts.errors.nothing_changed')
      }
      await trx
        .from('alerts')
        .where('id', alert.id)
        .update({
          grade,
          category,
          category_group: categoryOf(category).code,
          grade_override_reason: input.reason,
          updated_at: sqlNow(now),
        })
      await this.#event(trx, alert, actor, 'reclassified', now, {
        fromGrade: alert.grade,
        toGrade: grade,
        fromCategory: alert.category,
        toCategory: category,
        reason: input.reason,
      })
      return { type: 'reclassified', alertId: alert.id, grade, at: now.toJSDate() } as AlertChange
    })
  }

  /** Adds a 处置记录 (cause, action, evidence, optional attachment) to any alert not closed. */
  async addHandlingRecord(alertId: number, actor: AuditActor, input: HandlingInput) {
    let record: AlertHandlingRecord | null = null
    await this.#withAlert(alertId, async (alert, trx, now) => {
      if (alert.state === 'closed') {
        throw new AlertActionError('transition', 'alerts.errors.transition')
      }
      record = await this.#addHandling(trx, alert, actor, input, now)
      return null
    })
    return record!
  }

  async #addHandling(
    trx: TransactionClientContract,
    alert: Alert,
    actor: AuditActor,
    input: HandlingInput,
    now: DateTime
  ) {
    const record = await AlertHandlingRecord.create(
      {
        alertId: alert.id,
        cause: input.cause,
        action: input.action,
        evidence: input.evidence ?? null,
        attachmentPath: input.attachmentPath ?? null,
        attachmentName: input.attachmentName ?? null,
        createdById: actor.actorId,
        createdByName: actor.actorName,
        createdAt: now,
      },
      { client: trx }
    )
    await trx.table('alert_events').insert({
      alert_id: alert.id,
      type: 'note',
      at: sqlNow(now),
      actor_id: actor.actorId,
      actor_name: actor.actorName,
      details: JSON.stringify({ handlingRecordId: record.id }),
    })
    await audit.record(
      {
        ...actor,
        action: 'alert.handle',
        targetType: 'alert',
        targetId: alert.id,
        details: { handlingRecordId: record.id, attachment: input.attachmentName ?? null },
      },
      trx
    )
    return record
  }

  async #transition(
    alertId: number,
    actor: AuditActor,
    action: AlertAction,
    eventType: AlertEventType,
    fields: (alert: Alert, now: DateTime) => Record<string, unknown>,
    guard?: (alert: Alert, trx: TransactionClientContract, now: DateTime) => Promise<void>,
    details: Record<string, unknown> = {}
  ) {
    return this.#withAlert(alertId, async (alert, trx, now) => {
      const from: AlertState = alert.state
      if (!canTransition(from, action)) {
        throw new AlertActionError('transition', 'alerts.errors.transition')
      }
      const to = transition(from, action)
      if (guard) await guard(alert, trx, now)
      const changed = await trx
        .from('alerts')
        .where('id', alert.id)
        .where('state', from)
        .update({ ...fields(alert, now), state: to, updated_at: sqlNow(now) })
      // Someone else moved it first (compare-and-set lost): refuse rather than overwrite.
      if (Number(Array.isArray(changed) ? changed[0] : changed) !== 1) {
        throw new AlertActionError('transition', 'alerts.errors.transition')
      }
      await this.#event(trx, alert, actor, eventType, now, { from, to, ...details })
      const type = (
        {
          acknowledged: 'acknowledged',
          resolved: 'resolved',
          closed: 'closed',
          reopened: 'raised',
        } as const
      )[eventType as 'acknowledged' | 'resolved' | 'closed' | 'reopened']
      return type
        ? ({ type, alertId: alert.id, grade: alert.grade, at: now.toJSDate() } as AlertChange)
        : null
    })
  }

  async #withAlert(
    alertId: number,
    work: (
      alert: Alert,
      trx: TransactionClientContract,
      now: DateTime
    ) => Promise<AlertChange | null>
  ) {
    const now = this.clock()
    const change = await db.transaction(async (trx) => {
      const query = Alert.query({ client: trx }).where('id', alertId)
      if (trx.dialect.name === 'mysql') query.forUpdate()
      const alert = await query.firstOrFail()
      return work(alert, trx, now)
    })
    if (change) await emitAlertChanges([change])
    return change
  }

  async #event(
    trx: TransactionClientContract,
    alert: Alert,
    actor: AuditActor,
    type: AlertEventType,
    now: DateTime,
    details: Record<string, unknown>
  ) {
    await AlertEvent.create(
      {
        alertId: alert.id,
        type,
        at: now,
        actorId: actor.actorId,
        actorName: actor.actorName,
        details,
      },
      { client: trx }
    )
    await audit.record(
      {
        ...actor,
        action: auditActionFor(type),
        targetType: 'alert',
        targetId: alert.id,
        details,
      },
      trx
    )
  }
}

const alertActions = new AlertActions()
export default alertActions
