import {
  INITIAL_STATE,
  projectMachine,
  type ProjectState,
  type TransitionAction,
} from '#project_review/lifecycle'
import {
  checkMachine,
  panelMachine,
  SEAT_STATUSES,
  seatMachine,
  sheetMachine,
  type CheckStatus,
  type PanelStatus,
  type SeatStatus,
  type SheetStatus,
} from '#project_review/state_machines'
import { checkDeadline } from '#project_review/domain/forms'
import type { DateTime } from 'luxon'

/**
 * What the review pages may offer, asked of the state machines (lifecycle.ts, state_machines.ts)
 * instead of comparing state names: views and policies get booleans and tones from here, so a
 * change to a transition table changes every button with it.
 */

/** Badge colour of a state (CSS class `badge-<tone>`; '' = the neutral badge). */
export type Tone = 'green' | 'red' | 'grey' | ''

/** The tone of each project state: approved and accepted ones green, refused ones red. */
export const PROJECT_STATE_TONES: Readonly<Record<ProjectState, Tone>> = Object.freeze({
  draft: 'grey',
  submitted: '',
  returned: '',
  rejected: 'red',
  accepted: '',
  panel_drawn: '',
  under_review: '',
  reviewed: '',
  revising: '',
  revised: '',
  approved: 'green',
  declined: 'red',
  in_construction: 'green',
  acceptance_requested: 'green',
  acceptance_review: 'green',
  rectifying: 'red',
  completed: 'green',
  evaluated: 'green',
})

export function projectStateTone(state: ProjectState): Tone {
  return PROJECT_STATE_TONES[state] ?? ''
}

/** Still a draft nobody outside the unit has seen (never submitted). */
export function isUnsubmitted(state: ProjectState) {
  return state === INITIAL_STATE
}

/** Sent back by 形式审查 for 补正 (the next submit is a resubmission). */
export function isReturned(state: ProjectState) {
  return state === projectMachine.target('return')
}

/** Whether the table allows the action from the state (roles are the policy's concern). */
export function projectCan(state: ProjectState, action: TransitionAction) {
  return projectMachine.can(state, action)
}

/** What the applicant's card on the project page offers. */
export function proposalCapabilities(project: {
  state: ProjectState
  submittedAt: unknown | null
}) {
  return {
    /** the submit button says 重新申报 */
    resubmit: isReturned(project.state),
    /** a draft never submitted may be deleted */
    delete: isUnsubmitted(project.state) && !project.submittedAt,
  }
}

/** What the reviewer's card shows about the review panel. */
export function reviewPanelCapabilities(state: ProjectState, roles: readonly string[]) {
  const actions = projectMachine.available(state, roles)
  return {
    closePanel: actions.includes('close_panel'),
    /** the panel sits: show how closing works while sheets come in */
    closeHint: actions.includes('close_panel') || projectMachine.can(state, 'begin_review'),
  }
}

export interface PanelFacts {
  status: PanelStatus
  panelSize: number
}

export interface SeatFacts {
  status: SeatStatus
  notifyError?: string | null
}

/** The panel is short of sitting experts while it is still open (no alternate left). */
export function panelShort(panel: PanelFacts, members: readonly { status: SeatStatus }[]) {
  return (
    panelMachine.can(panel.status, 'close') &&
    members.filter((member) => seatMachine.can(member.status, 'withdraw')).length < panel.panelSize
  )
}

/**
 * What the reviewer may do with one seat of an open panel: resend a failed invitation, return a
 * submitted sheet, withdraw an expert who has not submitted (撤换).
 */
export function seatCapabilities(
  panel: { status: PanelStatus },
  member: SeatFacts,
  sheet: { status: SheetStatus } | null | undefined
) {
  const open = panelMachine.can(panel.status, 'close')
  const sitting = seatMachine.can(member.status, 'withdraw')
  return {
    resend: open && sitting && Boolean(member.notifyError) && member.notifyError !== 'no_email',
    returnSheet: open && Boolean(sheet) && sheetMachine.can(sheet!.status, 'return'),
    withdraw: open && sitting && (!sheet || sheetMachine.can(sheet.status, 'submit')),
  }
}

/** The sheet came back from the reviewer (show the reason). */
export function sheetReturned(sheet: { status: SheetStatus }) {
  return sheet.status === sheetMachine.target('return')
}

export type TaskKind = 'review' | 'acceptance'

export interface TaskFacts {
  kind: TaskKind
  panel: { status: PanelStatus }
  member: { status: SeatStatus; notifiedAt?: DateTime | null }
  /** the expert's score sheet (review seats) */
  sheet?: { status: SheetStatus } | null
  /** the expert's checklist of the current acceptance round (acceptance seats) */
  check?: { status: CheckStatus } | null
  /** the project still takes sheets / checklists from this panel */
  projectOpen: boolean
}

/**
 * One row of the expert's 评审任务: what they may do now. A review seat declares no conflict and
 * opens the score sheet; an acceptance seat opens the checklist on the project page. Both may
 * decline until their sheet or checklist is submitted.
 */
export function taskCapabilities(task: TaskFacts) {
  const sitting = seatMachine.can(task.member.status, 'decline')
  const live = sitting && panelMachine.can(task.panel.status, 'close') && task.projectOpen
  const acceptance = task.kind === 'acceptance'
  const editable = acceptance
    ? !task.check || checkMachine.can(task.check.status, 'submit')
    : !task.sheet || sheetMachine.can(task.sheet.status, 'submit')
  return {
    /** the project page is open to the expert */
    openProject: sitting,
    /** a review seat: declare no conflict, then the sheet opens */
    declare: live && !acceptance && !task.sheet,
    /** a review seat with a sheet: open (or read) it */
    openSheet: live && !acceptance && Boolean(task.sheet),
    editSheet: live && !acceptance && Boolean(task.sheet) && editable,
    /** an acceptance seat: fill in (or read) the checklist */
    openChecklist: live && acceptance,
    editChecklist: live && acceptance && editable,
    decline: live && editable,
    /** the panel has finished: results on the project page */
    viewResults: sitting && !live && (acceptance ? Boolean(task.check) : Boolean(task.sheet)),
    /** the reviewer sent the sheet back: show the reason */
    sheetReturned: !acceptance && Boolean(task.sheet) && sheetReturned(task.sheet!),
    /** the seat ended (回避 / 撤换) */
    vacated: !sitting && !seatMachine.can(task.member.status, 'call'),
    deadline:
      live && acceptance && editable && task.member.notifiedAt
        ? checkDeadline(task.member.notifiedAt)
        : null,
  }
}

/** The seat statuses the expert's task list shows (every one but an alternate on standby). */
export const TASK_SEAT_STATUSES = SEAT_STATUSES.filter((status) => !seatMachine.can(status, 'call'))
