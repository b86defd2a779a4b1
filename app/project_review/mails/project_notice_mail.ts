import { BaseMail } from '@adonisjs/mail'
import i18nManager from '@adonisjs/i18n/services/main'
import { appUrl } from '#config/app'
import type Project from '#project_review/models/project'

/**
 * A notice about a project after 批复 (修改后通过, acceptance panel, 验收通过 / 整改, evaluation
 * reminder): one subject and one paragraph from lang/acceptance.json, with a link to the project.
 */
export default class ProjectNoticeMail extends BaseMail {
  constructor(
    protected recipient: { email: string; name: string },
    protected project: Project,
    protected notice: string,
    protected values: Record<string, string | number> = {}
  ) {
    super()
  }

  prepare() {
    const i18n = i18nManager.locale(i18nManager.defaultLocale)
    const values = {
      code: this.project.code ?? '',
      title: this.project.title,
      ...this.values,
    }
    const data = {
      name: this.recipient.name,
      project: this.project,
      body: i18n.t(`acceptance.mail.${this.notice}.body`, values),
      projectUrl: `${appUrl.replace(/\/$/, '')}/review/projects/${this.project.id}`,
    }
    this.message
      .to(this.recipient.email, this.recipient.name)
      .subject(i18n.t(`acceptance.mail.${this.notice}.subject`, values))
      .htmlView('emails/review/notice_html', data)
      .textView('emails/review/notice_text', data)
  }
}
