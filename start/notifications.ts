/**
 * Alert notifications (README "值班与告警通知"): the duty notifier listens to the alert store's
 * committed changes in every process that raises alerts (web, `snmp:poll`, tests).
 */
import { onAlertChanges } from '#network_monitoring/alerts/contract'
import { alertNotifier, registerAlertLookup } from '#network_monitoring/duty/notifier'
import { lookupAlerts } from '#network_monitoring/duty/alert_lookup'

registerAlertLookup(lookupAlerts)
onAlertChanges((changes) => alertNotifier().handle(changes))
