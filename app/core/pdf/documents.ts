import type { I18n } from '@adonisjs/i18n'
import type { HttpContext } from '@adonisjs/core/http'
import i18nManager from '@adonisjs/i18n/services/main'
import { DateTime } from 'luxon'
import { bureauName, documentPrefix } from '#config/app'
import { pdfDateTime } from '#core/pdf/format'
import { PdfWriter, type TextBox } from '#core/pdf/pdf_writer'

/** A finished document and what the layout checks need to know about it. */
export interface RenderedPdf {
  buffer: Buffer
  /** Suggested download name, e.g. 评审意见书-XM2026-0012.pdf */
  filename: string
  pages: number
  /** Text boxes outside their region or wider than their column (must be empty). */
  problems: TextBox[]
  maxSliceMs: number
}

/** Documents are official Chinese papers: zh-CN unless a caller passes the viewer's i18n. */
export function documentI18n(i18n?: I18n): I18n {
  return i18n ?? i18nManager.locale('zh-CN')
}

/**
 * 文号: issuer prefix (settings: DOCUMENT_PREFIX) + kind + 〔year〕 + serial + 号,
 * e.g. 数资评〔2026〕12号. `kind` is an i18n key under reports.numbers.
 */
export function documentNumber(i18n: I18n, kind: string, year: number, serial: number) {
  return i18n.t('reports.common.document_number', {
    prefix: documentPrefix,
    kind: i18n.t(`reports.numbers.${kind}`),
    year: String(year),
    serial: String(serial),
  })
}

/** A writer with the bureau's running header, the document number and 第 N 页 共 M 页. */
export function openDocument(
  i18n: I18n,
  title: string,
  number: string | null,
  now: DateTime = DateTime.utc()
) {
  return PdfWriter.create({
    title,
    bureauName,
    documentNumber: number,
    footerNote: i18n.t('reports.common.generated_at', { time: pdfDateTime(now) }),
    pageLabel: (page, pages) =>
      i18n.t('reports.common.page_of', { page: String(page), pages: String(pages) }),
  })
}

/** Ends the writer and packages the result with its layout measurements. */
export async function finishDocument(writer: PdfWriter, filename: string): Promise<RenderedPdf> {
  const buffer = await writer.finish()
  return {
    buffer,
    filename,
    pages: writer.pages,
    problems: writer.layoutProblems(),
    maxSliceMs: writer.maxSliceMs,
  }
}

/** Sends a rendered PDF as a download; the Chinese file name travels as RFC 5987 filename*. */
export function sendPdf(response: HttpContext['response'], pdf: RenderedPdf) {
  const ascii = pdf.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  response.header('content-type', 'application/pdf')
  response.header(
    'content-disposition',
    `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(pdf.filename)}`
  )
  response.header('cache-control', 'no-store')
  return response.send(pdf.buffer)
}
