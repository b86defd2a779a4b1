import type { Role } from '#identity/roles'

/**
 * The project lifecycle of DESIGN.md §A up to the decision, as one explicit table. Every state
 * change of a project goes through `transition()` in services/transitions.ts, which checks this
 * table, so a state can only change the way it says.
 */
export const PROJECT_STATES = [
  'draft',
  'submitted',
  'returned',
  'rejected',
  'accepted',
  'panel_drawn',
  'under_review',
  'reviewed',
  'approved',
  'declined',
] as const
export type ProjectState = (typeof PROJECT_STATES)[number]

/** States whose outcome is final for this part of the lifecycle. */
export const TERMINAL_STATES: readonly ProjectState[] = ['rejected', 'approved', 'declined']

/** States an applicant may still edit the proposal in. */
export const EDITABLE_STATES: readonly ProjectState[] = ['draft', 'returned']

/** Decided projects: the ones the review statistics (核减率) count. */
export const DECIDED_STATES: readonly ProjectState[] = ['approved', 'declined']

/** What a transition needs besides the actor: a free-text reason, or a list of itemised reasons. */
export type RequiredInput = 'reason' | 'reasons'

export interface TransitionRule {
  from: readonly ProjectState[]
  to: ProjectState
  role: Role
  requires?: RequiredInput
}

export const TRANSITIONS = {
  /** 申报 / 补正后重新申报 */
  submit: { from: ['draft', 'returned'], to: 'submitted', role: 'applicant' },
  /** 形式审查：退回补正 (itemised reasons, counted) */
  return: { from: ['submitted'], to: 'returned', role: 'reviewer', requires: 'reasons' },
  /** 形式审查：不予受理 */
  reject: { from: ['submitted'], to: 'rejected', role: 'reviewer', requires: 'reason' },
  /** 形式审查：受理 */
  accept: { from: ['submitted'], to: 'accepted', role: 'reviewer' },
  /** 随机抽取专家 */
  draw: { from: ['accepted'], to: 'panel_drawn', role: 'reviewer' },
  /** the first expert declares no conflict and opens a score sheet */
  begin_review: { from: ['panel_drawn'], to: 'under_review', role: 'expert' },
  /** 关闭评审：all sitting experts have submitted; scores and recommendations are aggregated */
  close_panel: { from: ['under_review'], to: 'reviewed', role: 'reviewer' },
  /** 批复立项：approved budget fixed */
  approve: { from: ['reviewed'], to: 'approved', role: 'reviewer' },
  /** 不予立项 */
  decline: { from: ['reviewed'], to: 'declined', role: 'reviewer', requires: 'reason' },
} as const satisfies Record<string, TransitionRule>

export type TransitionAction = keyof typeof TRANSITIONS

/** Why a transition is refused, as an i18n key under review.lifecycle.errors. */
export type TransitionRefusal = 'illegal_state' | 'wrong_role' | 'reason_required'

/** Checks a requested transition against the table; null when it is allowed. */
export function checkTransition(
  state: ProjectState,
  action: TransitionAction,
  roles: readonly Role[] | 'system',
  input: { reason?: string | null; reasons?: readonly string[] } = {}
): TransitionRefusal | null {
  const rule: TransitionRule = TRANSITIONS[action]
  if (!rule.from.includes(state)) return 'illegal_state'
  if (roles !== 'system' && !roles.includes(rule.role)) return 'wrong_role'
  if (rule.requires === 'reason' && !input.reason?.trim()) return 'reason_required'
  if (
    rule.requires === 'reasons' &&
    !(input.reasons ?? []).some((reason) => reason.trim() !== '')
  ) {
    return 'reason_required'
  }
  return null
}

/** The actions the table allows from a state for someone holding the given roles. */
export function availableActions(state: ProjectState, roles: readonly Role[]): TransitionAction[] {
  return (Object.keys(TRANSITIONS) as TransitionAction[]).filter((action) => {
    const rule: TransitionRule = TRANSITIONS[action]
    return rule.from.includes(state) && roles.includes(rule.role)
  })
}
