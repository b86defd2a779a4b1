import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Verifies the keyed audit chain against the newest signed checkpoint; exits
 * non-zero naming the first bad row. The run itself is audited with the
 * operator (OS user and host).
 */
export default class AuditVerify extends BaseCommand {
  static commandName = 'audit:verify'
  static description =
    'Verify the audit log: HMAC chain, chain head and the newest signed checkpoint'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { default: audit } = await import('#core/audit/audit_service')
    const { operatorActor } = await import('#core/audit/operator')
    const { describeFailure } = await import('#core/audit/verify_messages')
    const result = await audit.verify((checked) => {
      if (checked % 10000 === 0 && checked > 0) this.logger.info(`checked ${checked} events…`)
    })
    await audit.record({
      ...operatorActor('audit:verify'),
      action: 'audit.verify',
      outcome: result.ok ? 'success' : 'failure',
      details: result.ok
        ? { checked: result.checked, checkpointLastId: result.checkpoint?.lastId ?? null }
        : { checked: result.checked, badEventId: result.badEventId, reason: result.reason },
    })
    if (result.ok) {
      const cp = result.checkpoint
      this.logger.success(
        `audit chain intact: ${result.checked} events verified (审计日志完整)` +
          (cp
            ? `; consistent with the signed checkpoint of ${cp.time} (event #${cp.lastId ?? '-'}, ${cp.count} events)`
            : '; no signed checkpoint yet (run `node ace audit:checkpoint`)')
      )
      return
    }
    this.logger.error(
      `audit chain BROKEN at event #${result.badEventId ?? '?'}: ${describeFailure(result)}; ${result.checked} events verified before it (审计日志完整性校验失败)`
    )
    this.exitCode = 1
  }
}
