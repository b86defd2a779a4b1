import { BaseMail } from '@adonisjs/mail'
import i18nManager from '@adonisjs/i18n/services/main'
import type Expert from '#project_review/models/expert'
import type Project from '#project_review/models/project'

/** 撤换通知: tells an expert the reviewer withdrew them from a panel (评审 or 验收), and why. */
export default class PanelWithdrawalMail extends BaseMail {
  constructor(
    protected expert: Expert,
    protected project: Project,
    protected reason: string,
    protected purpose: 'review' | 'acceptance' = 'review'
  ) {
    super()
  }

  prepare() {
    const i18n = i18nManager.locale(i18nManager.defaultLocale)
    const kind = this.purpose === 'acceptance' ? 'acceptance_withdrawal' : 'withdrawal'
    const data = { expert: this.expert, project: this.project, reason: this.reason, kind }
    this.message
      .to(this.expert.email!, this.expert.name)
      .subject(
        i18n.t(`review.mail.${kind}.subject`, {
          code: this.project.code ?? '',
          title: this.project.title,
        })
      )
      .htmlView('emails/review/withdrawal_html', data)
      .textView('emails/review/withdrawal_text', data)
  }
}
