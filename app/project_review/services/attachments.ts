import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { MultipartFile } from '@adonisjs/core/bodyparser'
import audit from '#core/audit/audit_service'
import { uploadName } from '#core/validation'
import ProjectAttachment, {
  ACCEPTANCE_ATTACHMENT_KINDS,
  type AttachmentKind,
} from '#project_review/models/project_attachment'
import type Project from '#project_review/models/project'
import { projectMachine } from '#project_review/lifecycle'
import { ReviewError } from '#project_review/errors'
import { lockProject } from '#project_review/services/transitions'
import type { ReviewActor } from '#project_review/services/actor'

/**
 * Proposal PDFs while the proposal is editable; acceptance PDFs (交付清单, 等保测评报告,
 * 试运行报告) while the unit may (again) request acceptance.
 */
export function mayAttach(project: Project, kind: AttachmentKind) {
  return (ACCEPTANCE_ATTACHMENT_KINDS as readonly string[]).includes(kind)
    ? projectMachine.can(project.state, 'request_acceptance')
    : project.isEditable
}

/** 20 MB: the largest attachment accepted. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
const PDF_MAGIC = Buffer.from('%PDF-')

/**
 * Proposal attachments (可行性研究报告 / 初步设计): PDFs recognised by their content, not their
 * name, stored outside the web root under random names and served only through a policy check.
 */
export class AttachmentService {
  get directory() {
    return app.makePath('storage', 'review', 'attachments')
  }

  pathOf(attachment: ProjectAttachment) {
    return join(this.directory, attachment.storedName)
  }

  /** True when the file starts with the PDF signature "%PDF-". */
  async isPdf(path: string) {
    const handle = await open(path, 'r')
    try {
      const head = Buffer.alloc(PDF_MAGIC.length)
      const { bytesRead } = await handle.read(head, 0, head.length, 0)
      return bytesRead === head.length && head.equals(PDF_MAGIC)
    } finally {
      await handle.close()
    }
  }

  /** Stores an uploaded file as the proposal's attachment of that kind, replacing an older one. */
  async store(projectId: number, kind: AttachmentKind, file: MultipartFile, actor: ReviewActor) {
    if (!file.tmpPath || file.size > MAX_ATTACHMENT_BYTES) {
      throw new ReviewError('review.attachments.errors.too_large', { max: 20 }, { status: 422 })
    }
    if (!(await this.isPdf(file.tmpPath))) {
      throw new ReviewError('review.attachments.errors.not_pdf', {}, { status: 422 })
    }
    const sha256 = createHash('sha256')
      .update(await readFile(file.tmpPath))
      .digest('hex')
    const storedName = `${randomUUID()}.pdf`
    await mkdir(this.directory, { recursive: true })
    await file.move(this.directory, { name: storedName, overwrite: false })
    const originalName = uploadName(file.clientName, 'attachment.pdf')
    await this.record(projectId, kind, { storedName, originalName, size: file.size, sha256 }, actor)
  }

  /** Stores generated PDF bytes (the demo seed's reports) as the proposal's attachment. */
  async storeBytes(
    projectId: number,
    kind: AttachmentKind,
    originalName: string,
    bytes: Buffer,
    actor: ReviewActor
  ) {
    if (!bytes.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
      throw new ReviewError('review.attachments.errors.not_pdf', {}, { status: 422 })
    }
    const storedName = `${randomUUID()}.pdf`
    await mkdir(this.directory, { recursive: true })
    await writeFile(join(this.directory, storedName), bytes, { flag: 'wx' })
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    await this.record(
      projectId,
      kind,
      { storedName, originalName, size: bytes.length, sha256 },
      actor
    )
  }

  /** Records a stored file as the attachment of that kind, replacing (and deleting) an older one. */
  protected async record(
    projectId: number,
    kind: AttachmentKind,
    file: { storedName: string; originalName: string; size: number; sha256: string },
    actor: ReviewActor
  ) {
    const { storedName, originalName, sha256 } = file
    try {
      const replaced = await db.transaction(async (trx) => {
        const project = await lockProject(projectId, trx)
        if (!mayAttach(project, kind)) {
          throw new ReviewError('review.proposals.errors.frozen', { state: project.state })
        }
        const old = await ProjectAttachment.query({ client: trx })
          .where('project_id', project.id)
          .where('kind', kind)
        for (const previous of old) await previous.delete()
        const attachment = await ProjectAttachment.create(
          {
            projectId: project.id,
            kind,
            originalName,
            storedName,
            sizeBytes: file.size,
            sha256,
            uploadedById: actor.actorId,
          },
          { client: trx }
        )
        await audit.record(
          {
            ...actor,
            action: 'review.attachment.upload',
            targetType: 'project',
            targetId: project.id,
            details: { attachmentId: attachment.id, kind, name: originalName, sha256 },
          },
          trx
        )
        return old.map((previous) => previous.storedName)
      })
      await this.removeFiles(replaced)
    } catch (error) {
      await this.removeFiles([storedName])
      throw error
    }
  }

  async remove(attachment: ProjectAttachment, actor: ReviewActor) {
    await db.transaction(async (trx) => {
      const project = await lockProject(attachment.projectId, trx)
      if (!mayAttach(project, attachment.kind)) {
        throw new ReviewError('review.proposals.errors.frozen', { state: project.state })
      }
      await ProjectAttachment.query({ client: trx }).where('id', attachment.id).delete()
      await audit.record(
        {
          ...actor,
          action: 'review.attachment.delete',
          targetType: 'project',
          targetId: project.id,
          details: { attachmentId: attachment.id, kind: attachment.kind },
        },
        trx
      )
    })
    await this.removeFiles([attachment.storedName])
  }

  stream(attachment: ProjectAttachment) {
    return createReadStream(this.pathOf(attachment))
  }

  async removeFiles(storedNames: string[]) {
    for (const name of storedNames) {
      await rm(join(this.directory, name), { force: true })
    }
  }
}

export default new AttachmentService()
