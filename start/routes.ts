/**
 * Routes: each module registers its own; this file imports them.
 */
import '#identity/routes'
import '#core/audit/routes'
import '#network_monitoring/routes'
import '#project_review/routes'
import '#project_review/reports/routes'
import '#network_monitoring/reports/routes'
