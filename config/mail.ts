import env from '#start/env'
import { defineConfig, transports } from '@adonisjs/mail'

/** SMTP from env (see README); nodemailer underneath. */
const mailConfig = defineConfig({
  default: 'smtp',
  from: env.get('MAIL_FROM', 'shuzhi@localhost'),
  mailers: {
    smtp: transports.smtp({
      host: env.get('SMTP_HOST', '127.0.0.1'),
      port: env.get('SMTP_PORT', 2525),
      secure: env.get('SMTP_SECURE', false),
      ignoreTLS: !env.get('SMTP_SECURE', false),
      auth: env.get('SMTP_USER')
        ? { type: 'login', user: env.get('SMTP_USER')!, pass: env.get('SMTP_PASSWORD', '') }
        : undefined,
    }),
  },
})

export default mailConfig

declare module '@adonisjs/mail/types' {
  export interface MailersList extends InferMailers<typeof mailConfig> {}
}
