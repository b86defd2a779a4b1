import { createHash } from 'node:crypto'
import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { SessionCollection } from '@adonisjs/session'
import type { HttpContext } from '@adonisjs/core/http'
import { LAST_SEEN_KEY } from '#middleware/idle_timeout_middleware'

/** Where a session remembers the device it was opened from. */
export const SESSION_META_KEY = 'device'
/** The key @adonisjs/auth's `web` session guard keeps the user id under. */
const AUTH_KEY = 'auth_web'

export interface SessionMeta {
  ip: string | null
  userAgent: string
  startedAt: number
}

export interface SessionView extends SessionMeta {
  /** A handle safe to show and post back: a hash, never the session id (a bearer credential). */
  handle: string
  lastSeenAt: number | null
  current: boolean
}

function handleOf(sessionId: string) {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 24)
}

/**
 * The logged-in sessions of each user, kept server-side by the session store
 * (tagged with the user id): list them, end one, end all. Ending a session
 * deletes it from the store, so every copy of its cookie stops working.
 */
export class SessionRegistry {
  protected async collection() {
    return app.container.make(SessionCollection)
  }

  /** After a successful login: remember the device and tag the session with the user. */
  async begin(ctx: HttpContext, userId: number) {
    const meta: SessionMeta = {
      ip: ctx.request.ip(),
      userAgent: String(ctx.request.header('user-agent') ?? '').slice(0, 300),
      startedAt: Date.now(),
    }
    ctx.session.put(SESSION_META_KEY, meta)
    if (ctx.session.supportsTagging()) await ctx.session.tag(String(userId))
  }

  /** The user's live sessions, newest activity first; idle-expired ones are removed on the way. */
  async list(userId: number, currentSessionId?: string): Promise<SessionView[]> {
    const collection = await this.collection()
    if (!collection.supportsTagging()) return []
    const idleMs = env.get('SESSION_IDLE_MINUTES', 30) * 60_000
    const now = Date.now()
    const views: SessionView[] = []
    for (const { id, data } of await collection.tagged(String(userId))) {
      if (String(data[AUTH_KEY] ?? '') !== String(userId)) continue
      const lastSeen = Number(data[LAST_SEEN_KEY] ?? 0) || null
      if (lastSeen && now - lastSeen > idleMs) {
        await collection.destroy(id)
        continue
      }
      const meta = (data[SESSION_META_KEY] ?? {}) as Partial<SessionMeta>
      views.push({
        handle: handleOf(id),
        ip: meta.ip ?? null,
        userAgent: meta.userAgent ?? '',
        startedAt: Number(meta.startedAt ?? 0),
        lastSeenAt: lastSeen,
        current: id === currentSessionId,
      })
    }
    return views.sort((a, b) => (b.lastSeenAt ?? b.startedAt) - (a.lastSeenAt ?? a.startedAt))
  }

  /** Ends one of the user's sessions by its handle; false when there is no such session. */
  async end(userId: number, handle: string) {
    const collection = await this.collection()
    if (!collection.supportsTagging()) return false
    for (const { id } of await collection.tagged(String(userId))) {
      if (handleOf(id) === handle) {
        await collection.destroy(id)
        return true
      }
    }
    return false
  }

  /** Ends every session of the user (except one, e.g. the one changing the password). */
  async endAll(userId: number, exceptSessionId?: string) {
    const collection = await this.collection()
    if (!collection.supportsTagging()) return 0
    let ended = 0
    for (const { id } of await collection.tagged(String(userId))) {
      if (id === exceptSessionId) continue
      await collection.destroy(id)
      ended++
    }
    return ended
  }
}

export default new SessionRegistry()
