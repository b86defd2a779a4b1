import type { I18n } from '@adonisjs/i18n'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'

/** Validation messages of the review forms. */
export class ReviewMessagesProvider extends ModuleMessagesProvider {
  constructor(i18n: I18n) {
    super(i18n, 'review')
  }
}

/** Options for `request.validateUsing(validator, reviewMessages(ctx))`. */
export function reviewMessages(ctx: { i18n: I18n }, meta?: Record<string, unknown>) {
  return { messagesProvider: new ReviewMessagesProvider(ctx.i18n), ...(meta ? { meta } : {}) }
}
