import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Writes the 验收意见书 of the latest decided acceptance round as a PDF. */
export default class ReportAcceptance extends BaseCommand {
  static commandName = 'report:acceptance'
  static description = 'Write the acceptance opinion (验收意见书) of a project as a PDF'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Project id or code (e.g. 12 or XM2026-0012)' })
  declare project: string

  @flags.string({
    description: 'Output file (default: 验收意见书-<code>.pdf)',
  })
  declare out: string

  async run() {
    const { findProject, reportFailure } = await import('#project_review/reports/command_helpers')
    const { renderAcceptanceOpinion } = await import('#project_review/reports/acceptance_opinion')
    const { writePdfFile } = await import('#core/pdf/command_output')
    const project = await findProject(this.project)
    if (!project) {
      this.logger.error(`project ${this.project} not found (项目不存在)`)
      this.exitCode = 1
      return
    }
    try {
      const pdf = await renderAcceptanceOpinion(project.id, { revealExperts: true })
      const path = await writePdfFile(pdf, this.out)
      this.logger.success(`${path} (${pdf.pages} pages)`)
    } catch (error) {
      this.exitCode = reportFailure(this.logger, error)
    }
  }
}
