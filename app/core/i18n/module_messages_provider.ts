import type { I18n } from '@adonisjs/i18n'
import type { FieldContext, MessagesProviderContact } from '@vinejs/vine/types'

/**
 * Validation messages of one module's forms: the module's own keys
 * (`<prefix>.validator.*`) first, then the shared ones (`validator.shared.*`),
 * so every refusal reads in the user's language. Enumerated fields listed in
 * `choiceLabels` show their choices by label rather than by code.
 */
export class ModuleMessagesProvider implements MessagesProviderContact {
  constructor(
    protected i18n: I18n,
    protected prefix: string,
    protected choiceLabels: Record<string, string> = {}
  ) {}

  protected resolve(...identifiers: string[]) {
    for (const identifier of identifiers) {
      const found = this.i18n.resolveIdentifier(identifier)
      if (found) return found.message
    }
    return null
  }

  translateField(name: string) {
    const found = this.resolve(
      `${this.prefix}.validator.fields.${name}`,
      `validator.shared.fields.${name}`
    )
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
    if (Array.isArray(meta?.choices)) {
      const labels = this.choiceLabels[String(field.name)]
      values.choices = meta.choices
        .map((choice) => (labels ? this.i18n.t(`${labels}.${choice}`) : String(choice)))
        .join('、')
    }
    const message = this.resolve(
      `${this.prefix}.validator.messages.${field.wildCardPath}.${rule}`,
      `${this.prefix}.validator.messages.${rule}`,
      `validator.shared.messages.${field.wildCardPath}.${rule}`,
      `validator.shared.messages.${rule}`
    )
    if (message) return this.i18n.formatRawMessage(message, values)
    return defaultMessage.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) =>
      String(values[key] ?? '')
    )
  }

  /** The message of one of the module's own rules (not from VineJS), for a field. */
  ruleMessage(field: string, rule: string, meta: Record<string, unknown> = {}) {
    const message = this.resolve(
      `${this.prefix}.validator.messages.${field}.${rule}`,
      `${this.prefix}.validator.messages.${rule}`,
      `validator.shared.messages.${rule}`
    )
    const values = { ...meta, field: this.translateField(field) }
    return message ? this.i18n.formatRawMessage(message, values) : `${field}: ${rule}`
  }
}
