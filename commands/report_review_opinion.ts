import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Writes the 评审意见书 of an approved or declined project as a PDF. */
export default class ReportReviewOpinion extends BaseCommand {
  static commandName = 'report:review-opinion'
  static description = 'Write the review opinion (评审意见书) of a decided project as a PDF'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Project id or code (e.g. 12 or XM2026-0012)' })
  declare project: string

  @flags.string({
    description: 'Output file (default: 评审意见书-<code>.pdf in the current directory)',
  })
  declare out: string

  async run() {
    const { findProject, reportFailure } = await import('#project_review/reports/command_helpers')
    const { renderReviewOpinion } = await import('#project_review/reports/review_opinion')
    const { writePdfFile } = await import('#core/pdf/command_output')
    const project = await findProject(this.project)
    if (!project) {
      this.logger.error(`project ${this.project} not found (项目不存在)`)
      this.exitCode = 1
      return
    }
    try {
      const pdf = await renderReviewOpinion(project.id, { revealExperts: true })
      const path = await writePdfFile(pdf, this.out)
      this.logger.success(`${path} (${pdf.pages} pages)`)
    } catch (error) {
      this.exitCode = reportFailure(this.logger, error)
    }
  }
}
