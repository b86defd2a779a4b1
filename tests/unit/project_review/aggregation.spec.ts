import { test } from '@japa/runner'
import { parseYuan } from '#core/money'
import {
  DEFAULT_SCORE_TEMPLATE,
  ReviewRuleError,
  conclusionFor,
  cutFigures,
  formatRateBp,
  medianFen,
  panelScore,
  sheetTotal,
  validateCriteria,
  type Criterion,
} from '#project_review/domain/aggregation'

function rejection(action: () => unknown): ReviewRuleError {
  try {
    action()
  } catch (error) {
    if (error instanceof ReviewRuleError) return error
    throw error
  }
  throw new Error('expected a ReviewRuleError')
}

test.group('Aggregation | panel score', () => {
  test('drops one highest and one lowest with five sheets', ({ assert }) => {
    const result = panelScore([92, 85, 60, 88, 80])
    // 92 and 60 are set aside: (85 + 88 + 80) / 3 = 84.333…
    assert.equal(result.score, 84.33)
    assert.equal(result.droppedHighestIndex, 0)
    assert.equal(result.droppedLowestIndex, 2)
  })

  test('with fewer than five sheets every sheet counts', ({ assert }) => {
    assert.deepEqual(panelScore([92, 85, 60]), {
      score: 79,
      droppedHighestIndex: null,
      droppedLowestIndex: null,
    })
    assert.equal(panelScore([75.5]).score, 75.5)
    assert.equal(panelScore([80, 81, 82, 99]).score, 85.5)
  })

  test('drops exactly one of several equal extremes', ({ assert }) => {
    const result = panelScore([90, 90, 70, 70, 80, 80, 90])
    // one 90 and one 70 leave 90 + 70 + 80 + 80 + 90 = 410 over 5
    assert.equal(result.score, 82)
    assert.equal(result.droppedHighestIndex, 0)
    assert.equal(result.droppedLowestIndex, 2)
    const same = panelScore([80, 80, 80, 80, 80])
    assert.equal(same.score, 80)
    assert.notEqual(same.droppedHighestIndex, same.droppedLowestIndex)
  })

  test('rounds the mean half-up to two decimals without float drift', ({ assert }) => {
    // (80.01 + 80.02) / 2 = 80.015 → 80.02 (a float mean gives 80.01499999…)
    assert.equal(panelScore([80.01, 80.02]).score, 80.02)
    assert.equal(panelScore([85.33, 85.33, 85.34]).score, 85.33)
    assert.equal(panelScore([70.1, 70.2, 70.2]).score, 70.17)
  })

  test('refuses an empty panel and totals outside 0–100', ({ assert }) => {
    assert.equal(rejection(() => panelScore([])).code, 'E_NO_SHEETS')
    assert.equal(rejection(() => panelScore([80, 101])).code, 'E_TOTAL_OUT_OF_RANGE')
    assert.equal(rejection(() => panelScore([-1])).i18nKey, 'review.total_out_of_range')
    assert.equal(rejection(() => panelScore([Number.NaN])).code, 'E_TOTAL_OUT_OF_RANGE')
    assert.equal(rejection(() => panelScore([80.123])).code, 'E_SCORE_PRECISION')
  })
})

test.group('Aggregation | conclusion', () => {
  test('maps scores to 通过 / 修改后通过 / 不通过 at the default thresholds', ({ assert }) => {
    assert.equal(conclusionFor(100), 'pass')
    assert.equal(conclusionFor(80), 'pass')
    assert.equal(conclusionFor(79.99), 'revise')
    assert.equal(conclusionFor(60), 'revise')
    assert.equal(conclusionFor(59.99), 'fail')
    assert.equal(conclusionFor(0), 'fail')
  })

  test('follows thresholds changed in the settings', ({ assert }) => {
    assert.equal(conclusionFor(82, { pass: 85, revise: 70 }), 'revise')
    assert.equal(conclusionFor(69.99, { pass: 85, revise: 70 }), 'fail')
    assert.equal(conclusionFor(85, { pass: 85, revise: 70 }), 'pass')
  })

  test('refuses thresholds where 修改后通过 would be above 通过', ({ assert }) => {
    const error = rejection(() => conclusionFor(70, { pass: 60, revise: 80 }))
    assert.equal(error.code, 'E_INVALID_THRESHOLDS')
    assert.deepEqual(error.details, { pass: 60, revise: 80 })
  })
})

test.group('Aggregation | score sheet', () => {
  test('the default template is the five bureau criteria summing to 100', ({ assert }) => {
    assert.deepEqual(
      DEFAULT_SCORE_TEMPLATE.map(({ key, label, weight }) => [key, label, weight]),
      [
        ['necessity', '建设必要性', 20],
        ['feasibility', '技术方案可行性', 25],
        ['budget', '预算合理性', 25],
        ['security', '安全保障与等保合规', 15],
        ['sharing', '资源共享与避免重复建设', 15],
      ]
    )
    assert.doesNotThrow(() => validateCriteria(DEFAULT_SCORE_TEMPLATE))
  })

  test('with the default template the sheet total is the sum of the scores', ({ assert }) => {
    const total = sheetTotal(DEFAULT_SCORE_TEMPLATE, {
      necessity: 18,
      feasibility: 21.5,
      budget: 19,
      security: 13,
      sharing: 12.5,
    })
    assert.equal(total, 84)
    const perfect = Object.fromEntries(DEFAULT_SCORE_TEMPLATE.map((c) => [c.key, c.maxScore]))
    assert.equal(sheetTotal(DEFAULT_SCORE_TEMPLATE, perfect), 100)
  })

  test('criteria scored on their own scale contribute weight × score / max', ({ assert }) => {
    const tenPoint: Criterion[] = [
      { key: 'a', label: 'A', weight: 40, maxScore: 10 },
      { key: 'b', label: 'B', weight: 35, maxScore: 9 },
      { key: 'c', label: 'C', weight: 25, maxScore: 9 },
    ]
    // 40·8/10 + 35·7/9 + 25·7/9 = 32 + 60·7/9 = 32 + 46.666… = 78.666… → 78.67
    assert.equal(sheetTotal(tenPoint, { a: 8, b: 7, c: 7 }), 78.67)
    // 40·5/10 + 35·1/9 + 25·0 = 20 + 3.888… → 23.89
    assert.equal(sheetTotal(tenPoint, { a: 5, b: 1, c: 0 }), 23.89)
  })

  test('refuses templates whose weights do not sum to 100', ({ assert }) => {
    const template: Criterion[] = [
      { key: 'a', label: 'A', weight: 50, maxScore: 50 },
      { key: 'b', label: 'B', weight: 45, maxScore: 45 },
    ]
    const error = rejection(() => validateCriteria(template))
    assert.equal(error.code, 'E_WEIGHTS_NOT_100')
    assert.equal(error.i18nKey, 'review.weights_not_100')
    assert.deepEqual(error.details, { sum: 95 })
    assert.equal(rejection(() => sheetTotal(template, { a: 1, b: 1 })).code, 'E_WEIGHTS_NOT_100')
  })

  test('refuses malformed criteria', ({ assert }) => {
    const bad: Criterion[][] = [
      [{ key: 'a', label: 'A', weight: 100, maxScore: 0 }],
      [{ key: 'a', label: 'A', weight: 99.5, maxScore: 10 }],
      [
        { key: 'a', label: 'A', weight: 50, maxScore: 10 },
        { key: 'a', label: 'A again', weight: 50, maxScore: 10 },
      ],
    ]
    for (const criteria of bad) {
      assert.equal(rejection(() => validateCriteria(criteria)).code, 'E_INVALID_CRITERION')
    }
  })

  test('refuses a score above the maximum, below zero, missing or for no criterion', ({
    assert,
  }) => {
    const base = { necessity: 18, feasibility: 20, budget: 20, security: 12, sharing: 12 }
    const over = rejection(() => sheetTotal(DEFAULT_SCORE_TEMPLATE, { ...base, security: 16 }))
    assert.equal(over.code, 'E_SCORE_OUT_OF_RANGE')
    assert.deepEqual(over.details, { key: 'security', score: 16, maxScore: 15 })
    assert.equal(
      rejection(() => sheetTotal(DEFAULT_SCORE_TEMPLATE, { ...base, budget: -1 })).code,
      'E_SCORE_OUT_OF_RANGE'
    )
    const missing = { necessity: 18, feasibility: 20, budget: 20, security: 12 }
    assert.equal(
      rejection(() => sheetTotal(DEFAULT_SCORE_TEMPLATE, missing)).code,
      'E_SCORE_MISSING'
    )
    assert.equal(
      rejection(() => sheetTotal(DEFAULT_SCORE_TEMPLATE, { ...base, price: 5 })).code,
      'E_SCORE_UNKNOWN_CRITERION'
    )
    assert.equal(
      rejection(() => sheetTotal(DEFAULT_SCORE_TEMPLATE, { ...base, budget: 20.125 })).code,
      'E_SCORE_PRECISION'
    )
  })
})

test.group('Aggregation | recommended amount', () => {
  test('is the median of the experts’ recommendations', ({ assert }) => {
    const fen = (yuan: string) => parseYuan(yuan)
    assert.equal(
      medianFen([fen('80,000'), fen('95,000'), fen('10,000'), fen('90,000'), fen('85,000')]),
      fen('85,000')
    )
    assert.equal(medianFen([fen('123.45')]), fen('123.45'))
  })

  test('one outlier expert does not move it', ({ assert }) => {
    assert.equal(medianFen([100_00, 100_00, 100_00, 1, 999_999_99]), 100_00)
  })

  test('with an even count is the mean of the middle two rounded half-up to a fen', ({
    assert,
  }) => {
    assert.equal(medianFen([400, 100, 300, 200]), 250)
    assert.equal(medianFen([100, 101]), 101)
    assert.equal(medianFen([100, 102, 1, 10_000]), 101)
    const huge = Number.MAX_SAFE_INTEGER
    assert.equal(medianFen([huge - 1, huge]), huge)
  })

  test('refuses no recommendations, negative or fractional fen', ({ assert }) => {
    assert.equal(rejection(() => medianFen([])).code, 'E_NO_RECOMMENDATIONS')
    assert.equal(rejection(() => medianFen([100, -5])).code, 'E_NEGATIVE_AMOUNT')
    assert.throws(() => medianFen([100, 0.5]))
  })
})

test.group('Aggregation | cut figures', () => {
  test('cut is requested − approved and the rate is in hundredths of a percent', ({ assert }) => {
    const figures = cutFigures([
      { requestedFen: parseYuan('600,000'), approvedFen: parseYuan('450,000') },
      { requestedFen: parseYuan('400,000'), approvedFen: parseYuan('300,000') },
    ])
    assert.deepEqual(figures, {
      requestedFen: parseYuan('1,000,000'),
      approvedFen: parseYuan('750,000'),
      cutFen: parseYuan('250,000'),
      cutRateBp: 2500,
    })
    assert.equal(formatRateBp(figures.cutRateBp!), '25.00')
  })

  test('reproduces the seeds’ 核减率 25.10%', ({ assert }) => {
    const figures = cutFigures([
      { requestedFen: parseYuan('100,000,000'), approvedFen: parseYuan('74,900,000') },
    ])
    assert.equal(figures.cutRateBp, 2510)
    assert.equal(`${formatRateBp(figures.cutRateBp!)}%`, '25.10%')
  })

  test('rounds the rate half-up exactly, even for amounts to the fen', ({ assert }) => {
    // 1 of 8 fen = 12.5 % exactly; 1 of 3 = 33.333… %; 2 of 3 = 66.666… %
    assert.equal(cutFigures([{ requestedFen: 8, approvedFen: 7 }]).cutRateBp, 1250)
    assert.equal(cutFigures([{ requestedFen: 3, approvedFen: 2 }]).cutRateBp, 3333)
    assert.equal(cutFigures([{ requestedFen: 3, approvedFen: 1 }]).cutRateBp, 6667)
    // 0.005 % exactly → rounds up to 0.01 %; just below it → 0.00 %
    assert.equal(cutFigures([{ requestedFen: 20_000, approvedFen: 19_999 }]).cutRateBp, 1)
    assert.equal(cutFigures([{ requestedFen: 20_001, approvedFen: 20_000 }]).cutRateBp, 0)
    // a hundred billion yuan request stays exact
    const big = cutFigures([
      { requestedFen: parseYuan('10,000,000,000'), approvedFen: parseYuan('7,490,000,000.01') },
    ])
    assert.equal(big.cutFen, 251_000_000_000 - 1)
    assert.equal(big.cutRateBp, 2510)
  })

  test('the annual roll-up weights by money, not by averaging project rates', ({ assert }) => {
    const projects = [
      // small project cut by half, large project not cut at all
      cutFigures([{ requestedFen: parseYuan('100,000'), approvedFen: parseYuan('50,000') }]),
      cutFigures([{ requestedFen: parseYuan('900,000'), approvedFen: parseYuan('900,000') }]),
    ]
    const year = cutFigures(projects)
    assert.equal(year.requestedFen, parseYuan('1,000,000'))
    assert.equal(year.cutFen, parseYuan('50,000'))
    assert.equal(year.cutRateBp, 500) // 5.00 %, not the 25.00 % mean of 50 % and 0 %
  })

  test('no request means no rate, and over-approval shows as a negative cut', ({ assert }) => {
    assert.deepEqual(cutFigures([]), {
      requestedFen: 0,
      approvedFen: 0,
      cutFen: 0,
      cutRateBp: null,
    })
    const over = cutFigures([{ requestedFen: 300, approvedFen: 301 }])
    assert.equal(over.cutFen, -1)
    assert.equal(over.cutRateBp, -33)
    assert.equal(formatRateBp(over.cutRateBp!), '-0.33')
  })

  test('refuses negative amounts', ({ assert }) => {
    const error = rejection(() => cutFigures([{ requestedFen: -1, approvedFen: 0 }]))
    assert.equal(error.code, 'E_NEGATIVE_AMOUNT')
  })
})
