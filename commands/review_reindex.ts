import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Builds the duplicate check's term index for projects submitted before it existed (once, after
 * upgrading); submissions index themselves. Batched, each batch its own transaction.
 */
export default class ReviewReindex extends BaseCommand {
  static commandName = 'review:reindex'
  static description = 'Index the terms of submitted projects not yet in the duplicate-check index'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { indexMissing } = await import('#project_review/services/duplicate_check')
    const { default: similarityPool } = await import('#project_review/services/similarity_pool')
    const indexed = await indexMissing({
      onBatch: (done) => this.logger.info(`${done} projects indexed…`),
    })
    await similarityPool.close()
    this.logger.success(`${indexed} projects indexed (重复建设审查索引已更新)`)
  }
}
