import { BasePolicy } from '@adonisjs/bouncer'
import db from '@adonisjs/lucid/services/db'
import type User from '#identity/models/user'
import type Project from '#project_review/models/project'
import { isUnsubmitted } from '#project_review/capabilities'
import { seatMachine } from '#project_review/state_machines'

/** True when the user holds a sitting (invited) seat on one of the project's panels. */
export async function sitsOnPanel(user: User, projectId: number) {
  if (!user.hasRole('expert')) return false
  const row = await db
    .from('panel_members')
    .join('review_panels', 'review_panels.id', 'panel_members.panel_id')
    .where('review_panels.project_id', projectId)
    .where('panel_members.user_id', user.id)
    .where('panel_members.status', seatMachine.target('call'))
    .first()
  return Boolean(row)
}

/**
 * Who may see and do what with a project. Applicants see their own unit's proposals only;
 * reviewers see everything past the draft stage; experts see the projects they sit on. States
 * are asked of the lifecycle (capabilities.ts), never compared here.
 */
export default class ProjectPolicy extends BasePolicy {
  list(user: User) {
    return user.hasRole('applicant', 'reviewer', 'expert')
  }

  create(user: User) {
    return user.hasRole('applicant') && user.unitId !== null
  }

  async view(user: User, project: Project) {
    if (user.hasRole('applicant') && user.unitId === project.unitId) return true
    if (user.hasRole('reviewer') && !isUnsubmitted(project.state)) return true
    return sitsOnPanel(user, project.id)
  }

  /** Edit, submit, attach, delete a draft: applicants of the proposal's unit (state checked by the action). */
  edit(user: User, project: Project) {
    return user.hasRole('applicant') && user.unitId === project.unitId
  }

  /** 形式审查, drawing, closing, returning sheets, approving: the bureau's reviewers. */
  review(user: User) {
    return user.hasRole('reviewer')
  }

  async viewSimilarity(user: User, project: Project) {
    if (user.hasRole('reviewer')) return !isUnsubmitted(project.state)
    return sitsOnPanel(user, project.id)
  }

  /** Sheets stay sealed until the reviewer closes the panel; then reviewers and panel experts read them. */
  async viewSheets(user: User, project: Project, panelClosed: boolean) {
    if (!panelClosed) return false
    if (user.hasRole('reviewer')) return true
    return sitsOnPanel(user, project.id)
  }

  score(user: User) {
    return user.hasRole('expert')
  }
}
