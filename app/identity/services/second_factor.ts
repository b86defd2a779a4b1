import { createHmac, randomInt } from 'node:crypto'
import { DateTime } from 'luxon'
import * as OTPAuth from 'otpauth'
import QRCode from 'qrcode'
import env from '#start/env'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type User from '#identity/models/user'
import { isRole, type Role } from '#identity/roles'
import audit, { type AuditActor } from '#core/audit/audit_service'

const PURPOSE = 'totp-secret'
const ISSUER = '数治'
const PERIOD = 30
export const RECOVERY_CODE_COUNT = 10
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
const DEFAULT_REQUIRED_ROLES: Role[] = ['sysadmin', 'auditor', 'netadmin', 'reviewer']

/** Whether the second factor is forced (MFA_ENFORCE; on in production) and for which roles. */
export function mfaPolicy(): { enforced: boolean; roles: Role[] } {
  const enforced = env.get('MFA_ENFORCE', app.inProduction)
  const listed = env.get('MFA_REQUIRED_ROLES')
  const roles = listed
    ? listed
        .split(',')
        .map((r) => r.trim())
        .filter(isRole)
    : DEFAULT_REQUIRED_ROLES
  return { enforced, roles }
}

function totpFor(base32: string, label: string) {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(base32),
  })
}

/** Recovery codes are stored as HMACs keyed with APP_KEY: a stolen table alone is useless. */
function recoveryHash(code: string) {
  const normalised = code.toLowerCase().replace(/[^a-z0-9]/g, '')
  return createHmac('sha256', env.get('APP_KEY').release())
    .update(`recovery:${normalised}`)
    .digest('hex')
}

function newRecoveryCode() {
  let code = ''
  for (let i = 0; i < 10; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]
  return `${code.slice(0, 5)}-${code.slice(5)}`
}

/** Rows changed by an update (drivers answer a number or a one-element array). */
function affected(result: unknown) {
  return Number(Array.isArray(result) ? result[0] : result)
}

export interface Enrolment {
  secret: string
  uri: string
  qrDataUrl: string
}

/**
 * TOTP second factor (RFC 6238, 6 digits, 30 s, SHA-1 as every authenticator
 * app supports): enrolment with a QR code, one-time recovery codes, and the
 * check at login. Secrets are encrypted at rest with APP_KEY; each time step
 * is accepted once (a replayed code fails).
 */
export class SecondFactorService {
  isRequired(user: User) {
    const { enforced, roles } = mfaPolicy()
    return enforced && user.hasRole(...roles)
  }

  /** Starts (or restarts) enrolment: a fresh pending secret, shown as a QR code and as text. */
  async beginEnrolment(user: User): Promise<Enrolment> {
    const secret = new OTPAuth.Secret({ size: 20 }).base32
    user.totpPendingSecret = encryption.encrypt(secret, undefined, PURPOSE)
    await user.save()
    return this.describe(user, secret)
  }

  /** The pending enrolment, to show it again (e.g. after a wrong code). */
  async pendingEnrolment(user: User): Promise<Enrolment | null> {
    const secret = this.open(user.totpPendingSecret)
    return secret ? this.describe(user, secret) : null
  }

  protected async describe(user: User, secret: string): Promise<Enrolment> {
    const uri = totpFor(secret, user.username).toString()
    const qrDataUrl = await QRCode.toDataURL(uri, {
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 220,
    })
    return { secret, uri, qrDataUrl }
  }

  protected open(sealed: string | null) {
    if (!sealed) return null
    return encryption.decrypt<string>(sealed, PURPOSE) ?? null
  }

  /**
   * Confirms enrolment with a code from the app. Returns the recovery codes
   * (to show once) or null when the code is wrong.
   */
  async confirmEnrolment(user: User, code: string, actor: AuditActor): Promise<string[] | null> {
    const secret = this.open(user.totpPendingSecret)
    if (!secret) return null
    const delta = totpFor(secret, user.username).validate({ token: code.trim(), window: 1 })
    if (delta === null) return null
    const step = OTPAuth.TOTP.counter({ period: PERIOD }) + delta
    return db.transaction(async (trx) => {
      user.useTransaction(trx)
      user.merge({
        totpSecret: user.totpPendingSecret,
        totpPendingSecret: null,
        totpEnabledAt: DateTime.utc(),
        totpLastStep: step,
      })
      await user.save()
      const codes = await this.replaceRecoveryCodes(user.id, trx)
      await audit.record(
        { ...actor, action: 'user.mfa_enable', targetType: 'user', targetId: user.id },
        trx
      )
      return codes
    })
  }

  protected async replaceRecoveryCodes(userId: number, trx: TransactionClientContract) {
    await trx.from('user_recovery_codes').where('user_id', userId).delete()
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
    const createdAt = DateTime.utc().toJSDate()
    await trx.table('user_recovery_codes').multiInsert(
      codes.map((code) => ({
        user_id: userId,
        code_hash: recoveryHash(code),
        created_at: createdAt,
      }))
    )
    return codes
  }

  async unusedRecoveryCodes(userId: number) {
    const row = await db
      .from('user_recovery_codes')
      .where('user_id', userId)
      .whereNull('used_at')
      .count('* as total')
      .first()
    return Number(row?.total ?? 0)
  }

  /**
   * Checks a code typed at login: a 6-digit TOTP (each time step once) or a
   * recovery code (each once). Both are consumed with a conditional update,
   * so two concurrent requests cannot use the same code.
   */
  async verify(user: User, input: string): Promise<'totp' | 'recovery' | null> {
    const code = input.trim()
    if (/^\d{6}$/.test(code)) {
      const secret = this.open(user.totpSecret)
      if (!secret) return null
      const delta = totpFor(secret, user.username).validate({ token: code, window: 1 })
      if (delta === null) return null
      const step = OTPAuth.TOTP.counter({ period: PERIOD }) + delta
      const updated = await db
        .from('users')
        .where('id', user.id)
        .where((q) => q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
        .update({ totp_last_step: step })
      return affected(updated) === 1 ? 'totp' : null
    }
    if (code.replace(/[^A-Za-z0-9]/g, '').length !== 10) return null
    const updated = await db
      .from('user_recovery_codes')
      .where('user_id', user.id)
      .where('code_hash', recoveryHash(code))
      .whereNull('used_at')
      .update({ used_at: DateTime.utc().toJSDate() })
    return affected(updated) === 1 ? 'recovery' : null
  }

  /** Removes the second factor (only through the approved reset of mfa_reset_service). */
  async remove(user: User, trx: TransactionClientContract) {
    user.useTransaction(trx)
    user.merge({
      totpSecret: null,
      totpPendingSecret: null,
      totpEnabledAt: null,
      totpLastStep: null,
    })
    await user.save()
    await trx.from('user_recovery_codes').where('user_id', user.id).delete()
  }
}

export default new SecondFactorService()
