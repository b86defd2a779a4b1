/** Bouncer policies of every module, imported lazily. */
export const policies = {
  AdminPolicy: () => import('#identity/policies/admin_policy'),
  AuditPolicy: () => import('#core/audit/audit_policy'),
  MailPolicy: () => import('#core/mail/mail_policy'),
  MonitoringPolicy: () => import('#network_monitoring/policies/monitoring_policy'),
  ProjectPolicy: () => import('#project_review/policies/project_policy'),
  ReviewAdminPolicy: () => import('#project_review/policies/review_admin_policy'),
}
