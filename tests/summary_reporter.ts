import { BaseReporter } from '@japa/runner/core'

/**
 * Prints the plain closing line CI reads: "N passed, N failed" (", N skipped"
 * when any), so a run that executed nothing is visible.
 */
class SummaryReporter extends BaseReporter {
  static name = 'summary'

  protected async end() {
    const summary = this.runner!.getSummary()
    const skipped = summary.aggregates.skipped + summary.aggregates.todo
    const line = `${summary.aggregates.passed} passed, ${summary.aggregates.failed} failed${skipped ? `, ${skipped} skipped` : ''}`
    console.log(`\n${line}`)
  }
}

export function summaryReporter() {
  return {
    name: 'summary',
    handler: (...args: Parameters<SummaryReporter['boot']>) => new SummaryReporter().boot(...args),
  }
}
