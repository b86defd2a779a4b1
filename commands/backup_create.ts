import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Writes one backup archive (database, files under storage/, manifest) and prunes old ones. */
export default class BackupCreate extends BaseCommand {
  static commandName = 'backup:create'
  static description =
    'Back up the database and attachments into one archive with a checksummed manifest (BACKUP_DIR)'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { default: backups } = await import('#core/audit/backup_service')
    const { default: audit } = await import('#core/audit/audit_service')
    const { operatorActor } = await import('#core/audit/operator')
    const actor = operatorActor('backup:create')
    try {
      const result = await backups.create((message) => this.logger.info(message))
      await audit.record({
        ...actor,
        action: 'backup.create',
        details: {
          archive: result.archive,
          files: result.manifest.files.length,
          auditLastId: result.manifest.audit.lastId,
          removed: result.removed,
        },
      })
      if (!result.chainOk) {
        this.logger.warning(
          'the audit chain did not verify when the backup was taken (see audit:verify)'
        )
      }
      this.logger.success(
        `backup written: ${result.archive} (${result.manifest.files.length} files; audit events up to #${result.manifest.audit.lastId ?? '-'})`
      )
      if (result.removed.length)
        this.logger.info(`old backups removed: ${result.removed.join(', ')}`)
      this.logger.info(
        'copy it off this server (README "备份与恢复"): the keys are NOT in the archive'
      )
    } catch (error) {
      await audit.record({
        ...actor,
        action: 'backup.create',
        outcome: 'failure',
        details: { error: (error as Error).message.slice(0, 300) },
      })
      this.logger.error(`backup failed: ${(error as Error).message}`)
      this.exitCode = 1
    }
  }
}
