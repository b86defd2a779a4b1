import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import { AuthorizationResponse, errors as bouncerErrors } from '@adonisjs/bouncer'
import { errors as vineErrors } from '@vinejs/vine'
import { RuleError } from '#core/rule_error'

/**
 * A refused review action (illegal transition, sheet already submitted, too few experts …).
 * Carries an i18n key and its values instead of a message, so the page shows it in the user's
 * language: forms get a flash message and go back, JSON clients get { error }.
 */
export class ReviewError extends Exception {
  static status = 409
  static code = 'E_REVIEW_REFUSED'

  /** Values that are lists of i18n keys (field or kind names), shown translated and joined. */
  readonly labels: Record<string, string[]>

  constructor(
    readonly i18nKey: string,
    readonly values: Record<string, string | number> = {},
    options: { status?: number; labels?: Record<string, string[]> } = {}
  ) {
    super(`${i18nKey} ${JSON.stringify({ ...values, ...options.labels })}`, {
      status: options.status ?? 409,
    })
    this.labels = options.labels ?? {}
  }

  /** The message in the language of `i18n`. */
  translate(i18n: HttpContext['i18n']) {
    const values: Record<string, string | number> = { ...this.values }
    for (const [name, keys] of Object.entries(this.labels)) {
      values[name] = keys.map((key) => i18n.t(key)).join('、')
    }
    return i18n.t(this.i18nKey, values)
  }

  /** Wraps a domain-rule error (DrawError, ReviewRuleError, MoneyError) keeping its i18n key. */
  static fromDomain(error: RuleError) {
    const key = error.i18nKey.startsWith('review.') ? error.i18nKey : `review.${error.i18nKey}`
    return new ReviewError(key, error.details, { status: 422 })
  }

  async handle(error: ReviewError, ctx: HttpContext) {
    const message = error.translate(ctx.i18n)
    if (ctx.request.url().startsWith('/api/') || ctx.request.accepts(['html', 'json']) === 'json') {
      return ctx.response.status(error.status).send({ error: message })
    }
    ctx.session.flash('error', message)
    ctx.session.flashExcept(['_csrf', '_method', 'attachment'])
    return ctx.response.redirect().back()
  }
}

/** One refused field: where it is on the form and the i18n key that says why. */
export interface FieldRefusal {
  field: string
  i18nKey: string
  values?: Record<string, string | number>
}

/**
 * Every refusal of a form at once, each next to its field: forms get the same flash as a VineJS
 * validation error (field messages plus the summary banner) and go back with their input; JSON
 * clients get 422 { errors: [{ field, message }] }.
 */
export class ReviewFieldErrors extends Exception {
  static status = 422
  static code = 'E_REVIEW_FIELDS'

  constructor(readonly refusals: FieldRefusal[]) {
    super(refusals.map((refusal) => `${refusal.field}: ${refusal.i18nKey}`).join('; '), {
      status: 422,
    })
  }

  messages(i18n: HttpContext['i18n']) {
    return this.refusals.map((refusal) => ({
      field: refusal.field,
      rule: refusal.i18nKey,
      message: i18n.t(refusal.i18nKey, refusal.values ?? {}),
    }))
  }

  async handle(error: ReviewFieldErrors, ctx: HttpContext) {
    const messages = error.messages(ctx.i18n)
    if (ctx.request.url().startsWith('/api/') || ctx.request.accepts(['html', 'json']) === 'json') {
      return ctx.response.status(422).send({ errors: messages })
    }
    ctx.session.flashValidationErrors(new vineErrors.E_VALIDATION_ERROR(messages))
    return ctx.response.redirect().back()
  }
}

/** Throws the collected refusals, if any. */
export function refuseFields(refusals: FieldRefusal[]) {
  if (refusals.length > 0) throw new ReviewFieldErrors(refusals)
}

/** True for the domain errors of app/project_review/domain and app/core/money. */
export function isDomainError(error: unknown): error is RuleError {
  return error instanceof RuleError
}

/**
 * A refusal that is an access-control decision (an expert opening someone else's sheet): raised
 * as the authorization failure the exception handler audits and answers with 403.
 */
export function forbidden() {
  return new bouncerErrors.E_AUTHORIZATION_FAILURE(AuthorizationResponse.deny('Access denied', 403))
}
