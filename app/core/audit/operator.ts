import { hostname, userInfo } from 'node:os'
import type { AuditActor } from '#core/audit/audit_service'

/** The person at the console: OS user and host (for ace commands and scheduled jobs). */
export function operatorName() {
  let user = process.env.SUDO_USER || process.env.USER || ''
  try {
    user = user || userInfo().username
  } catch {
    user = user || 'unknown'
  }
  const sudo = process.env.SUDO_USER && process.env.SUDO_USER !== userInfo().username
  return `${user}${sudo ? `(sudo ${userInfo().username})` : ''}@${hostname()}`
}

/** An audit actor for an ace command: "root@host (ace audit:purge)". */
export function operatorActor(command: string): AuditActor {
  return { actorId: null, actorName: `${operatorName()} (ace ${command})`.slice(0, 100), ip: null }
}
