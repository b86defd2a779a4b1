import { setTimeout as sleep } from 'node:timers/promises'
import { DateTime } from 'luxon'
import env from '#start/env'
import hash from '@adonisjs/core/services/hash'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import User, { normaliseUsername } from '#identity/models/user'
import audit, { type AuditActor } from '#core/audit/audit_service'

/**
 * Login throttling (OWASP "Blocking Brute Force Attacks"), all limits
 * configurable:
 * - per (username, IP): after `userIpMaxFailures` failures in the window that
 *   username is refused from that address for the window — the same for a
 *   username that does not exist, so the answer reveals nothing;
 * - per IP: after `ipMaxFailures` failures the address is not locked (a
 *   whole office shares one NAT address) but slowed down: its attempts are
 *   answered one at a time, each after `throttledDelayMs`, so a correct
 *   password still gets in while guessing becomes slow.
 * Counters are consumed atomically before the password is checked, so
 * concurrent attempts cannot slip past a limit.
 */
export interface ThrottleSettings {
  userIpMaxFailures: number
  ipMaxFailures: number
  windowMinutes: number
  throttledDelayMs: number
  /** Attempts that may wait in one address's slow lane; beyond that they are refused. */
  maxQueued: number
}

export function throttleSettingsFromEnv(): ThrottleSettings {
  return {
    userIpMaxFailures: env.get('LOGIN_USER_IP_MAX_FAILURES', 5),
    ipMaxFailures: env.get('LOGIN_IP_MAX_FAILURES', 100),
    windowMinutes: env.get('LOGIN_WINDOW_MINUTES', 15),
    throttledDelayMs: env.get('LOGIN_THROTTLED_DELAY_MS', 2000),
    maxQueued: 20,
  }
}

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid' | 'disabled' | 'throttled' }
  | { ok: false; reason: 'locked'; minutes: number }

/** One dummy hash per hasher (tests swap in a fake one), made on first use. */
const dummyHashes = new WeakMap<object, string>()

async function dummyHash() {
  const hasher = hash.use()
  let value = dummyHashes.get(hasher)
  if (value === undefined) {
    value = await hasher.make('dummy-password-for-timing')
    dummyHashes.set(hasher, value)
  }
  return value
}

export class LoginService {
  settings: ThrottleSettings = throttleSettingsFromEnv()

  /** Waiting attempts per throttled address (one process; each process slows its own share). */
  protected lanes = new Map<string, { tail: Promise<void>; waiting: number }>()

  protected pairLimiter() {
    const window = `${this.settings.windowMinutes} mins`
    return limiter.use({ requests: this.settings.userIpMaxFailures, duration: window })
  }

  protected ipLimiter() {
    const window = `${this.settings.windowMinutes} mins`
    return limiter.use({ requests: this.settings.ipMaxFailures, duration: window })
  }

  /** Consumes one point; false when the limit was already reached (atomic in every store). */
  protected async consume(
    store: ReturnType<LoginService['ipLimiter']>,
    key: string
  ): Promise<{ ok: true; remaining: number } | { ok: false; availableIn: number }> {
    try {
      const response = await store.consume(key)
      return { ok: true, remaining: response.remaining }
    } catch (error) {
      if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
        return { ok: false, availableIn: error.response.availableIn }
      }
      throw error
    }
  }

  /** Serialises a throttled address's attempts, each after the delay; false when the lane is full. */
  protected async slowLane(ip: string) {
    const lane = this.lanes.get(ip) ?? { tail: Promise.resolve(), waiting: 0 }
    if (lane.waiting >= this.settings.maxQueued) return false
    const previous = lane.tail
    let release!: () => void
    const mine = new Promise<void>((resolve) => (release = resolve))
    lane.tail = previous.then(() => mine)
    lane.waiting++
    this.lanes.set(ip, lane)
    try {
      await previous
      await sleep(this.settings.throttledDelayMs)
    } finally {
      lane.waiting--
      release()
      if (lane.waiting === 0) this.lanes.delete(ip)
    }
    return true
  }

  async attempt(
    username: string,
    password: string,
    actor: Pick<AuditActor, 'ip'>
  ): Promise<LoginResult> {
    const name = normaliseUsername(username)
    const ip = actor.ip ?? 'unknown'
    const ipKey = `login_ip:${ip}`
    const ipLimiter = this.ipLimiter()
    const ipBudget = await this.consume(ipLimiter, ipKey)
    if (!ipBudget.ok && !(await this.slowLane(ip))) {
      await audit.record({
        ...actor,
        action: 'auth.login',
        outcome: 'failure',
        details: { username: name, reason: 'throttled' },
      })
      return { ok: false, reason: 'throttled' }
    }

    const user = await User.query().where('username', name).preload('roleRows').first()
    const pairKey = `login_ui:${user?.loginEpoch ?? 0}:${name}:${ip}`
    const pairLimiter = this.pairLimiter()
    const pairBudget = await this.consume(pairLimiter, pairKey)
    if (!pairBudget.ok) {
      await audit.record({
        ...actor,
        ...(user ? { actorId: user.id, actorName: user.username } : {}),
        action: 'auth.login',
        outcome: 'failure',
        ...(user ? { targetType: 'user', targetId: user.id } : {}),
        details: { username: name, reason: 'locked' },
      })
      return {
        ok: false,
        reason: 'locked',
        minutes: Math.max(1, Math.ceil(pairBudget.availableIn / 60)),
      }
    }

    const passwordOk = user
      ? await hash.verify(user.password, password)
      : await hash.verify(await dummyHash(), password)

    if (!user || !passwordOk) {
      const lockNow = pairBudget.remaining <= 0
      if (lockNow) await pairLimiter.block(pairKey, `${this.settings.windowMinutes} mins`)
      await this.registerFailure(user, name, actor, lockNow)
      if (lockNow) return { ok: false, reason: 'locked', minutes: this.settings.windowMinutes }
      return { ok: false, reason: 'invalid' }
    }

    // A correct password is no failure: give the points back.
    await pairLimiter.delete(pairKey)
    if (ipBudget.ok) await ipLimiter.decrement(ipKey)

    if (!user.isActive) {
      await audit.record({
        ...actor,
        actorId: user.id,
        actorName: user.username,
        action: 'auth.login',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason: 'disabled' },
      })
      return { ok: false, reason: 'disabled' }
    }
    return { ok: true, user }
  }

  /** Records a successful login (after the second factor, when there is one). */
  async succeeded(user: User, actor: Pick<AuditActor, 'ip'>, details?: Record<string, unknown>) {
    user.failedLoginCount = 0
    user.lockedUntil = null
    user.lastLoginAt = DateTime.utc()
    await user.save()
    await audit.record({
      ...actor,
      actorId: user.id,
      actorName: user.username,
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
      ...(details ? { details } : {}),
    })
  }

  protected async registerFailure(
    user: User | null,
    name: string,
    actor: Pick<AuditActor, 'ip'>,
    lockNow: boolean
  ) {
    if (!user) {
      await audit.record({
        ...actor,
        action: 'auth.login',
        outcome: 'failure',
        details: { username: name, reason: 'unknown_user' },
      })
      return
    }
    const base = {
      ...actor,
      actorId: user.id,
      actorName: user.username,
      targetType: 'user',
      targetId: user.id,
    }
    // Informational for the sysadmin's list (enforcement is the limiter above).
    if (lockNow) {
      await User.query()
        .where('id', user.id)
        .update({
          failed_login_count: 0,
          locked_until: DateTime.utc()
            .plus({ minutes: this.settings.windowMinutes })
            .toFormat('yyyy-MM-dd HH:mm:ss'),
        })
    } else {
      await User.query().where('id', user.id).increment('failed_login_count', 1)
    }
    await audit.record({
      ...base,
      action: 'auth.login',
      outcome: 'failure',
      details: { reason: 'bad_password' },
    })
    if (lockNow) {
      await audit.record({
        ...base,
        action: 'auth.lockout',
        outcome: 'failure',
        details: { minutes: this.settings.windowMinutes },
      })
    }
  }
}

export default new LoginService()
