/**
 * Alert rules (issue #11): the rule engine listens to committed poll batches
 * in every process that polls (web scheduler, `snmp:poll`, tests). It does
 * nothing until an alert sink is registered.
 */
import { startAlertRules } from '#network_monitoring/alerts/rules/rules_service'

startAlertRules()
