import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { RenderedPdf } from '#core/pdf/documents'

/** Writes a rendered PDF for a `report:*` command: `--out` or the suggested name in the cwd. */
export async function writePdfFile(pdf: RenderedPdf, out: string | undefined) {
  const path = resolve(out ?? pdf.filename)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, pdf.buffer)
  return path
}
