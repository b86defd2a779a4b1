/**
 * What an API token may do. A token carries only the abilities it was issued with: a
 * write-only token of the 态势感知平台 cannot read the review API, and a read token cannot push.
 */
export const API_ABILITIES = ['review:read', 'security-events:write'] as const
export type ApiAbility = (typeof API_ABILITIES)[number]

export function isApiAbility(value: string): value is ApiAbility {
  return (API_ABILITIES as readonly string[]).includes(value)
}

/** The i18n key of an ability's label (`api_tokens.abilities.review_read`). */
export function abilityLabelKey(ability: ApiAbility) {
  return `api_tokens.abilities.${ability.replace(/[:-]/g, '_')}`
}
