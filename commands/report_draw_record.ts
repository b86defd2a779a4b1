import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Writes the 专家抽取记录表 of a project's expert draw as a PDF (replay check included). */
export default class ReportDrawRecord extends BaseCommand {
  static commandName = 'report:draw-record'
  static description = 'Write the expert draw record (专家抽取记录表) of a project as a PDF'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Project id or code (e.g. 12 or XM2026-0012)' })
  declare project: string

  @flags.string({ description: 'Output file (default: 专家抽取记录表-<code>.pdf)' })
  declare out: string

  @flags.string({
    description: 'Which draw: review (the review panel, default) or acceptance (验收专家)',
  })
  declare purpose: string

  async run() {
    const { findProject, reportFailure } = await import('#project_review/reports/command_helpers')
    const { renderDrawRecord } = await import('#project_review/reports/draw_record')
    const { writePdfFile } = await import('#core/pdf/command_output')
    const { PANEL_PURPOSES } = await import('#project_review/models/review_panel')
    const purpose = this.purpose ?? 'review'
    if (!(PANEL_PURPOSES as readonly string[]).includes(purpose)) {
      this.logger.error(
        `--purpose must be review or acceptance (抽取用途只能是 review（项目评审）或 acceptance（项目验收）)`
      )
      this.exitCode = 1
      return
    }
    const project = await findProject(this.project)
    if (!project) {
      this.logger.error(`project ${this.project} not found (项目不存在)`)
      this.exitCode = 1
      return
    }
    try {
      const pdf = await renderDrawRecord(project.id, undefined, purpose as 'review' | 'acceptance')
      const path = await writePdfFile(pdf, this.out)
      this.logger.success(`${path} (${pdf.pages} pages)`)
    } catch (error) {
      this.exitCode = reportFailure(this.logger, error)
    }
  }
}
