import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { BadRequestBodyException } from '#middleware/request_body_middleware'

export interface UploadOptions {
  /** Largest body accepted, e.g. '21mb'. */
  limit?: string
  /** i18n key of the 413 message (default: the generic "request too large"). */
  tooLarge?: string
}

/**
 * Reads a multipart body on the upload routes only. The body parser never
 * processes multipart on its own (config/bodyparser.ts), so nothing reaches
 * the disk before this route middleware runs, i.e. after authentication and
 * the CSRF check (upload forms carry their token in the query string, since
 * the body is not read yet when the check runs). Files go to a private
 * directory of this request, deleted when the request ends, whatever the
 * outcome; a file the controller keeps is moved out of it first. A body over
 * the limit gets a 413 saying this route's own limit.
 */
export default class UploadMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: UploadOptions = {}) {
    const multipart = ctx.request.multipart
    if (ctx.request.bodyType !== 'multipart' || multipart.state !== 'idle') return next()

    const dir = await mkdtemp(join(tmpdir(), 'shuzhi-upload-'))
    const writes: Promise<unknown>[] = []
    try {
      multipart.onFile('*', { deferValidations: true }, async (part, reportChunk) => {
        const tmpPath = join(dir, randomUUID())
        part.pause()
        part.on('data', reportChunk)
        const write = pipeline(part, createWriteStream(tmpPath))
        writes.push(write.catch(() => {}))
        try {
          await write
          return { tmpPath }
        } catch (error) {
          multipart.abort(error)
        }
      })
      try {
        await multipart.process(options.limit ? { limit: options.limit } : undefined)
      } catch (error) {
        if ((error as { code?: string }).code !== 'E_REQUEST_ENTITY_TOO_LARGE') {
          throw new BadRequestBodyException('unreadable multipart body', { cause: error })
        }
        if (options.tooLarge) Object.assign(error as object, { messageKey: options.tooLarge })
        throw error
      }
      return await next()
    } finally {
      // A refused body may still have a file being written: wait for it, then delete all.
      await Promise.all(writes)
      await rm(dir, { recursive: true, force: true })
    }
  }
}
