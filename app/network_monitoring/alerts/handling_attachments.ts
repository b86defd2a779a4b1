import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { MultipartFile } from '@adonisjs/core/bodyparser'
import { uploadName } from '#core/validation'
import { AlertActionError } from '#network_monitoring/alerts/alert_actions'

/** 10 MB: the largest 处置记录 attachment (a scanned report, a screenshot). */
export const MAX_HANDLING_ATTACHMENT_BYTES = 10 * 1024 * 1024

/** What is accepted, recognised by the first bytes of the file, never by its name. */
const KINDS = [
  { ext: 'pdf', type: 'application/pdf', magic: Buffer.from('%PDF-') },
  {
    ext: 'png',
    type: 'image/png',
    magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  { ext: 'jpg', type: 'image/jpeg', magic: Buffer.from([0xff, 0xd8, 0xff]) },
] as const

export function contentTypeOf(storedName: string) {
  const ext = storedName.split('.').pop()
  return KINDS.find((kind) => kind.ext === ext)?.type ?? 'application/octet-stream'
}

/**
 * Attachments of 处置记录 (handling records): PDF or image, at most 10 MB, checked by content
 * (the same checks as the proposal attachments), stored outside the web root under a random
 * name; the sender's file name is kept for display only (no path, no control characters).
 */
export class HandlingAttachments {
  get directory() {
    return app.makePath('storage', 'alerts', 'handling')
  }

  pathOf(storedName: string) {
    if (!/^[0-9a-f-]{36}\.(pdf|png|jpg)$/.test(storedName)) throw new Error('bad stored name')
    return join(this.directory, storedName)
  }

  async #kindOf(path: string) {
    const handle = await open(path, 'r')
    try {
      const head = Buffer.alloc(8)
      const { bytesRead } = await handle.read(head, 0, head.length, 0)
      return KINDS.find(
        (kind) =>
          bytesRead >= kind.magic.length && head.subarray(0, kind.magic.length).equals(kind.magic)
      )
    } finally {
      await handle.close()
    }
  }

  /** Checks and keeps an uploaded file; returns where it went and the name to show. */
  async store(file: MultipartFile) {
    if (!file.tmpPath || file.size > MAX_HANDLING_ATTACHMENT_BYTES) {
      throw new AlertActionError('attachment_too_large', 'alerts.errors.attachment_too_large', {
        max: MAX_HANDLING_ATTACHMENT_BYTES / 1024 / 1024,
      })
    }
    const kind = await this.#kindOf(file.tmpPath)
    if (!kind) {
      throw new AlertActionError('attachment_type', 'alerts.errors.attachment_type')
    }
    const storedName = `${randomUUID()}.${kind.ext}`
    await mkdir(this.directory, { recursive: true })
    await file.move(this.directory, { name: storedName, overwrite: false })
    return { storedName, originalName: uploadName(file.clientName, `attachment.${kind.ext}`) }
  }

  stream(storedName: string) {
    return createReadStream(this.pathOf(storedName))
  }

  /** Deletes a kept file whose record was not saved (the transaction failed). */
  async discard(storedName: string) {
    await rm(this.pathOf(storedName), { force: true })
  }
}

export default new HandlingAttachments()
