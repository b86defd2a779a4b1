import type { HttpContext } from '@adonisjs/core/http'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import alertActions, { AlertActionError } from '#network_monitoring/alerts/alert_actions'
import {
  assignValidator,
  handlingRecordValidator,
  reasonValidator,
  reclassifyValidator,
  resolveValidator,
  alertMessages,
} from '#network_monitoring/validators/alert_validators'
import { actorFrom } from '#core/audit/audit_service'
import { parseGrade } from '#network_monitoring/alerts/classification'
import handlingAttachments, { contentTypeOf } from '#network_monitoring/alerts/handling_attachments'
import AlertHandlingRecord from '#network_monitoring/models/alert_handling_record'
import audit from '#core/audit/audit_service'

/**
 * What a netadmin does to an alert. Each action: authorize (handle) → validate → the alert
 * actions service (one transaction, timeline, audit) → back to the alert with a message.
 * There is deliberately no delete: alerts are evidence (等保 / 网络安全法).
 */
export default class AlertsActionsController {
  async acknowledge(ctx: HttpContext) {
    return this.#run(ctx, 'acknowledged', () =>
      alertActions.acknowledge(ctx.params.id, actorFrom(ctx))
    )
  }

  async resolve(ctx: HttpContext) {
    return this.#run(ctx, 'resolved', async () => {
      const input = await ctx.request.validateUsing(resolveValidator, alertMessages(ctx))
      const handling =
        input.cause && input.action
          ? { cause: input.cause, action: input.action, evidence: input.evidence ?? null }
          : null
      return alertActions.resolve(ctx.params.id, actorFrom(ctx), handling)
    })
  }

  async close(ctx: HttpContext) {
    return this.#run(ctx, 'closed', () => alertActions.close(ctx.params.id, actorFrom(ctx)))
  }

  async reopen(ctx: HttpContext) {
    return this.#run(ctx, 'reopened', async () => {
      const { reason } = await ctx.request.validateUsing(reasonValidator, alertMessages(ctx))
      return alertActions.reopen(ctx.params.id, actorFrom(ctx), reason)
    })
  }

  async assign(ctx: HttpContext) {
    return this.#run(ctx, 'assigned', async () => {
      const { assigneeId } = await ctx.request.validateUsing(assignValidator, alertMessages(ctx))
      return alertActions.assign(ctx.params.id, actorFrom(ctx), assigneeId ?? null)
    })
  }

  async reclassify(ctx: HttpContext) {
    return this.#run(ctx, 'reclassified', async () => {
      const input = await ctx.request.validateUsing(reclassifyValidator, alertMessages(ctx))
      return alertActions.reclassify(ctx.params.id, actorFrom(ctx), {
        grade: parseGrade(input.grade),
        category: input.category ?? null,
        reason: input.reason,
      })
    })
  }

  /** Adds a 处置记录, with an optional PDF or image (multipart form, README "Alerts"). */
  async handling(ctx: HttpContext) {
    return this.#run(ctx, 'handled', async () => {
      const input = await ctx.request.validateUsing(handlingRecordValidator, alertMessages(ctx))
      const file = ctx.request.file('attachment')
      const kept = file ? await handlingAttachments.store(file) : null
      try {
        return await alertActions.addHandlingRecord(ctx.params.id, actorFrom(ctx), {
          cause: input.cause,
          action: input.action,
          evidence: input.evidence ?? null,
          attachmentPath: kept?.storedName ?? null,
          attachmentName: kept?.originalName ?? null,
        })
      } catch (error) {
        if (kept) await handlingAttachments.discard(kept.storedName)
        throw error
      }
    })
  }

  /** Downloads a 处置记录's attachment (netadmin and auditor: view ability), audited. */
  async attachment(ctx: HttpContext) {
    const { bouncer, params, response } = ctx
    await bouncer.with(MonitoringPolicy).authorize('viewAlerts')
    const record = await AlertHandlingRecord.findOrFail(params.id)
    if (!record.attachmentPath) return response.notFound()
    await audit.record({
      ...actorFrom(ctx),
      action: 'alert.attachment_download',
      targetType: 'alert',
      targetId: record.alertId,
      details: { handlingRecordId: record.id, attachment: record.attachmentName },
    })
    const type = contentTypeOf(record.attachmentPath)
    const ext = record.attachmentPath.split('.').pop()
    response.header('content-type', type)
    response.header('x-content-type-options', 'nosniff')
    response.header(
      'content-disposition',
      `attachment; filename="handling-${record.id}.${ext}"; filename*=UTF-8''${encodeURIComponent(record.attachmentName ?? `handling-${record.id}.${ext}`)}`
    )
    return response.stream(handlingAttachments.stream(record.attachmentPath))
  }

  async #run(ctx: HttpContext, done: string, work: () => Promise<unknown>) {
    const { bouncer, session, response, i18n, params } = ctx
    await bouncer.with(MonitoringPolicy).authorize('handleAlerts')
    try {
      await work()
      session.flash('success', i18n.t(`alerts.flash.${done}`))
    } catch (error) {
      if (!(error instanceof AlertActionError)) throw error
      session.flash('error', i18n.t(error.i18nKey, error.details))
    }
    return response.redirect(`/monitoring/alerts/${params.id}`)
  }
}
