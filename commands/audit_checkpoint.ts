import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Verifies the chain and writes a signed checkpoint outside the database (also run on a schedule). */
export default class AuditCheckpoint extends BaseCommand {
  static commandName = 'audit:checkpoint'
  static description = 'Verify the audit chain and write an Ed25519-signed checkpoint of its head'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { default: audit } = await import('#core/audit/audit_service')
    const { operatorActor, operatorName } = await import('#core/audit/operator')
    const { describeFailure } = await import('#core/audit/verify_messages')
    const outcome = await audit.checkpoint('command', operatorName())
    await audit.record({
      ...operatorActor('audit:checkpoint'),
      action: 'audit.checkpoint',
      outcome: outcome.written ? 'success' : 'failure',
      details: outcome.written
        ? { lastId: outcome.payload.lastId, count: outcome.payload.count }
        : { reason: !outcome.result.ok ? outcome.result.reason : null },
    })
    if (!outcome.written) {
      const result = outcome.result
      this.logger.error(
        `no checkpoint written: the chain does not verify at event #${!result.ok ? (result.badEventId ?? '?') : '?'}: ${!result.ok ? describeFailure(result) : ''}`
      )
      this.exitCode = 1
      return
    }
    this.logger.success(
      `checkpoint written: ${outcome.file} (event #${outcome.payload.lastId ?? '-'}, ${outcome.payload.count} events)`
    )
  }
}
