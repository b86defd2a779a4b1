import env from '#start/env'

/** Limits of the 态势感知 push API (README "Push API"). */
export interface PushApiSettings {
  /** Events in one request; more is refused with 413 (the body itself is capped at 1 MB). */
  maxEventsPerRequest: number
  /** Requests per minute and token; more get 429 with Retry-After. */
  requestsPerMinute: number
}

export const MAX_EVENTS_PER_REQUEST = 500

export function pushApiSettings(): PushApiSettings {
  return {
    maxEventsPerRequest: MAX_EVENTS_PER_REQUEST,
    requestsPerMinute: env.get('PUSH_API_REQUESTS_PER_MINUTE', 600),
  }
}
