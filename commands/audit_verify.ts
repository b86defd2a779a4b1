import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Verifies the audit hash chain; exits non-zero naming the first bad row. */
export default class AuditVerify extends BaseCommand {
  static commandName = 'audit:verify'
  static description = 'Verify the integrity of the hash-chained audit log'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { default: audit } = await import('#core/audit/audit_service')
    const result = await audit.verify((checked) => {
      if (checked % 10000 === 0 && checked > 0) this.logger.info(`checked ${checked} events…`)
    })
    if (result.ok) {
      this.logger.success(`audit chain intact: ${result.checked} events verified (审计日志完整)`)
      return
    }
    const what = {
      content_altered: 'content was altered',
      link_broken: 'an earlier event was deleted or altered (broken link)',
      tail_missing: 'the newest event(s) were deleted',
    }[result.reason]
    this.logger.error(
      `audit chain BROKEN at event #${result.badEventId ?? '?'}: ${what}; ${result.checked} events verified before it (审计日志完整性校验失败)`
    )
    this.exitCode = 1
  }
}
