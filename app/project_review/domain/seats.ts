/** What a seat shows: where the expert really is, not only where the draw put them. */
export type SeatState =
  'standby' | 'invited' | 'declared' | 'submitted' | 'returned' | 'declined' | 'withdrawn'

export interface SeatFacts {
  status: 'invited' | 'standby' | 'declined' | 'withdrawn'
  noConflictDeclaredAt?: unknown
}

/**
 * 已邀请 (invited, nothing done yet) → 已声明 (declared no conflict, sheet open) → 已提交; a sheet
 * the reviewer returned shows 已退回修改; 已回避 and 已撤换 end the seat; alternates wait (候补待命).
 */
export function seatState(
  member: SeatFacts,
  sheet: { status: 'draft' | 'submitted' | 'returned' } | null | undefined
): SeatState {
  if (member.status !== 'invited') return member.status
  if (sheet?.status === 'submitted') return 'submitted'
  if (sheet?.status === 'returned') return 'returned'
  if (sheet || member.noConflictDeclaredAt) return 'declared'
  return 'invited'
}
