import type { HttpContext } from '@adonisjs/core/http'
import { actorFrom } from '#core/audit/audit_service'
import { ModuleMessagesProvider } from '#core/i18n/module_messages_provider'
import AlertRulesPolicy from '#network_monitoring/alerts/rules/alert_rules_policy'
import alertRules, {
  DuplicateCounterError,
} from '#network_monitoring/alerts/rules/alert_rules_service'
import { RULES, ruleByKey } from '#network_monitoring/alerts/rules/rule_registry'
import {
  ruleSettingsValidators,
  threatCounterValidator,
} from '#network_monitoring/alerts/rules/alert_rules_validators'
import { SUBCATEGORY_CODES } from '#network_monitoring/alerts/classification'

function messages(ctx: HttpContext) {
  return { messagesProvider: new ModuleMessagesProvider(ctx.i18n, 'alert_rules') }
}

/** 告警规则: each rule's settings and the threat counter map. */
export default class AlertRulesController {
  async index({ view, bouncer }: HttpContext) {
    await bouncer.with(AlertRulesPolicy).authorize('view')
    return view.render('pages/alert_rules/index', {
      rules: RULES,
      config: await alertRules.config(),
      counters: await alertRules.threatCounters(),
      subcategories: SUBCATEGORY_CODES,
      canEdit: await bouncer.with(AlertRulesPolicy).allows('edit'),
    })
  }

  async update(ctx: HttpContext) {
    const { request, response, session, bouncer, params, i18n } = ctx
    await bouncer.with(AlertRulesPolicy).authorize('edit')
    const rule = ruleByKey(String(params.rule))
    const validator = rule && ruleSettingsValidators.get(rule.key)
    if (!rule || !validator) return response.notFound()
    const payload = (await request.validateUsing(validator, messages(ctx))) as Record<
      string,
      number | boolean | undefined
    >
    const next = {
      enabled: payload.enabled === true,
      values: Object.fromEntries(
        rule.settings.map((spec) => [spec.key, Number(payload[spec.key])])
      ),
    }
    const ruleName = i18n.t(`alert_rules.rules.${rule.key}.name`)
    const config = await alertRules.config()
    const current = config[rule.key]
    const unchanged =
      current.enabled === next.enabled &&
      rule.settings.every((spec) => current.values[spec.key] === next.values[spec.key])
    if (unchanged) {
      // nothing to save: no write, no empty audit row
      session.flash('warning', i18n.t('alert_rules.unchanged', { rule: ruleName }))
      return response.redirect(`/monitoring/alert-rules#rule-${rule.key}`)
    }
    await alertRules.updateRule(rule.key, next, actorFrom(ctx))
    session.flash('success', i18n.t('alert_rules.saved', { rule: ruleName }))
    return response.redirect(`/monitoring/alert-rules#rule-${rule.key}`)
  }

  async addCounter(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(AlertRulesPolicy).authorize('edit')
    const payload = await request.validateUsing(threatCounterValidator, messages(ctx))
    try {
      await alertRules.addThreatCounter(payload, actorFrom(ctx))
    } catch (error) {
      if (!(error instanceof DuplicateCounterError)) throw error
      session.flashAll()
      session.flash('inputErrorsBag', { counterOid: [i18n.t('alert_rules.counters.duplicate')] })
      return response.redirect('/monitoring/alert-rules#counters')
    }
    session.flash('success', i18n.t('alert_rules.counters.added'))
    return response.redirect('/monitoring/alert-rules#counters')
  }

  async toggleCounter(ctx: HttpContext) {
    const { response, session, bouncer, params, i18n } = ctx
    await bouncer.with(AlertRulesPolicy).authorize('edit')
    if (!(await alertRules.toggleThreatCounter(Number(params.id), actorFrom(ctx)))) {
      return response.notFound()
    }
    session.flash('success', i18n.t('alert_rules.counters.toggled'))
    return response.redirect('/monitoring/alert-rules#counters')
  }
}
