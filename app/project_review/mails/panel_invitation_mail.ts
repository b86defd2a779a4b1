import { BaseMail } from '@adonisjs/mail'
import i18nManager from '@adonisjs/i18n/services/main'
import { appUrl } from '#config/app'
import type Expert from '#project_review/models/expert'
import type Project from '#project_review/models/project'

/** 评审邀请: tells a drawn expert which project they are asked to review and where to answer. */
export default class PanelInvitationMail extends BaseMail {
  constructor(
    protected expert: Expert,
    protected project: Project,
    protected unitName: string,
    protected asAlternate: boolean
  ) {
    super()
  }

  prepare() {
    const i18n = i18nManager.locale(i18nManager.defaultLocale)
    const data = {
      expert: this.expert,
      project: this.project,
      unitName: this.unitName,
      asAlternate: this.asAlternate,
      tasksUrl: `${appUrl.replace(/\/$/, '')}/review/tasks`,
    }
    this.message
      .to(this.expert.email!, this.expert.name)
      .subject(
        i18n.t('review.mail.invitation.subject', {
          code: this.project.code ?? '',
          title: this.project.title,
        })
      )
      .htmlView('emails/review/invitation_html', data)
      .textView('emails/review/invitation_text', data)
  }
}
