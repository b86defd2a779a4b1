import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Writes the 网络安全月报 of a month as a PDF (totals as the 告警中心 filtered by that month). */
export default class ReportSecurity extends BaseCommand {
  static commandName = 'report:security'
  static description = 'Write the monthly network security report (网络安全月报) as a PDF'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Month YYYY-MM (default: the current month in Asia/Shanghai)' })
  declare month: string

  @flags.string({ description: 'Output file (default: 网络安全月报-<month>.pdf)' })
  declare out: string

  async run() {
    const { renderSecurityReport } = await import('#network_monitoring/reports/security_report')
    const { currentMonth } = await import('#network_monitoring/services/availability_report')
    const { writePdfFile } = await import('#core/pdf/command_output')
    const month = this.month ?? currentMonth()
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      this.logger.error(`invalid --month ${month} (月份格式应为 YYYY-MM，例如 2026-03)`)
      this.exitCode = 1
      return
    }
    const started = performance.now()
    const pdf = await renderSecurityReport(month)
    const path = await writePdfFile(pdf, this.out)
    this.logger.success(
      `${path} (${pdf.pages} pages, ${Math.round(performance.now() - started)} ms)`
    )
  }
}
