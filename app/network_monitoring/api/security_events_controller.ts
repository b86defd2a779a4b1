import type { HttpContext } from '@adonisjs/core/http'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'
import { hasAlertSink } from '#network_monitoring/alerts/contract'
import { pushApiSettings } from '#network_monitoring/api/push_settings'
import {
  MAX_FIELDS_PER_EVENT,
  validateSecurityEvents,
} from '#network_monitoring/api/security_event_validator'
import { ingestSecurityEvents } from '#network_monitoring/api/security_event_ingest'
import ingestQueue from '#network_monitoring/api/ingest_queue'

/** `{events: [...]}`, a bare array of events, or one event object. */
function eventsPayload(body: unknown): { events: unknown } {
  if (Array.isArray(body)) return { events: body }
  if (body && typeof body === 'object' && 'events' in body) return body as { events: unknown }
  return { events: [body] }
}

/**
 * The first event with more fields than any real event has, found without walking its keys:
 * a 1 MB body of one object with 50,000 keys would otherwise hold the validator for ~1 s.
 */
function overFullEvent(events: unknown[]): { index: number; count: number } | null {
  for (const [index, event] of events.entries()) {
    if (!event || typeof event !== 'object') continue
    let count = 0
    for (const key in event) {
      if (Object.hasOwn(event, key) && ++count > MAX_FIELDS_PER_EVENT) {
        return { index, count: Object.keys(event).length }
      }
    }
  }
  return null
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
    const body = request.body()
    if (!Array.isArray(body) && Object.keys(body).length === 0) {
      return response.badRequest({ error: i18n.t('security_events.api.empty_body') })
    }
    const payload = eventsPayload(body)
    if (Array.isArray(payload.events) && payload.events.length > settings.maxEventsPerRequest) {
      return response.status(413).send({
        error: i18n.t('security_events.api.too_many_events', {
          max: settings.maxEventsPerRequest,
          count: payload.events.length,
        }),
      })
    }
    const crowded = Array.isArray(payload.events) ? overFullEvent(payload.events) : null
    if (crowded) {
      return response.unprocessableEntity({
        errors: [
          {
            field: `events.${crowded.index}`,
            rule: 'maxFields',
            message: i18n.t('security_events.api.too_many_fields', {
              max: MAX_FIELDS_PER_EVENT,
              index: crowded.index,
              count: crowded.count,
            }),
          },
        ],
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
