import i18nManager from '@adonisjs/i18n/services/main'
import { DateTime } from 'luxon'
import Project from '#project_review/models/project'
import { ReviewError } from '#project_review/errors'
import { PDF_ZONE } from '#core/pdf/format'

/** A project by id ("12") or code ("XM2026-0012"). */
export function findProject(reference: string) {
  return /^\d+$/.test(reference)
    ? Project.find(Number(reference))
    : Project.findBy('code', reference)
}

/** The --year flag: absent → this year in Asia/Shanghai; out of 2000–2100 → null. */
export function parseYear(year: number | undefined): number | null {
  const value = year ?? DateTime.now().setZone(PDF_ZONE).year
  return Number.isInteger(value) && value >= 2000 && value <= 2100 ? value : null
}

/** Prints a refused document in Chinese and returns the exit code; unexpected errors rethrow. */
export function reportFailure(logger: { error(message: string): void }, error: unknown) {
  if (error instanceof ReviewError) {
    logger.error(error.translate(i18nManager.locale('zh-CN')))
    return 1
  }
  throw error
}
