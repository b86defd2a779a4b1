import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import limiter from '@adonisjs/limiter/services/main'
import User from '#identity/models/user'
import audit, { type AuditActor } from '#core/audit/audit_service'

export const MAX_FAILED_LOGINS = 5
export const LOCKOUT_MINUTES = 15
/** Failed attempts one IP may make in the window before it is throttled. */
export const IP_MAX_FAILURES = 20
export const IP_WINDOW = '15 mins'

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

/**
 * Password login with account lockout (5 failures → 15 minutes) and per-IP
 * throttling. Unknown usernames and wrong passwords take the same path
 * (one scrypt verification) and give the same answer.
 */
export class LoginService {
  protected ipLimiter() {
    return limiter.use({ requests: IP_MAX_FAILURES, duration: IP_WINDOW })
  }

  async attempt(
    username: string,
    password: string,
    actor: Pick<AuditActor, 'ip'>
  ): Promise<LoginResult> {
    const ipKey = `login_ip_${actor.ip ?? 'unknown'}`
    const ipLimiter = this.ipLimiter()
    if ((await ipLimiter.remaining(ipKey)) <= 0) {
      await audit.record({
        ...actor,
        action: 'auth.login',
        outcome: 'failure',
        details: { username, reason: 'throttled' },
      })
      return { ok: false, reason: 'throttled' }
    }

    const user = await User.query().where('username', username).preload('roleRows').first()
    const now = DateTime.utc()

    if (user?.isLocked(now)) {
      await ipLimiter.increment(ipKey)
      await audit.record({
        ...actor,
        actorId: user.id,
        actorName: user.username,
        action: 'auth.login',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason: 'locked' },
      })
      return {
        ok: false,
        reason: 'locked',
        minutes: Math.max(1, Math.ceil(user.lockedUntil!.diff(now, 'minutes').minutes)),
      }
    }

    const passwordOk = user
      ? await hash.verify(user.password, password)
      : await hash.verify(await dummyHash(), password)

    if (!user || !passwordOk) {
      await ipLimiter.increment(ipKey)
      if (user) return this.registerFailure(user, actor)
      await audit.record({
        ...actor,
        action: 'auth.login',
        outcome: 'failure',
        details: { username, reason: 'unknown_user' },
      })
      return { ok: false, reason: 'invalid' }
    }

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

    user.failedLoginCount = 0
    user.lockedUntil = null
    user.lastLoginAt = now
    await user.save()
    await audit.record({
      ...actor,
      actorId: user.id,
      actorName: user.username,
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
    })
    return { ok: true, user }
  }

  protected async registerFailure(user: User, actor: Pick<AuditActor, 'ip'>): Promise<LoginResult> {
    const base = {
      ...actor,
      actorId: user.id,
      actorName: user.username,
      targetType: 'user',
      targetId: user.id,
    }
    user.failedLoginCount += 1
    const lockNow = user.failedLoginCount >= MAX_FAILED_LOGINS
    if (lockNow) {
      user.lockedUntil = DateTime.utc().plus({ minutes: LOCKOUT_MINUTES })
      user.failedLoginCount = 0
    }
    await user.save()
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
        details: { minutes: LOCKOUT_MINUTES },
      })
      return { ok: false, reason: 'locked', minutes: LOCKOUT_MINUTES }
    }
    return { ok: false, reason: 'invalid' }
  }
}

export default new LoginService()
