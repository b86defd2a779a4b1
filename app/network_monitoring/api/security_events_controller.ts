import type { HttpContext } from '@adonisjs/core/http'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'
import { hasAlertSink } from '#network_monitoring/alerts/contract'
import { pushApiSettings } from '#network_monitoring/api/push_settings'
import { validateSecurityEvents } from '#network_monitoring/api/security_event_validator'
import { ingestSecurityEvents } from '#network_monitoring/api/security_event_ingest'
import ingestQueue from '#network_monitoring/api/ingest_queue'

/** `{events: [...]}`, a bare array of events, or one event object. */
function eventsPayload(body: unknown): { events: unknown } {
  if (Array.isArray(body)) return { events: body }
  if (body && typeof body === 'object' && 'events' in body) return body as { events: unknown }
  return { events: [body] }
}

/**
 * POST /api/v1/security-events — the 态势感知平台 pushes threat events (bearer token with
 * `security-events:write`). Rate-limited per token; more than 500 events → 413; any invalid
 * event → 422 with per-event field errors and nothing stored; else one transaction.
 */
export default class SecurityEventsController {
  async store(ctx: HttpContext) {
    const { request, response, i18n } = ctx
    const settings = pushApiSettings()
    try {
      await limiter
        .use({ requests: settings.requestsPerMinute, duration: '1 min' })
        .consume(`push-api:${ctx.apiClient!.id}`)
    } catch (error) {
      if (!(error instanceof limiterErrors.E_TOO_MANY_REQUESTS)) throw error
      const seconds = Math.max(1, Math.ceil(error.response.availableIn))
      response.header('retry-after', String(seconds))
      return response.tooManyRequests({
        error: i18n.t('security_events.api.rate_limited', {
          limit: settings.requestsPerMinute,
          seconds,
        }),
      })
    }
    if (!request.is(['json'])) {
      return response.status(415).send({ error: i18n.t('security_events.api.json_only') })
    }
    const payload = eventsPayload(request.body())
    if (Array.isArray(payload.events) && payload.events.length > settings.maxEventsPerRequest) {
      return response.status(413).send({
        error: i18n.t('security_events.api.too_many_events', {
          max: settings.maxEventsPerRequest,
          count: payload.events.length,
        }),
      })
    }
    const events = await validateSecurityEvents(payload, {
      messagesProvider: new ModuleMessagesProvider(i18n, 'security_events'),
    })
    if (!hasAlertSink()) {
      return response.serviceUnavailable({ error: i18n.t('security_events.api.store_unavailable') })
    }
    const stored = ingestQueue.run(() => ingestSecurityEvents(events))
    if (!stored) {
      response.header('retry-after', '5')
      return response.serviceUnavailable({ error: i18n.t('security_events.api.busy') })
    }
    return { data: await stored }
  }
}
