import type { DateTime } from 'luxon'
import PanelMember from '#project_review/models/panel_member'
import ScoreSheet from '#project_review/models/score_sheet'
import AcceptanceCheck from '#project_review/models/acceptance_check'
import { projectMachine } from '#project_review/lifecycle'
import { panelMachine, seatMachine } from '#project_review/state_machines'
import { TASK_SEAT_STATUSES, taskCapabilities, type TaskKind } from '#project_review/capabilities'

/** Panel statuses that still take sheets or checklists. */
const OPEN_PANEL = panelMachine.rule('close').from

export interface TaskFilter {
  q?: string
  kind?: TaskKind
}

/** One row of the expert's 评审任务: the seat, its project, the sheet or checklist, what to do. */
export interface TaskRow {
  member: PanelMember
  kind: TaskKind
  sheet: ScoreSheet | null
  check: AcceptanceCheck | null
  /** i18n key of "my status" */
  statusKey: string
  can: ReturnType<typeof taskCapabilities>
  deadline: DateTime | null
}

/**
 * The expert's tasks: every seat they hold or held on a review panel (评审表) or an acceptance
 * panel (验收检查表), newest first, searchable by project code or title.
 */
export class ExpertTasks {
  query(expertId: number, filter: TaskFilter) {
    const query = PanelMember.query()
      .where('expert_id', expertId)
      .whereIn('status', TASK_SEAT_STATUSES)
    if (filter.kind) {
      const kind = filter.kind
      query.whereHas('panel', (panel) => panel.where('purpose', kind))
    }
    if (filter.q) {
      const like = `%${filter.q}%`
      query.whereHas('panel', (panel) =>
        panel.whereHas('project', (project) =>
          project.where((q) => q.where('title', 'like', like).orWhere('code', 'like', like))
        )
      )
    }
    // what waits on the expert first: sitting seats of open panels, then the rest, newest first
    return query
      .preload('panel', (panel) => panel.preload('project', (project) => project.preload('unit')))
      .orderByRaw(
        `(select case when panel_members.status = ? and review_panels.status in (${OPEN_PANEL.map(() => '?').join(', ')}) then 0 else 1 end from review_panels where review_panels.id = panel_members.panel_id)`,
        [seatMachine.target('call'), ...OPEN_PANEL]
      )
      .orderBy('id', 'desc')
  }

  /** The rows of a page of seats: sheets and current checklists loaded in two queries. */
  async rows(expertId: number, members: PanelMember[]): Promise<TaskRow[]> {
    const panelIds = members.map((member) => member.panelId)
    const requestIds = members
      .map((member) => member.panel.acceptanceRequestId)
      .filter((id): id is number => id !== null)
    const sheets = panelIds.length
      ? await ScoreSheet.query().where('expert_id', expertId).whereIn('panel_id', panelIds)
      : []
    const checks = requestIds.length
      ? await AcceptanceCheck.query()
          .where('expert_id', expertId)
          .whereIn('acceptance_request_id', requestIds)
      : []
    return members.map((member) => {
      const panel = member.panel
      const kind: TaskKind = panel.isAcceptance ? 'acceptance' : 'review'
      const state = panel.project.state
      const sheet = kind === 'review' ? (sheets.find((s) => s.panelId === panel.id) ?? null) : null
      const check =
        kind === 'acceptance'
          ? (checks.find((c) => c.acceptanceRequestId === panel.acceptanceRequestId) ?? null)
          : null
      const projectOpen =
        kind === 'acceptance'
          ? projectMachine.can(state, 'pass_acceptance')
          : projectMachine.can(state, 'begin_review') || projectMachine.can(state, 'close_panel')
      const can = taskCapabilities({ kind, panel, member, sheet, check, projectOpen })
      return {
        member,
        kind,
        sheet,
        check,
        statusKey: this.statusKey(member, kind, sheet, check),
        can,
        deadline: can.deadline,
      }
    })
  }

  protected statusKey(
    member: PanelMember,
    kind: TaskKind,
    sheet: ScoreSheet | null,
    check: AcceptanceCheck | null
  ) {
    if (!member.isSitting) return `review.panel.member_states.${member.status}`
    if (kind === 'acceptance') {
      return check ? `review.tasks.check_states.${check.status}` : 'review.tasks.awaiting_checklist'
    }
    return sheet ? `review.sheets.states.${sheet.status}` : 'review.tasks.awaiting_declaration'
  }

  /** Every row for the CSV, a page of seats at a time. */
  async *batches(expertId: number, filter: TaskFilter, size = 200) {
    for (let page = 1; ; page++) {
      const members = await this.query(expertId, filter).forPage(page, size)
      if (!members.length) return
      yield await this.rows(expertId, members)
      if (members.length < size) return
    }
  }
}

export default new ExpertTasks()
