import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { passwordPolicyViolation } from '#identity/password_policy'
import { findRoleConflict, isRole } from '#identity/roles'

const POLICY_RULES: Record<string, string> = {
  'password.too_short': 'passwordTooShort',
  'password.too_long': 'passwordTooLong',
  'password.too_simple': 'passwordTooSimple',
  'password.contains_username': 'passwordContainsUsername',
}

/**
 * Applies the password policy. The username comes from validation meta
 * (password change/reset) or from a sibling `username` field (user creation).
 */
export const strongPassword = vine.createRule(
  (value: unknown, _: undefined, field: FieldContext) => {
    if (typeof value !== 'string') return
    const username = (field.meta?.username as string | undefined) ?? field.parent?.username
    const violation = passwordPolicyViolation(value, username)
    if (violation) field.report(`Password policy: ${violation}`, POLICY_RULES[violation], field)
  }
)

/** Refuses a role set that separation of duties forbids. */
export const roleSeparation = vine.createRule(
  (value: unknown, _: undefined, field: FieldContext) => {
    if (!Array.isArray(value) || !value.every(isRole)) return
    const conflict = findRoleConflict(value)
    if (conflict) {
      field.report('Roles {{ a }} and {{ b }} cannot be combined', 'roleSeparation', field, {
        a: conflict[0],
        b: conflict[1],
      })
    }
  }
)
