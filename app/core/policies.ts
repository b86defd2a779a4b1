/** Bouncer policies of every module, imported lazily. */
export const policies = {
  AdminPolicy: () => import('#identity/policies/admin_policy'),
  AuditPolicy: () => import('#core/audit/audit_policy'),
}
