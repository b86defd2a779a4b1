import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import mail from '@adonisjs/mail/services/main'
import { SMTPTransport } from '@adonisjs/mail/transports/smtp'
import { decodedText } from '#tests/helpers/review'

/** The text of a single-part or multipart MIME message, transfer encodings undone. */
export function mimeText(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/)
  if (split < 0) return raw
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ')
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '')
  const type = /^content-type:\s*([^\r\n]+)/im.exec(head)?.[1] ?? 'text/plain'
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1]
  if (boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((part) => !part.startsWith('--'))
      .map((part) => mimeText(part.replace(/^\r?\n/, '')))
      .join('\n')
  }
  const encoding = (/^content-transfer-encoding:\s*(\S+)/im.exec(head)?.[1] ?? '').toLowerCase()
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (encoding === 'quoted-printable') {
    const joined = body.replace(/=\r?\n/g, '')
    return Buffer.from(
      joined.replace(/=([0-9A-F]{2})/gi, (_m, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16))
      ),
      'latin1'
    ).toString('utf8')
  }
  return body
}

export interface CaughtMessage {
  to: string[]
  subject: string
  messageId: string
  text: string
  raw: string
}

function subjectOf(raw: string) {
  const header = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ')
  const line = header.split(/\r?\n/).find((l) => /^subject:/i.test(l)) ?? ''
  const value = line.replace(/^subject:\s*/i, '')
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_x, h: string) =>
              String.fromCharCode(Number.parseInt(h, 16))
            ),
          'latin1'
        ).toString('utf8')
  )
}

/**
 * A real SMTP server (npm smtp-server) on one loopback port that can be stopped and started
 * again on the same port (the mail server "goes down for an hour"); the app's `smtp` mailer
 * points at it until `close()`.
 */
export async function startSmtp() {
  const messages: CaughtMessage[] = []
  let server: SMTPServer | null = null
  let port = 0
  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          messages.push({
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            subject: subjectOf(raw),
            messageId: (/^message-id:\s*(.+)$/im.exec(raw)?.[1] ?? '').trim(),
            text: `${mimeText(raw)}\n${decodedText(raw)}`,
            raw,
          })
          callback()
        })
      },
    })
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', () => resolve()))
    port = (server!.server.address() as AddressInfo).port
  }
  await listen()
  const original = mail.config.mailers.smtp
  await mail.close('smtp')
  ;(mail.config.mailers as Record<string, unknown>).smtp = () =>
    new SMTPTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: 2000,
    })
  const stopServer = async () => {
    if (!server) return
    const s = server
    server = null
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  return {
    messages,
    get port() {
      return port
    },
    /** The mail server goes down (connections are refused). */
    stop: stopServer,
    /** … and comes back on the same port. */
    start: listen,
    async close() {
      await stopServer()
      await mail.close('smtp')
      ;(mail.config.mailers as Record<string, unknown>).smtp = original
    },
  }
}

/** A clock tests move by hand. */
export function manualClock(start = new Date()) {
  let now = start.getTime()
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms
    },
    set(date: Date) {
      now = date.getTime()
    },
  }
}
