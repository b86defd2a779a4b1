/**
 * The six roles of DESIGN.md and the separation-of-duties rules (等保 三员分立).
 */
export const ROLES = ['applicant', 'reviewer', 'expert', 'netadmin', 'auditor', 'sysadmin'] as const
export type Role = (typeof ROLES)[number]

/**
 * Pairs of roles one account may never hold together. System, security and
 * audit administration are separate people; the auditor only reads, so the
 * auditor role stands alone; the sysadmin may not score reviews.
 */
export const FORBIDDEN_ROLE_PAIRS: ReadonlyArray<readonly [Role, Role]> = [
  ['auditor', 'sysadmin'],
  ['auditor', 'netadmin'],
  ['sysadmin', 'netadmin'],
  ['auditor', 'applicant'],
  ['auditor', 'reviewer'],
  ['auditor', 'expert'],
  ['sysadmin', 'expert'],
]

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/** The first forbidden pair contained in the given roles, or null when the set is allowed. */
export function findRoleConflict(roles: readonly Role[]): readonly [Role, Role] | null {
  const set = new Set(roles)
  return FORBIDDEN_ROLE_PAIRS.find(([a, b]) => set.has(a) && set.has(b)) ?? null
}
