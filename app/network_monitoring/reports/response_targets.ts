import env from '#start/env'
import { GRADES, type GradeLevel } from '#network_monitoring/alerts/classification'

/** Minutes to acknowledge / resolve an alert per grade (I 特别重大 … IV 一般). */
export interface ResponseTargets {
  mtta: Record<GradeLevel, number>
  mttr: Record<GradeLevel, number>
}

const DEFAULT_MTTA = [5, 15, 30, 60]
const DEFAULT_MTTR = [120, 240, 480, 1440]

/**
 * The targets the monthly report measures MTTA/MTTR against; settings SECURITY_MTTA_TARGETS and
 * SECURITY_MTTR_TARGETS ("5,15,30,60": minutes for grades I–IV). A malformed value keeps the default.
 */
export function responseTargets(): ResponseTargets {
  return {
    mtta: perGrade(env.get('SECURITY_MTTA_TARGETS'), DEFAULT_MTTA),
    mttr: perGrade(env.get('SECURITY_MTTR_TARGETS'), DEFAULT_MTTR),
  }
}

function perGrade(value: string | undefined, fallback: number[]): Record<GradeLevel, number> {
  const parts = (value ?? '').split(',').map((part) => Number(part.trim()))
  const valid = parts.length === 4 && parts.every((n) => Number.isFinite(n) && n > 0)
  const minutes = valid ? parts : fallback
  return Object.fromEntries(GRADES.map((grade, i) => [grade, minutes[i]])) as Record<
    GradeLevel,
    number
  >
}
