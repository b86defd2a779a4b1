import { createHash, randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import type { ApiResponse } from '@japa/api-client'
import type User from '#identity/models/user'
import type Unit from '#identity/models/unit'
import Expert, { type Specialty } from '#project_review/models/expert'
import Project from '#project_review/models/project'
import proposals, { type ProposalInput } from '#project_review/services/proposals'
import ProjectAttachment, { type AttachmentKind } from '#project_review/models/project_attachment'
import projectDriver, { type DriveOptions } from '#project_review/services/project_driver'
import type { ProjectState } from '#project_review/lifecycle'
import sheets from '#project_review/services/sheets'
import PanelMember from '#project_review/models/panel_member'
import ReviewPanel from '#project_review/models/review_panel'
import { reviewActorOf } from '#project_review/services/actor'
import { createUnit, createUser } from '#tests/helpers/identity'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'
import mail from '@adonisjs/mail/services/main'
import { SMTPTransport } from '@adonisjs/mail/transports/smtp'

/** A complete proposal: every field of DESIGN.md §A, two budget lines (money in fen). */
export function proposalInput(overrides: Partial<ProposalInput> = {}): ProposalInput {
  return {
    title: '县公安局视频监控扩容项目',
    year: DateTime.utc().year,
    category: 'upgrade',
    content: '新增高清摄像机与存储，接入视频资源交换平台。',
    necessity: '现有路口监控覆盖不足，夜间画质差。',
    technicalPlan: '前端 4K 摄像机，后端云存储，统一接入视频资源交换平台。',
    securityLevel: 3,
    plannedStart: new Date(Date.UTC(DateTime.utc().year, 2, 1)),
    plannedEnd: new Date(Date.UTC(DateTime.utc().year, 10, 30)),
    contactName: '刘经办',
    contactPhone: '0571-1234567',
    platformIds: [],
    items: [
      {
        category: 'hardware',
        name: '4K 摄像机',
        specification: '800 万像素',
        quantity: 10,
        unitPrice: 500_000,
      },
      { category: 'software', name: '视频结构化软件', quantity: 1, unitPrice: 20_000_000 },
    ],
    ...overrides,
  }
}

/** An applicant of a fresh unit, and a reviewer. */
export async function reviewCast() {
  const unit = await createUnit()
  const applicant = await createUser({ roles: ['applicant'], unit })
  const reviewer = await createUser({ roles: ['reviewer'] })
  return { unit, applicant, reviewer }
}

/** A minimal PDF (the server checks the "%PDF-" signature). */
export const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'
)

/**
 * A draft with every field filled; by default it also carries the 可行性研究报告 that submission
 * requires (`feasibility: false` leaves it out).
 */
export async function createDraft(
  applicant: User,
  overrides: Partial<ProposalInput> = {},
  options: { feasibility?: boolean } = {}
) {
  const actor = reviewActorOf(applicant)
  const project = await proposals.create(proposalInput(overrides), actor)
  if (options.feasibility !== false) await attachFeasibility(project.id, applicant)
  return project
}

/** Records a 可行性研究报告 row (no file on disk: what submission checks, nothing left behind). */
export async function attachFeasibility(projectId: number, applicant: User) {
  return attachRow(projectId, 'feasibility', applicant)
}

/** Records an attachment row of any kind (no file on disk). */
export async function attachRow(projectId: number, kind: AttachmentKind, applicant: User) {
  return ProjectAttachment.create({
    projectId,
    kind,
    originalName: kind === 'feasibility' ? '可行性研究报告.pdf' : `${kind}.pdf`,
    storedName: `${randomUUID()}.pdf`,
    sizeBytes: TINY_PDF.length,
    sha256: createHash('sha256').update(TINY_PDF).digest('hex'),
    uploadedById: applicant.id,
  })
}

/** A proposal that has been submitted and accepted by the reviewer. */
export async function acceptedProject(applicant: User, reviewer: User) {
  const project = await createDraft(applicant)
  return driveTo(project.id, 'accepted', applicant, reviewer)
}

/**
 * Drives a project to any state of the lifecycle through the real services (the shared
 * project driver); attachments are recorded as rows only, so nothing is left on disk.
 */
export async function driveTo(
  projectId: number,
  target: ProjectState,
  applicant: User,
  reviewer: User,
  options: DriveOptions = {}
) {
  return projectDriver.drive(
    projectId,
    target,
    { applicant: reviewActorOf(applicant), reviewer: reviewActorOf(reviewer) },
    {
      attach: (id, kind) => attachRow(id, kind, applicant),
      sheet: (_index, panel, items) => ({
        scores: Object.fromEntries(
          panel.criteria.map((criterion) => [criterion.key, criterion.maxScore * 0.9])
        ),
        opinion: '同意建设，建议压减部分硬件。',
        items: items.map((item) => ({
          budgetItemId: item.id,
          quantity: item.quantity,
          unitPrice: item.unitPriceFen,
        })),
      }),
      ...options,
    }
  )
}

/** Experts with logins (role expert), employed outside the applicant units. */
export async function createExperts(
  count: number,
  options: { specialties?: Specialty[]; employerUnit?: Unit; email?: boolean } = {}
) {
  const experts: { expert: Expert; user: User }[] = []
  for (let i = 0; i < count; i++) {
    const user = await createUser({ roles: ['expert'], fullName: `专家${i + 1}` })
    const expert = await Expert.create({
      userId: user.id,
      name: `专家${i + 1}`,
      employer: options.employerUnit?.name ?? `某大学${i + 1}`,
      employerUnitId: options.employerUnit?.id ?? null,
      specialties: options.specialties ?? ['software', 'security'],
      conflictUnitIds: [],
      phone: null,
      email: options.email ? `expert${user.id}@example.test` : null,
      isActive: true,
      yearlyCap: 10,
    })
    experts.push({ expert, user })
  }
  return experts
}

/** The sitting members of a project's panel with their login. */
export async function sittingExperts(projectId: number) {
  const panel = await ReviewPanel.findByOrFail('project_id', projectId)
  const members = await PanelMember.query()
    .where('panel_id', panel.id)
    .where('status', 'invited')
    .preload('expert', (q) => q.preload('user', (u) => u.preload('roleRows')))
    .orderBy('draw_order')
  return members.map((member) => ({ member, expert: member.expert, user: member.expert.user }))
}

/**
 * Full scores for a sheet: each criterion at `percent` of its max, and for every line the given
 * recommended quantity/price (default: as requested).
 */
export async function submitSheet(
  projectId: number,
  user: User,
  memberId: number,
  options: {
    percent?: number
    lines?: (item: { id: number; position: number; quantity: number; unitPriceFen: number }) => {
      quantity: number
      unitPrice: number
      cutReason?: 'overpriced' | 'excess_quantity' | 'unnecessary' | null
    }
  } = {}
) {
  const actor = reviewActorOf(user)
  const sheet = await sheets.declareNoConflict(memberId, actor)
  const panel = await ReviewPanel.findByOrFail('project_id', projectId)
  const project = await Project.query().where('id', projectId).preload('items').firstOrFail()
  const percent = options.percent ?? 0.9
  const scores: Record<string, number> = {}
  for (const criterion of panel.criteria) scores[criterion.key] = criterion.maxScore * percent
  return sheets.save(
    sheet.id,
    {
      scores,
      opinion: '同意建设，建议压减部分硬件。',
      items: project.items.map((item) => ({
        budgetItemId: item.id,
        ...(options.lines
          ? options.lines(item)
          : { quantity: item.quantity, unitPrice: item.unitPriceFen }),
      })),
    },
    actor,
    true
  )
}

/** Draws 5 experts for an accepted project and has all of them submit. */
export async function reviewedProject(applicant: User, reviewer: User) {
  const project = await acceptedProject(applicant, reviewer)
  await createExperts(5)
  return driveTo(project.id, 'reviewed', applicant, reviewer)
}

/** Form fields the way a browser sends table rows: rows[0][name]=…, rows[1][name]=… */
export function formRows(name: string, rows: Record<string, unknown>[]) {
  const fields: Record<string, unknown> = {}
  rows.forEach((row, index) => {
    for (const [key, value] of Object.entries(row)) fields[`${name}[${index}][${key}]`] = value
  })
  return fields
}

/** One message as the SMTP server received it. */
export interface CaughtMail {
  from: string
  to: string[]
  raw: string
}

/**
 * A real SMTP server (npm smtp-server) on a free loopback port, with the app's `smtp` mailer
 * pointed at it for the duration of a test; `stop()` restores the configured mailer. `refuse`
 * makes it answer 550 for the recipients it matches (a mailbox that does not exist).
 */
export async function startMailCatcher(options: { refuse?: (address: string) => boolean } = {}) {
  const messages: CaughtMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        const error = new Error('550 mailbox unavailable') as Error & { responseCode: number }
        error.responseCode = 550
        return callback(error)
      }
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as AddressInfo).port
  const original = mail.config.mailers.smtp
  await mail.close('smtp')
  ;(mail.config.mailers as Record<string, unknown>).smtp = () =>
    new SMTPTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
  return {
    messages,
    async stop() {
      await mail.close('smtp')
      ;(mail.config.mailers as Record<string, unknown>).smtp = original
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The decoded text of a MIME message (quoted-printable / base64 parts folded back to UTF-8). */
export function decodedText(raw: string) {
  const body = raw.replace(/=\r?\n/g, '')
  const qp = body.replace(/(?:=[0-9A-F]{2})+/g, (run) =>
    Buffer.from(
      run
        .split('=')
        .slice(1)
        .map((hex) => Number.parseInt(hex, 16))
    ).toString('utf8')
  )
  const base64Parts = [...raw.matchAll(/base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/g)].map(([, part]) =>
    Buffer.from(part.replace(/\s+/g, ''), 'base64').toString('utf8')
  )
  const subjects = [...raw.matchAll(/=\?UTF-8\?([BQ])\?([^?]+)\?=/gi)].map(([, enc, text]) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(Number.parseInt(hex, 16))),
          'latin1'
        ).toString('utf8')
  )
  return [qp, ...base64Parts, ...subjects].join('\n')
}

/** The current state of a project, read afresh from the database. */
export async function stateOf(projectId: number) {
  const project = await Project.findOrFail(projectId)
  return project.state
}

/** Sends a request and asserts the response status. */
export async function assertStatus(request: PromiseLike<ApiResponse>, status: number) {
  const response = await request
  response.assertStatus(status)
}
