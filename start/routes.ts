/**
 * Routes: each module registers its own; this file imports them.
 */
import '#identity/routes'
import '#core/audit/routes'
import '#core/mail/routes'
import '#core/compliance/routes'
import '#network_monitoring/routes'
import '#network_monitoring/duty/routes'
import '#network_monitoring/alerts/rules/routes'
import '#core/api_tokens/routes'
import '#network_monitoring/api/routes'
import '#project_review/routes'
import '#project_review/reports/routes'
import '#network_monitoring/reports/routes'
