import { BaseMail } from '@adonisjs/mail'
import i18nManager from '@adonisjs/i18n/services/main'
import { appUrl } from '#config/app'
import type Expert from '#project_review/models/expert'
import type Project from '#project_review/models/project'

/** What an acceptance (竣工验收) invitation adds: the checklist to fill and by when. */
export interface AcceptanceInvitation {
  round: number
  /** the checklist item labels (建设内容完成度 …) */
  items: readonly string[]
  /** yyyy-MM-dd, Asia/Shanghai */
  deadline: string
}

/**
 * 评审邀请: tells a drawn expert which project they are asked to review and where to answer.
 * For an acceptance panel it is a 竣工验收评审邀请: the checklist items and the deadline.
 */
export default class PanelInvitationMail extends BaseMail {
  constructor(
    protected expert: Expert,
    protected project: Project,
    protected unitName: string,
    protected asAlternate: boolean,
    protected acceptance: AcceptanceInvitation | null = null
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
      acceptance: this.acceptance,
      tasksUrl: `${appUrl.replace(/\/$/, '')}/review/tasks`,
    }
    const kind = this.acceptance ? 'acceptance_invitation' : 'invitation'
    this.message
      .to(this.expert.email!, this.expert.name)
      .subject(
        i18n.t(`review.mail.${kind}.subject`, {
          code: this.project.code ?? '',
          title: this.project.title,
        })
      )
      .htmlView(`emails/review/${kind}_html`, data)
      .textView(`emails/review/${kind}_text`, data)
  }
}
