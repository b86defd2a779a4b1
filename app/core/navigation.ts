import type User from '#identity/models/user'
import type { Role } from '#identity/roles'

export interface NavItem {
  /** i18n key of the label */
  label: string
  href: string
  roles: Role[] | 'all'
}

/** Menu entries; only features that exist are listed. Pages check permissions again on the server. */
const ITEMS: NavItem[] = [
  { label: 'nav.dashboard', href: '/', roles: 'all' },
  { label: 'nav.users', href: '/admin/users', roles: ['sysadmin'] },
  { label: 'nav.units', href: '/admin/units', roles: ['sysadmin'] },
  { label: 'api_tokens.nav', href: '/admin/api-tokens', roles: ['sysadmin'] },
  { label: 'nav.audit', href: '/audit', roles: ['auditor'] },
  { label: 'compliance.nav', href: '/compliance', roles: ['auditor'] },
  { label: 'mail.nav', href: '/admin/mail', roles: ['sysadmin'] },
  { label: 'monitoring.nav.board', href: '/monitoring/board', roles: ['netadmin'] },
  { label: 'alerts.nav.center', href: '/monitoring/alerts', roles: ['netadmin', 'auditor'] },
  {
    label: 'alerts.nav.dashboard',
    href: '/monitoring/alert-overview',
    roles: ['netadmin', 'auditor'],
  },
  { label: 'duty.nav', href: '/monitoring/duty', roles: ['netadmin'] },
  {
    label: 'reports.nav.security',
    href: '/monitoring/reports/security',
    roles: ['netadmin', 'auditor'],
  },
  { label: 'monitoring.nav.devices', href: '/monitoring/devices', roles: ['netadmin'] },
  { label: 'monitoring.nav.sites', href: '/monitoring/sites', roles: ['netadmin'] },
  {
    label: 'monitoring.nav.availability',
    href: '/monitoring/reports/availability',
    roles: ['netadmin'],
  },
  { label: 'alert_rules.nav', href: '/monitoring/alert-rules', roles: ['netadmin', 'sysadmin'] },
  { label: 'review.nav.projects', href: '/review/projects', roles: ['applicant', 'reviewer'] },
  { label: 'review.nav.tasks', href: '/review/tasks', roles: ['expert'] },
  { label: 'reports.nav.review', href: '/review/reports', roles: ['reviewer'] },
  { label: 'review.nav.experts', href: '/review/experts', roles: ['sysadmin', 'reviewer'] },
  { label: 'review.nav.settings', href: '/review/settings', roles: ['sysadmin'] },
  { label: 'nav.password', href: '/account/password', roles: 'all' },
  { label: 'identity.nav.mfa', href: '/account/mfa', roles: 'all' },
  { label: 'identity.nav.sessions', href: '/account/sessions', roles: 'all' },
]

export function navigationFor(user: User | undefined): NavItem[] {
  if (!user) return []
  return ITEMS.filter((item) => item.roles === 'all' || user.hasRole(...item.roles))
}
