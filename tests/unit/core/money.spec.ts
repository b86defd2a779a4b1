import { test } from '@japa/runner'
import {
  MAX_YUAN,
  MoneyError,
  formatWanYuan,
  formatYuan,
  lineAmountFen,
  parseYuan,
  sumFen,
} from '#core/money'

function rejection(action: () => unknown): MoneyError {
  try {
    action()
  } catch (error) {
    if (error instanceof MoneyError) return error
    throw error
  }
  throw new Error('expected a MoneyError')
}

test.group('Money | parsing 元 typed by a user', () => {
  test('turns 元 with up to two decimals into exact fen', ({ assert }) => {
    assert.equal(parseYuan('12.5'), 1250)
    assert.equal(parseYuan('1,234.56'), 123456)
    assert.equal(parseYuan('0.01'), 1)
    assert.equal(parseYuan('0.1'), 10)
    assert.equal(parseYuan('100'), 10000)
    assert.equal(parseYuan('  88.80 '), 8880)
    assert.equal(parseYuan('007'), 700)
    assert.equal(parseYuan('12,345,678.90'), 1234567890)
  })

  test('sums that floats get wrong come out exact', ({ assert }) => {
    // 0.1 + 0.2 !== 0.3 in floating point; in fen it is 10 + 20 = 30.
    assert.equal(parseYuan('0.1') + parseYuan('0.2'), parseYuan('0.3'))
    assert.equal(parseYuan('1.15'), 115)
    assert.equal(parseYuan('4.35'), 435)
  })

  test('accepts up to 100 亿元 and nothing above', ({ assert }) => {
    assert.equal(parseYuan('10000000000'), MAX_YUAN * 100)
    assert.equal(parseYuan('10,000,000,000.00'), 1_000_000_000_000)
    assert.equal(rejection(() => parseYuan('10000000000.01')).code, 'E_MONEY_TOO_LARGE')
    assert.equal(rejection(() => parseYuan('99999999999999999999')).i18nKey, 'money.too_large')
  })

  test('each rejection names its reason with a stable code and an i18n key', ({ assert }) => {
    const cases: [string, string, string][] = [
      ['12.345', 'E_MONEY_TOO_MANY_DECIMALS', 'money.too_many_decimals'],
      ['-5', 'E_MONEY_NEGATIVE', 'money.negative'],
      ['-0.01', 'E_MONEY_NEGATIVE', 'money.negative'],
      ['abc', 'E_MONEY_NOT_A_NUMBER', 'money.not_a_number'],
      ['', 'E_MONEY_REQUIRED', 'money.required'],
      ['   ', 'E_MONEY_REQUIRED', 'money.required'],
    ]
    for (const [input, code, key] of cases) {
      const error = rejection(() => parseYuan(input))
      assert.equal(error.code, code, input)
      assert.equal(error.i18nKey, key, input)
      assert.equal(error.input, input)
    }
  })

  test('refuses shapes that are not plain amounts', ({ assert }) => {
    for (const input of [
      '1e5',
      '12.',
      '.5',
      '+5',
      '1 000',
      '12,34',
      '1,2345',
      '12元',
      'NaN',
      '0x10',
    ]) {
      assert.equal(rejection(() => parseYuan(input)).code, 'E_MONEY_NOT_A_NUMBER', input)
    }
  })
})

test.group('Money | display', () => {
  test('shows fen as 元 with separators and two decimals', ({ assert }) => {
    assert.equal(formatYuan(123456), '1,234.56')
    assert.equal(formatYuan(1), '0.01')
    assert.equal(formatYuan(0), '0.00')
    assert.equal(formatYuan(100000000000), '1,000,000,000.00')
    assert.equal(formatYuan(-250), '-2.50')
  })

  test('parsing the displayed 元 gives back the same fen', ({ assert }) => {
    for (const fen of [0, 1, 99, 100, 123456, 987654321, 1_000_000_000_000]) {
      assert.equal(parseYuan(formatYuan(fen)), fen)
    }
  })

  test('shows 万元 with two decimals rounded half-up', ({ assert }) => {
    assert.equal(formatWanYuan(100_000_000_00), '10,000.00')
    assert.equal(formatWanYuan(parseYuan('12,345.00')), '1.23')
    assert.equal(formatWanYuan(parseYuan('12,350.00')), '1.24')
    assert.equal(formatWanYuan(parseYuan('12,349.99')), '1.23')
    assert.equal(formatWanYuan(parseYuan('49.99')), '0.00')
    assert.equal(formatWanYuan(parseYuan('50')), '0.01')
    assert.equal(formatWanYuan(-parseYuan('12,350.00')), '-1.24')
    assert.equal(formatWanYuan(-parseYuan('49.99')), '0.00')
  })

  test('refuses to display a fraction of a fen or an unsafe number', ({ assert }) => {
    assert.equal(rejection(() => formatYuan(1.5)).code, 'E_MONEY_INVALID_AMOUNT')
    assert.equal(rejection(() => formatWanYuan(Number.NaN)).code, 'E_MONEY_INVALID_AMOUNT')
    assert.equal(rejection(() => formatYuan(2 ** 53)).code, 'E_MONEY_INVALID_AMOUNT')
  })
})

test.group('Money | arithmetic', () => {
  test('line amount is quantity × unit price in fen', ({ assert }) => {
    assert.equal(lineAmountFen(200, parseYuan('1,850.00')), 37_000_000)
    assert.equal(lineAmountFen(3, 33), 99)
    assert.equal(lineAmountFen(1, 0), 0)
  })

  test('refuses quantities that are not positive whole numbers', ({ assert }) => {
    for (const quantity of [0, -1, 1.5, Number.NaN]) {
      const error = rejection(() => lineAmountFen(quantity, 100))
      assert.equal(error.code, 'E_MONEY_INVALID_QUANTITY', String(quantity))
      assert.equal(error.i18nKey, 'money.invalid_quantity')
    }
  })

  test('refuses negative or fractional unit prices', ({ assert }) => {
    assert.equal(rejection(() => lineAmountFen(2, -100)).code, 'E_MONEY_NEGATIVE')
    assert.equal(rejection(() => lineAmountFen(2, 10.5)).code, 'E_MONEY_INVALID_AMOUNT')
  })

  test('refuses a product too large to stay exact instead of rounding it', ({ assert }) => {
    assert.equal(lineAmountFen(2 ** 26, 2 ** 26), 2 ** 52)
    assert.equal(rejection(() => lineAmountFen(2 ** 27, 2 ** 26)).code, 'E_MONEY_OVERFLOW')
    assert.equal(
      rejection(() => lineAmountFen(1_000_000, 1_000_000_000_000)).i18nKey,
      'money.overflow'
    )
  })

  test('sums fen exactly and refuses a total beyond exact range', ({ assert }) => {
    assert.equal(sumFen([]), 0)
    assert.equal(sumFen([10, 20, 30]), 60)
    assert.equal(sumFen([Number.MAX_SAFE_INTEGER - 1, 1]), Number.MAX_SAFE_INTEGER)
    assert.equal(rejection(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).code, 'E_MONEY_OVERFLOW')
    assert.equal(rejection(() => sumFen([1, 0.5])).code, 'E_MONEY_INVALID_AMOUNT')
  })
})
