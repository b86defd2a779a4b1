import * as OTPAuth from 'otpauth'
import User from '#identity/models/user'
import secondFactor from '#identity/services/second_factor'
import { actorFrom } from '#core/audit/audit_service'

/** The code an authenticator app would show for a base32 secret (optionally one period later). */
export function totpCode(secret: string, offsetPeriods = 0) {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  })
  return totp.generate({ timestamp: Date.now() + offsetPeriods * 30_000 })
}

/** Enrols a user's second factor through the service; returns the secret and recovery codes. */
export async function enrolSecondFactor(user: User) {
  const { secret } = await secondFactor.beginEnrolment(user)
  const codes = await secondFactor.confirmEnrolment(user, totpCode(secret), {
    ...actorFrom({ auth: { user }, request: { ip: () => '127.0.0.1' } } as never),
  })
  if (!codes) throw new Error('enrolment failed')
  return { secret, codes }
}

export async function hasSecondFactor(userId: number) {
  const user = await User.findOrFail(userId)
  return user.hasSecondFactor
}
