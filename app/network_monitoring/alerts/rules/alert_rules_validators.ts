import vine from '@vinejs/vine'
import { number, singleLine } from '#core/validation'
import { RULES } from '#network_monitoring/alerts/rules/rule_registry'
import { SUBCATEGORY_CODES } from '#network_monitoring/alerts/classification'

/** One validator per rule: each setting a number within its range (whole where it must be). */
function ruleValidator(rule: (typeof RULES)[number]) {
  const fields: Record<string, ReturnType<typeof number>> = {}
  for (const spec of rule.settings) {
    const field = number().min(spec.min).max(spec.max)
    fields[spec.key] = spec.integer ? field.withoutDecimals() : field
  }
  return vine.create({ enabled: vine.boolean().optional(), ...fields })
}

export const ruleSettingsValidators = new Map(RULES.map((rule) => [rule.key, ruleValidator(rule)]))

const OID = /^1(\.\d{1,10}){3,40}$/

/** A row of the threat counter map. */
export const threatCounterValidator = vine.create({
  vendorOid: singleLine().maxLength(128).regex(OID).optional(),
  counterOid: singleLine().maxLength(128).regex(OID),
  category: vine.enum(SUBCATEGORY_CODES as string[]),
  label: singleLine().minLength(1).maxLength(64),
})
