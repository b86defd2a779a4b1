import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Assert } from '@japa/assert'
import type { RenderedPdf } from '#core/pdf/documents'

const run = promisify(execFile)

/** Runs poppler on a PDF in a scratch directory (poppler-utils is in CI's apt list). */
async function withPdfFile<T>(buffer: Buffer, work: (path: string, dir: string) => Promise<T>) {
  const dir = await mkdtemp(join(tmpdir(), 'shuzhi-pdf-'))
  try {
    const path = join(dir, 'doc.pdf')
    await writeFile(path, buffer)
    return await work(path, dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * What `pdftotext` reads from the PDF: the text a person could copy. `layout` keeps the page's
 * columns; `raw` keeps drawing order, so the wrapped lines of one table cell stay together.
 */
export function pdfText(buffer: Buffer, mode: 'layout' | 'raw' = 'layout') {
  return withPdfFile(buffer, async (path) => {
    const { stdout } = await run('pdftotext', [`-${mode}`, '-enc', 'UTF-8', path, '-'], {
      maxBuffer: 64 * 1024 * 1024,
    })
    return stdout
  })
}

/** Text in drawing order with all whitespace removed, so wrapped lines do not split figures. */
export async function pdfCompactText(buffer: Buffer) {
  const text = await pdfText(buffer, 'raw')
  return text.replace(/\s+/g, '')
}

export interface PdfFontRow {
  name: string
  type: string
  embedded: boolean
  subset: boolean
  unicode: boolean
}

/** `pdffonts` as rows. */
export function pdfFonts(buffer: Buffer): Promise<PdfFontRow[]> {
  return withPdfFile(buffer, async (path) => {
    const { stdout } = await run('pdffonts', [path])
    return stdout
      .split('\n')
      .slice(2)
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const tokens = line.trim().split(/\s+/)
        const flags = tokens.slice(-5, -2)
        return {
          name: tokens[0],
          type: line.slice(37, 55).trim(),
          embedded: flags[0] === 'yes',
          subset: flags[1] === 'yes',
          unicode: flags[2] === 'yes',
        }
      })
  })
}

/** Renders every page with `pdftoppm` and returns the number of PNG pages it wrote. */
export function renderedPageCount(buffer: Buffer) {
  return withPdfFile(buffer, async (path, dir) => {
    await run('pdftoppm', ['-png', '-r', '40', path, join(dir, 'page')])
    const names = await readdir(dir)
    return names.filter((name) => name.endsWith('.png')).length
  })
}

/**
 * The checks every generated document must pass: it opens, every page renders, the only fonts
 * are the embedded Noto Sans SC subsets with a Unicode map (no Type 3, nothing unembedded, so no
 * tofu), no text box leaves its region (from the layout layer's measurements), and the Chinese
 * strings given come back out of pdftotext.
 */
export async function assertGoodPdf(assert: Assert, pdf: RenderedPdf, expected: string[]) {
  // PDF_KEEP_DIR=dir keeps every checked document for a person to look at (pdftoppm -png).
  const keep = process.env.PDF_KEEP_DIR
  if (keep) {
    await mkdir(keep, { recursive: true })
    await writeFile(join(keep, `${Date.now()}-${pdf.filename || 'document.pdf'}`), pdf.buffer)
  }
  assert.equal(pdf.buffer.subarray(0, 5).toString('latin1'), '%PDF-')
  assert.deepEqual(pdf.problems, [], 'text boxes outside the page margins or their column')
  assert.equal(await renderedPageCount(pdf.buffer), pdf.pages)
  const fonts = await pdfFonts(pdf.buffer)
  assert.isAbove(fonts.length, 0)
  for (const font of fonts) {
    assert.match(font.name, /NotoSansSC-(Regular|Bold)$/)
    assert.notInclude(font.type, 'Type 3')
    assert.isTrue(font.embedded && font.subset && font.unicode, `font ${font.name} embedded`)
  }
  const text = await pdfCompactText(pdf.buffer)
  for (const piece of expected) assert.include(text, piece.replace(/\s+/g, ''))
  return text
}
