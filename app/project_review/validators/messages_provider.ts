import type { I18n } from '@adonisjs/i18n'
import type { FieldContext } from '@vinejs/vine/types'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'

/**
 * Validation messages of the review forms. Rules comparing two fields (计划完工日期 not before
 * 计划开工日期) name the other field by its Chinese label too.
 */
export class ReviewMessagesProvider extends ModuleMessagesProvider {
  constructor(i18n: I18n) {
    super(i18n, 'review')
  }

  getMessage(
    defaultMessage: string,
    rule: string,
    field: FieldContext,
    meta?: Record<string, unknown>
  ) {
    const otherField =
      typeof meta?.otherField === 'string' ? this.translateField(meta.otherField) : undefined
    return super.getMessage(
      defaultMessage,
      rule,
      field,
      otherField ? { ...meta, otherField } : meta
    )
  }
}

/** Options for `request.validateUsing(validator, reviewMessages(ctx))`. */
export function reviewMessages(ctx: { i18n: I18n }, meta?: Record<string, unknown>) {
  return { messagesProvider: new ReviewMessagesProvider(ctx.i18n), ...(meta ? { meta } : {}) }
}
