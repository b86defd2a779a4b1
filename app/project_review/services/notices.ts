import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import User from '#identity/models/user'
import Project from '#project_review/models/project'
import PanelMember from '#project_review/models/panel_member'
import ProjectNoticeMail from '#project_review/mails/project_notice_mail'
import { seatMachine } from '#project_review/state_machines'

export type NoticeAudience = 'unit' | 'reviewers' | 'panel'

/**
 * E-mail notices after 批复 (sent after commit, the same way panel invitations are: a mail
 * server that is down never undoes the step; failures are logged and counted).
 */
export class ProjectNotices {
  async send(
    projectId: number,
    notice: string,
    audiences: NoticeAudience[],
    values: Record<string, string | number> = {}
  ) {
    const outcome = { sent: 0, failed: 0 }
    const project = await Project.find(projectId)
    if (!project) return outcome
    for (const recipient of await this.recipients(project, audiences)) {
      try {
        await mail.send(new ProjectNoticeMail(recipient, project, notice, values))
        outcome.sent++
      } catch (error) {
        logger.warn({ err: error, projectId, notice }, 'project notice could not be sent')
        outcome.failed++
      }
    }
    return outcome
  }

  /** Addresses of the applicant unit's staff, the reviewers, or the sitting acceptance panel. */
  protected async recipients(project: Project, audiences: NoticeAudience[]) {
    const found = new Map<string, { email: string; name: string }>()
    const add = (email: string | null, name: string) => {
      if (email && !found.has(email)) found.set(email, { email, name })
    }
    if (audiences.includes('unit') || audiences.includes('reviewers')) {
      const users = await User.query()
        .where('is_active', true)
        .whereNotNull('email')
        .whereHas('roleRows', (roles) => {
          roles.where((any) => {
            if (audiences.includes('reviewers')) any.orWhere('role', 'reviewer')
            if (audiences.includes('unit')) {
              any.orWhere((applicant) => {
                applicant.where('role', 'applicant')
              })
            }
          })
        })
        .preload('roleRows')
      for (const user of users) {
        const applicantHere = user.hasRole('applicant') && user.unitId === project.unitId
        if (
          (audiences.includes('unit') && applicantHere) ||
          (audiences.includes('reviewers') && user.hasRole('reviewer'))
        ) {
          add(user.email, user.fullName)
        }
      }
    }
    if (audiences.includes('panel')) {
      const seats = await PanelMember.query()
        .whereHas('panel', (panel) =>
          panel.where('project_id', project.id).where('purpose', 'acceptance')
        )
        .where('status', seatMachine.target('call'))
        .preload('expert')
      for (const seat of seats) add(seat.expert.email, seat.expert.name)
    }
    return [...found.values()]
  }
}

export default new ProjectNotices()
