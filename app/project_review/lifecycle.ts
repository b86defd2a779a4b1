import type { Role } from '#identity/roles'
import {
  StateMachine,
  type RequiredInput,
  type TransitionInput,
  type TransitionRefusal,
  type TransitionRule as CoreRule,
} from '#core/state_machine'
import { ReviewError } from '#project_review/errors'

export type { RequiredInput, TransitionRefusal }

/**
 * The project lifecycle of DESIGN.md §A, from the proposal to the performance evaluation, as
 * one explicit table. Every state change of a project goes through `transition()` in
 * services/transitions.ts, which applies `projectMachine`, so a state can only change the way
 * the table says.
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
  'revising',
  'revised',
  'approved',
  'declined',
  'in_construction',
  'acceptance_requested',
  'acceptance_review',
  'rectifying',
  'completed',
  'evaluated',
] as const
export type ProjectState = (typeof PROJECT_STATES)[number]

/** Where every proposal starts (草稿): nobody but the unit sees it. */
export const INITIAL_STATE: ProjectState = 'draft'

/** States whose outcome is final. */
export const TERMINAL_STATES: readonly ProjectState[] = ['rejected', 'declined', 'evaluated']

/** States an applicant may still edit the proposal in. */
export const EDITABLE_STATES: readonly ProjectState[] = ['draft', 'returned']

/** States after 批复立项 with an approved budget (construction, acceptance, evaluation). */
export const APPROVED_STATES: readonly ProjectState[] = [
  'approved',
  'in_construction',
  'acceptance_requested',
  'acceptance_review',
  'rectifying',
  'completed',
  'evaluated',
]

/** Decided projects: the ones the review statistics (核减率) count. */
export const DECIDED_STATES: readonly ProjectState[] = [...APPROVED_STATES, 'declined']

/** Projects that passed acceptance (已验收, evaluated or not). */
export const ACCEPTED_STATES: readonly ProjectState[] = ['completed', 'evaluated']

/** States an acceptance panel may sit in. */
export const ACCEPTANCE_STATES: readonly ProjectState[] = [
  'acceptance_requested',
  'acceptance_review',
  'rectifying',
]

export interface TransitionRule extends CoreRule<ProjectState, Role> {
  role: Role
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
  /** 修改后通过：the applicant is asked to revise against the (anonymised) expert opinions */
  request_revision: { from: ['reviewed'], to: 'revising', role: 'reviewer', requires: 'reason' },
  /** the applicant hands in the revised proposal */
  submit_revision: { from: ['revising'], to: 'revised', role: 'applicant' },
  /** 批复立项：approved budget fixed */
  approve: { from: ['reviewed', 'revised'], to: 'approved', role: 'reviewer' },
  /** 不予立项 */
  decline: { from: ['reviewed', 'revised'], to: 'declined', role: 'reviewer', requires: 'reason' },
  /** 合同签订: construction starts */
  start_construction: { from: ['approved'], to: 'in_construction', role: 'applicant' },
  /** 申请验收 (again after 整改) */
  request_acceptance: {
    from: ['in_construction', 'rectifying'],
    to: 'acceptance_requested',
    role: 'applicant',
  },
  /** 抽取验收专家 */
  draw_acceptance: {
    from: ['acceptance_requested'],
    to: 'acceptance_review',
    role: 'reviewer',
  },
  /** 验收通过 */
  pass_acceptance: { from: ['acceptance_review'], to: 'completed', role: 'reviewer' },
  /** 整改: itemised rectification */
  order_rectification: {
    from: ['acceptance_review'],
    to: 'rectifying',
    role: 'reviewer',
    requires: 'reasons',
  },
  /** 绩效评价 rated by the bureau */
  evaluate: { from: ['completed'], to: 'evaluated', role: 'reviewer' },
} as const satisfies Record<string, TransitionRule>

export type TransitionAction = keyof typeof TRANSITIONS

/** The project lifecycle as a state machine over `projects.state`. */
export const projectMachine = new StateMachine<ProjectState, TransitionAction, Role>(
  'review.project',
  TRANSITIONS,
  {
    dbTable: 'projects',
    errorPrefix: 'review.lifecycle.errors',
    refuse: (key, values) => new ReviewError(key, values),
  }
)

/** Checks a requested transition against the table; null when it is allowed. */
export function checkTransition(
  state: ProjectState,
  action: TransitionAction,
  roles: readonly Role[] | 'system',
  input: TransitionInput = {}
): TransitionRefusal | null {
  return projectMachine.check(state, action, roles, input)
}

/** The actions the table allows from a state for someone holding the given roles. */
export function availableActions(state: ProjectState, roles: readonly Role[]): TransitionAction[] {
  return projectMachine.available(state, roles)
}

/**
 * The shortest way through the table from one state to another (actions in table order win
 * ties), for the driver that brings a project to any state (seeder, tests). Null when the
 * target cannot be reached.
 */
export function pathBetween(from: ProjectState, to: ProjectState): TransitionAction[] | null {
  const actions = Object.keys(TRANSITIONS) as TransitionAction[]
  const previous = new Map<ProjectState, { state: ProjectState; action: TransitionAction } | null>([
    [from, null],
  ])
  const queue: ProjectState[] = [from]
  while (queue.length) {
    const state = queue.shift()!
    if (state === to) break
    for (const action of actions) {
      const rule: TransitionRule = TRANSITIONS[action]
      if (!rule.from.includes(state) || previous.has(rule.to)) continue
      previous.set(rule.to, { state, action })
      queue.push(rule.to)
    }
  }
  if (!previous.has(to)) return null
  const path: TransitionAction[] = []
  for (let at = previous.get(to); at; at = previous.get(at.state)) path.unshift(at.action)
  return path
}
