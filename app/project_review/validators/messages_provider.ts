import type { I18n } from '@adonisjs/i18n'
import type { FieldContext, MessagesProviderContact } from '@vinejs/vine/types'

/**
 * Validation messages of the review forms: the review's own keys (review.validator.*) first,
 * then the shared ones (validator.shared.*), so every refusal reads in the user's language.
 */
export class ReviewMessagesProvider implements MessagesProviderContact {
  constructor(protected i18n: I18n) {}

  protected resolve(...identifiers: string[]) {
    for (const identifier of identifiers) {
      const found = this.i18n.resolveIdentifier(identifier)
      if (found) return found.message
    }
    return null
  }

  translateField(name: string) {
    const found = this.resolve(`review.validator.fields.${name}`, `validator.shared.fields.${name}`)
    return found ? this.i18n.formatRawMessage(found) : name
  }

  getMessage(
    defaultMessage: string,
    rule: string,
    field: FieldContext,
    meta?: Record<string, unknown>
  ) {
    const values: Record<string, unknown> = {
      ...meta,
      field: this.translateField(String(field.name)),
    }
    const message = this.resolve(
      `review.validator.messages.${field.wildCardPath}.${rule}`,
      `review.validator.messages.${rule}`,
      `validator.shared.messages.${field.wildCardPath}.${rule}`,
      `validator.shared.messages.${rule}`
    )
    if (message) return this.i18n.formatRawMessage(message, values)
    return defaultMessage.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) =>
      String(values[key] ?? '')
    )
  }
}

/** Options for `request.validateUsing(validator, reviewMessages(ctx))`. */
export function reviewMessages(ctx: { i18n: I18n }, meta?: Record<string, unknown>) {
  return { messagesProvider: new ReviewMessagesProvider(ctx.i18n), ...(meta ? { meta } : {}) }
}
