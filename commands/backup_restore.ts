import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Restores a backup archive into an empty database after checking its manifest
 * (checksums, APP_KEY and AUDIT_KEY fingerprints), then verifies the audit trail.
 */
export default class BackupRestore extends BaseCommand {
  static commandName = 'backup:restore'
  static description = 'Restore a backup archive into an empty database (checks checksums and keys)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Path of the .tar.gz archive written by backup:create' })
  declare archive: string

  async run() {
    const { default: backups, BackupError } = await import('#core/audit/backup_service')
    const { default: audit } = await import('#core/audit/audit_service')
    const { operatorActor } = await import('#core/audit/operator')
    const { describeFailure } = await import('#core/audit/verify_messages')
    try {
      const { manifest, chain } = await backups.restore(this.archive, (message) =>
        this.logger.info(message)
      )
      this.logger.success(
        `restored the backup of ${manifest.createdAt} (${manifest.files.length} files)`
      )
      if (chain.ok) {
        // Recorded only in a trail that verifies: appending to an older trail would hide that it is older.
        await audit.record({
          ...operatorActor('backup:restore'),
          action: 'backup.restore',
          details: { archive: this.archive, createdAt: manifest.createdAt },
        })
        this.logger.success(`audit chain intact: ${chain.checked} events verified`)
      } else {
        this.logger.warning(
          `audit:verify after the restore: ${describeFailure(chain)}. The restored data is older than the newest signed checkpoint; keep this report with the restore record.`
        )
        this.exitCode = 2
      }
    } catch (error) {
      if (error instanceof BackupError) {
        this.logger.error(error.message)
        this.exitCode = 1
        return
      }
      throw error
    }
  }
}
