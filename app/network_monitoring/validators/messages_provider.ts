import type { I18n } from '@adonisjs/i18n'
import type { FieldContext, MessagesProviderContact } from '@vinejs/vine/types'

/** Enumerated fields whose choices are shown by their labels rather than their codes. */
const CHOICE_LABELS: Record<string, string> = {
  deviceType: 'monitoring.device_types',
  type: 'monitoring.device_types',
  siteLevel: 'monitoring.site_levels',
  level: 'monitoring.site_levels',
  criticality: 'monitoring.criticalities',
}

/**
 * Validation messages of the monitoring forms and CSV rows: the module's own
 * keys (monitoring.validator.*) first, then the shared ones (validator.shared.*).
 */
export class MonitoringMessagesProvider implements MessagesProviderContact {
  constructor(protected i18n: I18n) {}

  protected resolve(...identifiers: string[]) {
    for (const identifier of identifiers) {
      const found = this.i18n.resolveIdentifier(identifier)
      if (found) return found.message
    }
    return null
  }

  translateField(name: string) {
    const found = this.resolve(
      `monitoring.validator.fields.${name}`,
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
      const prefix = CHOICE_LABELS[String(field.name)]
      values.choices = meta.choices
        .map((choice) => (prefix ? this.i18n.t(`${prefix}.${choice}`) : String(choice)))
        .join('、')
    }
    const message = this.resolve(
      `monitoring.validator.messages.${field.wildCardPath}.${rule}`,
      `monitoring.validator.messages.${rule}`,
      `validator.shared.messages.${field.wildCardPath}.${rule}`,
      `validator.shared.messages.${rule}`
    )
    if (message) return this.i18n.formatRawMessage(message, values)
    return defaultMessage.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) =>
      String(values[key] ?? '')
    )
  }

  /** A message of one of the module's own rules (not from VineJS), for a field. */
  ruleMessage(field: string, rule: string, meta: Record<string, unknown> = {}) {
    const message = this.resolve(
      `monitoring.validator.messages.${field}.${rule}`,
      `monitoring.validator.messages.${rule}`,
      `validator.shared.messages.${rule}`
    )
    const values = { ...meta, field: this.translateField(field) }
    return message ? this.i18n.formatRawMessage(message, values) : `${field}: ${rule}`
  }
}

/** Options for `request.validateUsing(validator, monitoringMessages(ctx, meta))`. */
export function monitoringMessages<Meta extends Record<string, unknown>>(
  ctx: { i18n: I18n },
  meta?: Meta
) {
  return { messagesProvider: new MonitoringMessagesProvider(ctx.i18n), meta: meta ?? ({} as Meta) }
}
