/**
 * Registers the alert store as the AlertSink (in every environment: web, console, test), so
 * rules, threat counters and the push API hand their signals to it.
 */
import { registerAlertSink } from '#network_monitoring/alerts/contract'
import alertStore from '#network_monitoring/alerts/alert_store'

registerAlertSink(alertStore)
