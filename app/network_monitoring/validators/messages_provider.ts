import type { I18n } from '@adonisjs/i18n'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'

/** Enumerated fields whose choices are shown by their labels rather than their codes. */
const CHOICE_LABELS: Record<string, string> = {
  deviceType: 'monitoring.device_types',
  type: 'monitoring.device_types',
  siteLevel: 'monitoring.site_levels',
  level: 'monitoring.site_levels',
  criticality: 'monitoring.criticalities',
  // the device list's 状态 filter (its only `status` enum)
  status: 'monitoring.device_status_filters',
}

/** Validation messages of the monitoring forms and CSV rows. */
export class MonitoringMessagesProvider extends ModuleMessagesProvider {
  constructor(i18n: I18n) {
    super(i18n, 'monitoring', CHOICE_LABELS)
  }
}

/** Options for `request.validateUsing(validator, monitoringMessages(ctx, meta))`. */
export function monitoringMessages<Meta extends Record<string, unknown>>(
  ctx: { i18n: I18n },
  meta?: Meta
) {
  return { messagesProvider: new MonitoringMessagesProvider(ctx.i18n), meta: meta ?? ({} as Meta) }
}
