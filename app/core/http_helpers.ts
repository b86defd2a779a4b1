import { Readable } from 'node:stream'
import { errors as vineErrors } from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'

export const PAGE_SIZE = 20

/** A validation error for one field, rendered like any other form error. */
export function fieldError(field: string, message: string, rule = 'custom') {
  return new vineErrors.E_VALIDATION_ERROR([{ field, message, rule }])
}

/**
 * Where to send a user after login: the page they asked for when it is a path
 * on this site, else the workbench. Never another host ("//evil", "/\\evil",
 * "https://…"), so a crafted link cannot turn the login into an open redirect.
 */
export function returnPath(requested: unknown, fallback = '/'): string {
  if (typeof requested !== 'string' || !requested.startsWith('/')) return fallback
  try {
    const url = new URL(requested, 'http://this.site')
    if (url.origin !== 'http://this.site') return fallback
    return url.pathname + url.search
  } catch {
    return fallback
  }
}

/** Quotes a CSV cell (RFC 4180) and defuses spreadsheet formulas. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** CSV with a UTF-8 BOM so that Excel opens Chinese text correctly. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return '\uFEFF' + [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

/** Sends rows as a CSV download. */
export function sendCsv(
  response: HttpContext['response'],
  filename: string,
  header: string[],
  rows: unknown[][]
) {
  response.header('content-type', 'text/csv; charset=utf-8')
  response.header('content-disposition', `attachment; filename="${filename}"`)
  return response.send(toCsv(header, rows))
}

/** Turns batches of records into batches of CSV cells. */
export async function* mapBatches<T>(
  batches: AsyncIterable<T[]>,
  toCells: (record: T) => unknown[]
): AsyncGenerator<unknown[][]> {
  for await (const batch of batches) yield batch.map(toCells)
}

/**
 * Sends batches of rows as a CSV download while they are read: one chunk per batch, so a large
 * export neither holds every row in memory nor blocks other requests while it is built.
 */
export function streamCsv(
  response: HttpContext['response'],
  filename: string,
  header: string[],
  batches: AsyncIterable<unknown[][]>
) {
  async function* chunks() {
    yield '\uFEFF' + header.map(csvCell).join(',') + '\r\n'
    for await (const rows of batches) {
      if (rows.length === 0) continue
      yield rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
    }
  }
  response.header('content-type', 'text/csv; charset=utf-8')
  response.header('content-disposition', `attachment; filename="${filename}"`)
  response.stream(Readable.from(chunks()))
}
