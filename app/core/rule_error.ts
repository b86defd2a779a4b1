/**
 * A domain rule refused some input (money, score sheets, expert draws): a stable
 * `code` for callers, an `i18nKey` for the message, and the values it interpolates.
 */
export abstract class RuleError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    readonly i18nKey: string,
    readonly details: Record<string, string | number> = {},
    message = `${code} ${JSON.stringify(details)}`
  ) {
    super(message)
    this.name = new.target.name
  }
}
