/**
 * Money is an integer number of fen (分) everywhere: budgets, recommendations,
 * settlements. Floats never hold money; these helpers are the only place where
 * 元 text becomes fen and fen becomes 元 / 万元 text.
 */
import { RuleError } from '#core/rule_error'

/** Largest amount a user may type: 10^10 元 (100 亿元) — far beyond any county project, still exact. */
export const MAX_YUAN = 10_000_000_000
const FEN_PER_YUAN = 100
const FEN_PER_HUNDREDTH_WAN = 10_000
const MAX_INPUT_FEN = MAX_YUAN * FEN_PER_YUAN

const REASONS = {
  required: 'E_MONEY_REQUIRED',
  not_a_number: 'E_MONEY_NOT_A_NUMBER',
  negative: 'E_MONEY_NEGATIVE',
  too_many_decimals: 'E_MONEY_TOO_MANY_DECIMALS',
  too_large: 'E_MONEY_TOO_LARGE',
  invalid_quantity: 'E_MONEY_INVALID_QUANTITY',
  invalid_amount: 'E_MONEY_INVALID_AMOUNT',
  overflow: 'E_MONEY_OVERFLOW',
} as const

export type MoneyErrorReason = keyof typeof REASONS
export type MoneyErrorCode = (typeof REASONS)[MoneyErrorReason]

/** One class for every money rejection so callers can map `code` to HTTP and `i18nKey` to a message. */
export class MoneyError extends RuleError<MoneyErrorCode> {
  declare readonly i18nKey: `money.${MoneyErrorReason}`

  constructor(
    readonly reason: MoneyErrorReason,
    readonly input?: unknown
  ) {
    super(REASONS[reason], `money.${reason}`, {}, `invalid money (${reason}): ${String(input)}`)
  }
}

const NUMBER_SHAPE = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/

/** Turns what a user typed in 元 ("1,234.56", "12.5") into exact integer fen, or says precisely why not. */
export function parseYuan(input: string): number {
  const text = input.trim()
  if (text === '') throw new MoneyError('required', input)
  const negative = text.startsWith('-')
  const match = NUMBER_SHAPE.exec(negative ? text.slice(1) : text)
  if (!match) throw new MoneyError('not_a_number', input)
  if (negative) throw new MoneyError('negative', input)
  const [, integerPart, decimals = ''] = match
  if (decimals.length > 2) throw new MoneyError('too_many_decimals', input)
  const digits = integerPart.replaceAll(',', '').replace(/^0+(?=\d)/, '')
  if (digits.length > String(MAX_YUAN).length) throw new MoneyError('too_large', input)
  const fen = Number(digits) * FEN_PER_YUAN + Number(decimals.padEnd(2, '0'))
  if (fen > MAX_INPUT_FEN) throw new MoneyError('too_large', input)
  return fen
}

/** Shows fen as 元 with thousands separators and exactly two decimals ("1,234.56"). */
export function formatYuan(fen: number): string {
  assertFen(fen)
  const abs = Math.abs(fen)
  return `${fen < 0 ? '-' : ''}${group(Math.floor(abs / FEN_PER_YUAN))}.${pad2(abs % FEN_PER_YUAN)}`
}

/**
 * Shows fen as 万元 with two decimals, the unit of the annual statistics; rounds half away from
 * zero (四舍五入) on integers, so 1,234.50 元 is "0.12" and 1,250.00 元 is "0.13".
 */
export function formatWanYuan(fen: number): string {
  assertFen(fen)
  const abs = Math.abs(fen)
  const remainder = abs % FEN_PER_HUNDREDTH_WAN
  const hundredths =
    (abs - remainder) / FEN_PER_HUNDREDTH_WAN + (remainder * 2 >= FEN_PER_HUNDREDTH_WAN ? 1 : 0)
  const sign = fen < 0 && hundredths > 0 ? '-' : ''
  return `${sign}${group(Math.floor(hundredths / 100))}.${pad2(hundredths % 100)}`
}

/** Line-item amount = quantity × unit price, refused rather than silently losing precision. */
export function lineAmountFen(quantity: number, unitPriceFen: number): number {
  if (!Number.isSafeInteger(quantity) || quantity <= 0) {
    throw new MoneyError('invalid_quantity', quantity)
  }
  assertFen(unitPriceFen)
  if (unitPriceFen < 0) throw new MoneyError('negative', unitPriceFen)
  const amount = quantity * unitPriceFen
  if (!Number.isSafeInteger(amount))
    throw new MoneyError('overflow', `${quantity} × ${unitPriceFen}`)
  return amount
}

/** Sums fen amounts (totals, roll-ups) and refuses a total that would no longer be exact. */
export function sumFen(amounts: readonly number[]): number {
  let total = 0
  for (const amount of amounts) {
    assertFen(amount)
    total += amount
    if (!Number.isSafeInteger(total)) throw new MoneyError('overflow', amounts.length)
  }
  return total
}

/** Guards every entry point: a fen amount that is not a safe integer is a bug upstream, not a value. */
export function assertFen(fen: number): void {
  if (!Number.isSafeInteger(fen)) throw new MoneyError('invalid_amount', fen)
}

function group(integer: number): string {
  return String(integer).replace(/\B(?=(\d{3})+$)/g, ',')
}

function pad2(value: number): string {
  return String(value).padStart(2, '0')
}
