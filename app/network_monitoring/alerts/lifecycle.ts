import { StateMachine, type TransitionTable } from '#core/state_machine'

/**
 * The alert lifecycle as one table of allowed transitions (open → acknowledged → resolved →
 * closed). `suppressed` is an alert hidden behind its parent's (a village behind its town
 * router); the system promotes or resolves it. Nothing outside this table changes a state.
 */
export const ALERT_STATES = ['open', 'acknowledged', 'resolved', 'closed', 'suppressed'] as const
export type AlertState = (typeof ALERT_STATES)[number]

/** States in which the alert is "live": it holds its condition's open key. */
export const LIVE_STATES: readonly AlertState[] = ['open', 'acknowledged', 'suppressed']

/** What people may do (handle ability) and what only the system does. */
export type AlertAction =
  'acknowledge' | 'resolve' | 'close' | 'reopen' | 'auto_resolve' | 'promote' | 'suppress'

export const HUMAN_ACTIONS: readonly AlertAction[] = ['acknowledge', 'resolve', 'close', 'reopen']

export const TRANSITIONS: TransitionTable<AlertState, AlertAction> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  resolve: { from: ['open', 'acknowledged'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  reopen: { from: ['resolved'], to: 'open' },
  auto_resolve: { from: ['open', 'acknowledged', 'suppressed'], to: 'resolved' },
  promote: { from: ['suppressed'], to: 'open' },
  suppress: { from: ['open'], to: 'suppressed' },
}

/** Refused transition: the alert is not in a state the action starts from. */
export class AlertTransitionError extends Error {
  static code = 'E_ALERT_TRANSITION'
  constructor(
    public from: AlertState,
    public action: AlertAction
  ) {
    super(`alert action ${action} is not allowed from ${from}`)
  }
}

/**
 * The alert table on the shared mechanism of app/core (the one projects, panels, seats and
 * sheets use). The store moves alerts in batches with its own compare-and-set UPDATEs, so it
 * asks this machine only whether a move is allowed and where it leads.
 */
export const alertMachine = new StateMachine<AlertState, AlertAction>('alert', TRANSITIONS, {
  dbTable: 'alerts',
  errorPrefix: 'alerts.errors',
  refuse: (_key, values) =>
    new AlertTransitionError(values.state as AlertState, values.action as AlertAction),
})

export function canTransition(from: AlertState, action: AlertAction) {
  return alertMachine.can(from, action)
}

/** The state after `action`, or AlertTransitionError. */
export function transition(from: AlertState, action: AlertAction): AlertState {
  alertMachine.assert(from, action)
  return alertMachine.target(action)
}

/** The human actions offered on an alert in this state (buttons on the detail page). */
export function availableActions(from: AlertState): AlertAction[] {
  return HUMAN_ACTIONS.filter((action) => canTransition(from, action))
}

export function isLive(state: AlertState) {
  return LIVE_STATES.includes(state)
}
