import { assertFen, sumFen } from '#core/money'
import { RuleError } from '#core/rule_error'

/**
 * Review arithmetic: score sheets → panel score → conclusion, expert recommendations → recommended
 * amount, requested vs approved → cut figures. Scores are handled internally as integer hundredths
 * of a point and money as integer fen, so every published figure is exact and reproducible.
 */

/** A weighted criterion of a score sheet template; an expert scores it within [0, maxScore]. */
export interface Criterion {
  key: string
  label: string
  weight: number
  maxScore: number
}

/** 评审表 default (=100): the template a new review starts from; keys are stable, labels are display text. */
export const DEFAULT_SCORE_TEMPLATE: readonly Readonly<Criterion>[] = Object.freeze([
  { key: 'necessity', label: '建设必要性', weight: 20, maxScore: 20 },
  { key: 'feasibility', label: '技术方案可行性', weight: 25, maxScore: 25 },
  { key: 'budget', label: '预算合理性', weight: 25, maxScore: 25 },
  { key: 'security', label: '安全保障与等保合规', weight: 15, maxScore: 15 },
  { key: 'sharing', label: '资源共享与避免重复建设', weight: 15, maxScore: 15 },
])

export type Conclusion = 'pass' | 'revise' | 'fail'

/** Conclusion thresholds (settings): score ≥ pass → 通过, ≥ revise → 修改后通过, else 不通过. */
export interface ConclusionThresholds {
  pass: number
  revise: number
}

export const DEFAULT_THRESHOLDS: Readonly<ConclusionThresholds> = Object.freeze({
  pass: 80,
  revise: 60,
})

const ERRORS = {
  E_NO_SHEETS: 'review.no_sheets',
  E_TOTAL_OUT_OF_RANGE: 'review.total_out_of_range',
  E_WEIGHTS_NOT_100: 'review.weights_not_100',
  E_INVALID_CRITERION: 'review.invalid_criterion',
  E_SCORE_MISSING: 'review.score_missing',
  E_SCORE_UNKNOWN_CRITERION: 'review.score_unknown_criterion',
  E_SCORE_OUT_OF_RANGE: 'review.score_out_of_range',
  E_SCORE_PRECISION: 'review.score_precision',
  E_INVALID_THRESHOLDS: 'review.invalid_thresholds',
  E_NO_RECOMMENDATIONS: 'review.no_recommendations',
  E_NEGATIVE_AMOUNT: 'review.negative_amount',
} as const

export type ReviewErrorCode = keyof typeof ERRORS

/** Rejections of sheet, template or settings data, with details an error message can interpolate. */
export class ReviewRuleError extends RuleError<ReviewErrorCode> {
  declare readonly i18nKey: (typeof ERRORS)[ReviewErrorCode]

  constructor(code: ReviewErrorCode, details: Record<string, string | number> = {}) {
    super(code, ERRORS[code], details)
  }
}

/** Which sheets the 去掉一个最高分和一个最低分 rule set aside, so the report can say so. */
export interface PanelScore {
  score: number
  droppedHighestIndex: number | null
  droppedLowestIndex: number | null
}

/** Minimum number of sheets before one highest and one lowest are dropped. */
export const TRIM_FROM_SHEETS = 5

/**
 * Final score of a panel: the mean of sheet totals (0–100, up to 2 decimals) rounded half-up to
 * 2 decimals; from five sheets on, exactly one highest and one lowest are dropped first.
 */
export function panelScore(sheetTotals: readonly number[]): PanelScore {
  if (sheetTotals.length === 0) throw new ReviewRuleError('E_NO_SHEETS')
  const hundredths = sheetTotals.map((total, index) => {
    if (!Number.isFinite(total) || total < 0 || total > 100) {
      throw new ReviewRuleError('E_TOTAL_OUT_OF_RANGE', { index, total })
    }
    return toHundredths(total, () => new ReviewRuleError('E_SCORE_PRECISION', { index, total }))
  })
  let droppedHighestIndex: number | null = null
  let droppedLowestIndex: number | null = null
  if (hundredths.length >= TRIM_FROM_SHEETS) {
    const high = hundredths.indexOf(Math.max(...hundredths))
    let low = high === 0 ? 1 : 0
    hundredths.forEach((value, index) => {
      if (index !== high && value < hundredths[low]) low = index
    })
    droppedHighestIndex = high
    droppedLowestIndex = low
  }
  const counted = hundredths.filter((_, i) => i !== droppedHighestIndex && i !== droppedLowestIndex)
  const sum = counted.reduce((a, b) => a + b, 0)
  return {
    score: divideHalfUp(sum, counted.length) / 100,
    droppedHighestIndex,
    droppedLowestIndex,
  }
}

/** Maps a panel score to 通过 / 修改后通过 / 不通过 using the configured thresholds. */
export function conclusionFor(
  score: number,
  thresholds: ConclusionThresholds = DEFAULT_THRESHOLDS
): Conclusion {
  const { pass, revise } = thresholds
  if (![pass, revise].every(Number.isFinite) || revise > pass || revise < 0 || pass > 100) {
    throw new ReviewRuleError('E_INVALID_THRESHOLDS', { pass, revise })
  }
  if (score >= pass) return 'pass'
  if (score >= revise) return 'revise'
  return 'fail'
}

/** Refuses a template whose weights are not whole numbers summing to exactly 100. */
export function validateCriteria(criteria: readonly Criterion[]): void {
  const keys = new Set<string>()
  for (const { key, weight, maxScore } of criteria) {
    if (
      key === '' ||
      keys.has(key) ||
      !Number.isInteger(weight) ||
      weight <= 0 ||
      !Number.isInteger(maxScore) ||
      maxScore <= 0
    ) {
      throw new ReviewRuleError('E_INVALID_CRITERION', { key, weight, maxScore })
    }
    keys.add(key)
  }
  const sum = criteria.reduce((total, criterion) => total + criterion.weight, 0)
  if (sum !== 100) throw new ReviewRuleError('E_WEIGHTS_NOT_100', { sum })
}

/**
 * Total of one sheet: Σ weight × score / maxScore, rounded half-up to 2 decimals once at the end
 * (exact rational arithmetic, so 25 × 7 / 9 does not drift). Scores take at most 2 decimals.
 */
export function sheetTotal(
  criteria: readonly Criterion[],
  scores: Readonly<Record<string, number>>
): number {
  validateCriteria(criteria)
  for (const key of Object.keys(scores)) {
    if (!criteria.some((criterion) => criterion.key === key)) {
      throw new ReviewRuleError('E_SCORE_UNKNOWN_CRITERION', { key })
    }
  }
  let numerator = 0n
  let denominator = 1n
  for (const { key, weight, maxScore } of criteria) {
    const score = scores[key]
    if (score === undefined) throw new ReviewRuleError('E_SCORE_MISSING', { key })
    if (!Number.isFinite(score) || score < 0 || score > maxScore) {
      throw new ReviewRuleError('E_SCORE_OUT_OF_RANGE', { key, score, maxScore })
    }
    const scoreHundredths = toHundredths(
      score,
      () => new ReviewRuleError('E_SCORE_PRECISION', { key, score })
    )
    const max = BigInt(maxScore)
    numerator = numerator * max + BigInt(weight * scoreHundredths) * denominator
    denominator *= max
  }
  return Number(divideHalfUpBig(numerator, denominator)) / 100
}

/**
 * Recommended amount of a line item: the median of the experts' recommendations, so one outlier
 * cannot drag it; with an even count the mean of the middle two, rounded half-up to whole fen.
 */
export function medianFen(amounts: readonly number[]): number {
  if (amounts.length === 0) throw new ReviewRuleError('E_NO_RECOMMENDATIONS')
  for (const amount of amounts) {
    assertFen(amount)
    if (amount < 0) throw new ReviewRuleError('E_NEGATIVE_AMOUNT', { amount })
  }
  const sorted = [...amounts].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  if (sorted.length % 2 === 1) return sorted[middle]
  const low = sorted[middle - 1]
  return low + Math.ceil((sorted[middle] - low) / 2)
}

/**
 * Cut figures (核减). The rate is an integer in hundredths of a percent (basis points):
 * 2510 means 25.10 %, computed as round-half-away-from-zero(cut × 10000 / requested) on integers.
 * It is null when nothing was requested. A negative cut means more was approved than requested.
 */
export interface CutFigures {
  requestedFen: number
  approvedFen: number
  cutFen: number
  cutRateBp: number | null
}

/**
 * Sums requested and approved fen first, then derives cut and rate: works for the line items of
 * one project and equally for the projects of a year (pass each project's totals as one item), so
 * the annual 核减率 is weighted by money, never an average of per-project rates.
 */
export function cutFigures(
  items: readonly { requestedFen: number; approvedFen: number }[]
): CutFigures {
  for (const item of items) {
    if (item.requestedFen < 0 || item.approvedFen < 0) {
      throw new ReviewRuleError('E_NEGATIVE_AMOUNT', {
        requestedFen: item.requestedFen,
        approvedFen: item.approvedFen,
      })
    }
  }
  const requestedFen = sumFen(items.map((item) => item.requestedFen))
  const approvedFen = sumFen(items.map((item) => item.approvedFen))
  const cutFen = requestedFen - approvedFen
  const cutRateBp =
    requestedFen === 0
      ? null
      : Number(divideHalfUpBig(BigInt(cutFen) * 10_000n, BigInt(requestedFen)))
  return { requestedFen, approvedFen, cutFen, cutRateBp }
}

/** Renders a basis-point rate the way the reports print it: 2510 → "25.10" (append "%"). */
export function formatRateBp(rateBp: number): string {
  const abs = Math.abs(rateBp)
  return `${rateBp < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

function toHundredths(value: number, error: () => ReviewRuleError): number {
  const hundredths = Math.round(value * 100)
  if (Math.abs(hundredths - value * 100) > 1e-6) throw error()
  return hundredths
}

function divideHalfUp(numerator: number, denominator: number): number {
  return Number(divideHalfUpBig(BigInt(numerator), BigInt(denominator)))
}

/** Integer division rounding half away from zero; the denominator is positive. */
function divideHalfUpBig(numerator: bigint, denominator: bigint): bigint {
  const abs = numerator < 0n ? -numerator : numerator
  const quotient = (abs * 2n + denominator) / (denominator * 2n)
  return numerator < 0n ? -quotient : quotient
}
