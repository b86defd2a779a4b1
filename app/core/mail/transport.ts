import mail from '@adonisjs/mail/services/main'

/** A mail as the outbox stores and hands it to a transport. */
export interface OutgoingMail {
  /** Stable per outbox row: a receiver that sees the same id twice knows it is one mail. */
  messageId: string
  to: { address: string; name?: string | null }
  subject: string
  html?: string | null
  text: string
}

/** Where the outbox sends to (one class per transport, as LibreNMS does). */
export interface MailTransport {
  send(message: OutgoingMail): Promise<void>
}

/** A refusal the SMTP server gave as final (5xx): retrying the same mail cannot help. */
export function isPermanentFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode
  return typeof code === 'number' && code >= 500 && code < 600
}

/** The SMTP server answered about this mail (as opposed to: it could not be reached at all). */
export function hasServerReply(error: unknown): boolean {
  return typeof (error as { responseCode?: unknown } | null)?.responseCode === 'number'
}

/** SMTP through `@adonisjs/mail` (nodemailer underneath), configured in config/mail.ts. */
export class AdonisMailTransport implements MailTransport {
  constructor(protected mailer = 'smtp' as const) {}

  async send(message: OutgoingMail) {
    await mail.use(this.mailer).send((m) => {
      m.messageId(message.messageId)
      m.to(message.to.address, message.to.name ?? undefined)
      m.subject(message.subject)
      if (message.html) m.html(message.html)
      m.text(message.text)
    })
  }
}
