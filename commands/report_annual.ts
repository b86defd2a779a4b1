import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Writes 年度信息化项目管理统计 for a year as a PDF (the figures of GET /api/v1/stats/review). */
export default class ReportAnnual extends BaseCommand {
  static commandName = 'report:annual'
  static description = 'Write the annual project management statistics (年度统计) as a PDF'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Year (default: the current year in Asia/Shanghai)' })
  declare year: number

  @flags.string({ description: 'Output file (default: <year>年度信息化项目管理统计.pdf)' })
  declare out: string

  async run() {
    const { reportFailure, parseYear } = await import('#project_review/reports/command_helpers')
    const { renderAnnualStatistics } = await import('#project_review/reports/annual_statistics')
    const { writePdfFile } = await import('#core/pdf/command_output')
    const { loadPdfFonts } = await import('#core/pdf/fonts')
    const year = parseYear(this.year)
    if (year === null) {
      this.logger.error(`invalid --year ${this.year} (年份须为 2000–2100 之间的四位数字)`)
      this.exitCode = 1
      return
    }
    try {
      const started = performance.now()
      await loadPdfFonts()
      const fontsMs = performance.now() - started
      const pdf = await renderAnnualStatistics(year)
      const path = await writePdfFile(pdf, this.out)
      this.logger.success(
        `${path} (${pdf.pages} pages, ${Math.round(performance.now() - started)} ms, of which loading the font ${Math.round(fontsMs)} ms)`
      )
    } catch (error) {
      this.exitCode = reportFailure(this.logger, error)
    }
  }
}
