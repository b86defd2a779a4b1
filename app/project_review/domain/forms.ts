import type { DateTime } from 'luxon'
import { DEFAULT_SCORE_TEMPLATE, type Criterion } from '#project_review/domain/aggregation'

/**
 * Forms as data (HotCRP's review form): every form an expert or a unit fills is a template of
 * rows with stable keys, stored with the panel or evaluation it was used for, so a later change
 * of the defaults never rewrites what was filled. Three kinds:
 * - weighted score (评审表): criteria with a weight and a maximum, summed;
 * - pass/fail checklist (验收检查表): every item 通过 / 不通过, with a note where it fails;
 * - indicators (绩效指标): a target and an actual value per indicator.
 */
export interface WeightedScoreForm {
  kind: 'weighted_score'
  criteria: Criterion[]
}

export interface ChecklistItem {
  key: string
  label: string
}

export interface ChecklistForm {
  kind: 'checklist'
  items: ChecklistItem[]
}

export interface IndicatorRow {
  key: string
  label: string
  unit: string
  /** higher actual values are better (usage, users served …); false for costs */
  higherIsBetter: boolean
}

export interface IndicatorForm {
  kind: 'indicators'
  indicators: IndicatorRow[]
}

export type FormTemplate = WeightedScoreForm | ChecklistForm | IndicatorForm

export function weightedScoreForm(
  criteria: readonly Criterion[] = DEFAULT_SCORE_TEMPLATE
): WeightedScoreForm {
  return { kind: 'weighted_score', criteria: criteria.map((criterion) => ({ ...criterion })) }
}

/** 验收检查表 default (DESIGN.md §A acceptance). */
export const DEFAULT_ACCEPTANCE_CHECKLIST: ChecklistForm = Object.freeze({
  kind: 'checklist',
  items: [
    { key: 'completeness', label: '建设内容完成度' },
    { key: 'documents', label: '文档齐全' },
    { key: 'security_assessment', label: '等保测评通过' },
    { key: 'trial_run', label: '试运行情况' },
    { key: 'funds', label: '资金使用合规' },
  ],
}) as ChecklistForm

/** Days an acceptance expert has, from the invitation, to submit the checklist. */
export const ACCEPTANCE_CHECK_DAYS = 7

/** The day (Asia/Shanghai) by which a checklist is due for an invitation sent at `invitedAt`. */
export function checkDeadline(invitedAt: DateTime) {
  return invitedAt.setZone('Asia/Shanghai').plus({ days: ACCEPTANCE_CHECK_DAYS }).startOf('day')
}

/** 绩效评价指标 default: usage, users served, data records shared, money saved. */
export const DEFAULT_EVALUATION_INDICATORS: IndicatorForm = Object.freeze({
  kind: 'indicators',
  indicators: [
    { key: 'usage_rate', label: '系统使用率', unit: '%', higherIsBetter: true },
    { key: 'users_served', label: '服务对象数', unit: '人', higherIsBetter: true },
    { key: 'records_shared', label: '共享数据量', unit: '条', higherIsBetter: true },
    { key: 'money_saved', label: '节约资金', unit: '万元', higherIsBetter: true },
  ],
}) as IndicatorForm

export type CheckResult = 'pass' | 'fail'

/** One expert's checklist answers: result per item key, a note required where it fails. */
export interface ChecklistAnswers {
  results: Record<string, CheckResult>
  notes: Record<string, string>
}

/**
 * Checks checklist answers against the form: every item answered, a note where it failed.
 * Returns the keys of the refused items (missing answer / missing note).
 */
export function checklistGaps(form: ChecklistForm, answers: ChecklistAnswers) {
  const missing: string[] = []
  const noteMissing: string[] = []
  for (const item of form.items) {
    const result = answers.results[item.key]
    if (result !== 'pass' && result !== 'fail') missing.push(item.key)
    else if (result === 'fail' && !answers.notes[item.key]?.trim()) noteMissing.push(item.key)
  }
  return { missing, noteMissing }
}

/** The panel's checklist tally: per item how many experts passed / failed it; all-pass flag. */
export function tallyChecklists(form: ChecklistForm, sheets: readonly ChecklistAnswers[]) {
  const items = form.items.map((item) => {
    const passed = sheets.filter((sheet) => sheet.results[item.key] === 'pass').length
    const failed = sheets.filter((sheet) => sheet.results[item.key] === 'fail').length
    return { ...item, passed, failed }
  })
  return { items, allPassed: sheets.length > 0 && items.every((item) => item.failed === 0) }
}

export interface IndicatorValue {
  key: string
  label: string
  unit: string
  target: number
  actual: number | null
}

/** Achievement of an indicator as a whole percentage (actual / target), null when unknown. */
export function achievementPercent(value: IndicatorValue) {
  if (value.actual === null || value.target <= 0) return null
  return Math.round((value.actual / value.target) * 100)
}
