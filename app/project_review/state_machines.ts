import { StateMachine } from '#core/state_machine'
import { ReviewError } from '#project_review/errors'

/**
 * The smaller state machines of project review, next to the project lifecycle
 * (lifecycle.ts): panels, seats, score sheets, acceptance requests and acceptance checklists.
 * Services ask these tables (`can`, `assert`, `apply`) instead of comparing status strings.
 */
const refuse = (key: string, values: Record<string, string | number>) =>
  new ReviewError(key, values)

export const PANEL_STATUSES = ['open', 'closed'] as const
export type PanelStatus = (typeof PANEL_STATUSES)[number]

export const panelMachine = new StateMachine<PanelStatus, 'close' | 'reopen'>(
  'review.panel',
  {
    close: { from: ['open'], to: 'closed', role: 'reviewer' },
    /** an acceptance panel sits again on the request filed after 整改 */
    reopen: { from: ['closed'], to: 'open', role: 'reviewer' },
  },
  { dbTable: 'review_panels', column: 'status', errorPrefix: 'review.panel.errors', refuse }
)

export const SEAT_STATUSES = ['standby', 'invited', 'declined', 'withdrawn'] as const
export type SeatStatus = (typeof SEAT_STATUSES)[number]

export const seatMachine = new StateMachine<SeatStatus, 'call' | 'decline' | 'withdraw'>(
  'review.seat',
  {
    /** the next alternate takes a vacated seat */
    call: { from: ['standby'], to: 'invited' },
    /** 回避 / 谢绝 by the expert */
    decline: { from: ['invited'], to: 'declined', role: 'expert', requires: 'reason' },
    /** 撤换 by the reviewer */
    withdraw: { from: ['invited'], to: 'withdrawn', role: 'reviewer', requires: 'reason' },
  },
  { dbTable: 'panel_members', column: 'status', errorPrefix: 'review.seat.errors', refuse }
)

/** A seat on the panel (invited, not an alternate on standby nor vacated). */
export function isSitting(status: SeatStatus) {
  return seatMachine.can(status, 'decline')
}

export const SHEET_STATUSES = ['draft', 'submitted', 'returned'] as const
export type SheetStatus = (typeof SHEET_STATUSES)[number]

export const sheetMachine = new StateMachine<SheetStatus, 'submit' | 'return'>(
  'review.sheet',
  {
    submit: { from: ['draft', 'returned'], to: 'submitted', role: 'expert' },
    /** the reviewer sends a submitted sheet back, with a reason */
    return: { from: ['submitted'], to: 'returned', role: 'reviewer', requires: 'reason' },
  },
  { dbTable: 'score_sheets', column: 'status', errorPrefix: 'review.sheets.errors', refuse }
)

/** Statuses in which the expert may still change the sheet. */
export const EDITABLE_SHEET_STATUSES = sheetMachine.rule('submit').from

export const REQUEST_STATUSES = ['submitted', 'under_review', 'passed', 'rectify'] as const
export type RequestStatus = (typeof REQUEST_STATUSES)[number]

/** One acceptance request (申请验收) from filing to its outcome. */
export const requestMachine = new StateMachine<RequestStatus, 'convene' | 'pass' | 'rectify'>(
  'review.acceptance_request',
  {
    convene: { from: ['submitted'], to: 'under_review', role: 'reviewer' },
    pass: { from: ['under_review'], to: 'passed', role: 'reviewer' },
    rectify: { from: ['under_review'], to: 'rectify', role: 'reviewer', requires: 'reasons' },
  },
  {
    dbTable: 'acceptance_requests',
    column: 'status',
    errorPrefix: 'acceptance.errors',
    refuse,
  }
)

export const CHECK_STATUSES = ['draft', 'submitted'] as const
export type CheckStatus = (typeof CHECK_STATUSES)[number]

/** An acceptance expert's checklist. */
export const checkMachine = new StateMachine<CheckStatus, 'submit'>(
  'review.acceptance_check',
  { submit: { from: ['draft'], to: 'submitted', role: 'expert' } },
  { dbTable: 'acceptance_checks', column: 'status', errorPrefix: 'acceptance.errors', refuse }
)
