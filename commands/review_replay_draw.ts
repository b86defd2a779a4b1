import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Replays a project's expert draw from its recorded candidates and seed; exits 1 on a mismatch. */
export default class ReviewReplayDraw extends BaseCommand {
  static commandName = 'review:replay-draw'
  static description =
    'Replay the recorded expert draw of a project and check it gives the same panel'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Project id or code (e.g. 12 or XM2026-0012)' })
  declare project: string

  async run() {
    const { default: Project } = await import('#project_review/models/project')
    const { default: ReviewPanel } = await import('#project_review/models/review_panel')
    const { default: panels } = await import('#project_review/services/panels')

    const project = /^\d+$/.test(this.project)
      ? await Project.find(Number(this.project))
      : await Project.findBy('code', this.project)
    if (!project) {
      this.logger.error(`project ${this.project} not found (项目不存在)`)
      this.exitCode = 1
      return
    }
    const panel = await ReviewPanel.query()
      .where('project_id', project.id)
      .where('purpose', 'review')
      .first()
    if (!panel) {
      this.logger.error(`project ${project.code} has no drawn panel (该项目尚未抽取专家)`)
      this.exitCode = 1
      return
    }
    const { replayed, matches } = panels.replay(panel)
    this.logger.info(`project ${project.code} ${project.title}`)
    this.logger.info(`algorithm ${panel.algorithm}, seed ${panel.seed}`)
    this.logger.info(
      `candidates ${panel.candidates.length}, eligible ${replayed.eligible.length}, specialties [${panel.specialties.join(', ')}]`
    )
    const table = this.ui.table()
    table.head(['', 'panel 评审专家', 'alternates 候补'])
    table.row(['recorded 记录', panel.result.panel.join(', '), panel.result.alternates.join(', ')])
    table.row(['replayed 复现', replayed.panel.join(', '), replayed.alternates.join(', ')])
    table.render()
    if (matches) {
      this.logger.success('replay matches the recorded draw (复现结果与记录一致)')
      return
    }
    this.logger.error('replay DIFFERS from the recorded draw (复现结果与记录不一致)')
    this.exitCode = 1
  }
}
