import PDFDocument from 'pdfkit'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { drawableText, loadPdfFonts, type FontkitFont, type PdfFonts } from '#core/pdf/fonts'
import { wrapText, measure, type WrappedLine } from '#core/pdf/wrap'

/** A4 in points and the margins every document shares. */
export const PAGE = {
  width: 595.28,
  height: 841.89,
  marginTop: 72,
  marginBottom: 64,
  marginLeft: 56,
  marginRight: 56,
} as const

export const CONTENT_WIDTH = PAGE.width - PAGE.marginLeft - PAGE.marginRight

/** Where a drawn box belongs: the body between the margins, or the running header/footer. */
export type Region = 'content' | 'header' | 'footer'

/** Every line of text the writer drew, measured: what the layout checks read. */
export interface TextBox {
  page: number
  region: Region
  x: number
  y: number
  width: number
  height: number
  /** The width the text was given; a line wider than this would be cut off or overlap. */
  maxWidth: number
  text: string
}

export interface PdfHeader {
  /** Document title (page 1 and the PDF metadata). */
  title: string
  /** Left of the running header: the bureau's name (settings: BUREAU_NAME). */
  bureauName: string
  /** Right of the running header: the document number, e.g. 数资评〔2026〕12号. */
  documentNumber?: string | null
  /** Left of the footer, e.g. "生成时间 2026-03-05 14:30". */
  footerNote?: string
  /** The footer's page label, e.g. (1, 3) → 第 1 页 共 3 页. */
  pageLabel: (page: number, pages: number) => string
}

export interface TextStyle {
  size?: number
  bold?: boolean
  color?: string
  align?: 'left' | 'center' | 'right'
}

export interface TableColumn {
  header: string
  /** Relative width (the columns share the available width in proportion). */
  width: number
  align?: 'left' | 'center' | 'right'
}

export interface TableOptions {
  /** Rows drawn bold on a tinted background after the data (totals). */
  footerRows?: string[][]
  /** Shown in one spanning row when there are no rows. */
  emptyText?: string
  /** Hide the header row (key–value grids). */
  header?: boolean
  /** Columns whose cells are labels (bold, tinted), for key–value grids. */
  labelColumns?: number[]
  size?: number
  /** Rows whose index is listed are drawn in the highlight colour. */
  highlightRows?: Set<number>
}

export interface BarSeries {
  name: string
  color: string
}

export interface BarChartData {
  title?: string
  series: BarSeries[]
  /** One group per label; values[i] belongs to series[i]. */
  groups: { label: string; values: number[]; valueLabels: string[] }[]
  emptyText?: string
}

const LINE_FACTOR = 1.45
const CELL_PAD_X = 4
const CELL_PAD_Y = 3
const SERIES_COLORS = ['#3b6ea5', '#e0913a', '#5a9e6f', '#b0413e']
/** Synchronous work between two yields to the event loop. */
const SLICE_MS = 20

/**
 * CPU time of this thread in ms: what a synchronous stretch costs the event loop on its own,
 * unaffected by other processes competing for the cores (wall time on a busy CI box is not).
 */
function threadCpuMs() {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1000
}

export { SERIES_COLORS }

/**
 * One A4 document with the embedded CJK font: running header (bureau, document number),
 * footer (第 N 页 共 M 页), titles, paragraphs, key–value grids, tables that wrap long cells and
 * repeat their header across pages, bar charts and signature blocks. It lays out every line
 * itself (wrap.ts), so each drawn box is measured and `layoutProblems()` can prove that nothing
 * leaves the page; block methods yield to the event loop so a long document never stalls it.
 */
export class PdfWriter {
  readonly boxes: TextBox[] = []
  /** Longest synchronous stretch (thread CPU ms) between two yields, pdfkit's final step included. */
  maxSliceMs = 0
  /** Time of pdfkit's final step (font subsets and trailer), part of maxSliceMs. */
  endMs = 0
  y: number = PAGE.marginTop
  private doc: PDFKit.PDFDocument
  private fonts: PdfFonts
  private page = 0
  private sliceStart = threadCpuMs()
  private chunks: Buffer[] = []

  private constructor(
    fonts: PdfFonts,
    private header: PdfHeader
  ) {
    this.fonts = fonts
    this.doc = new PDFDocument({
      size: 'A4',
      bufferPages: true,
      autoFirstPage: false,
      margin: 0,
      info: { Title: header.title, Author: header.bureauName, Creator: '数治' },
      lang: 'zh-CN',
      displayTitle: true,
    } as PDFKit.PDFDocumentOptions)
    this.doc.on('data', (chunk: Buffer) => this.chunks.push(chunk))
    this.doc.registerFont('R', fonts.regular as unknown as string)
    this.doc.registerFont('B', fonts.bold as unknown as string)
    this.newPage()
  }

  static async create(header: PdfHeader): Promise<PdfWriter> {
    const fonts = await loadPdfFonts()
    return new PdfWriter(fonts, header)
  }

  get bottom() {
    return PAGE.height - PAGE.marginBottom
  }

  get pages() {
    return this.page
  }

  /** Text as the font can draw it (emoji and unknown symbols become "?"). */
  clean(text: string) {
    return drawableText(this.fonts.regular, text)
  }

  /** The document title, centred and wrapped, with the date line under it. */
  async title(text: string, subtitle?: string) {
    await this.paragraph(text, { size: 18, bold: true, align: 'center' })
    if (subtitle) await this.paragraph(subtitle, { size: 10, color: '#555555', align: 'center' })
    this.y += 8
  }

  async heading(text: string) {
    this.ensureSpace(16 * LINE_FACTOR + 40)
    this.y += 6
    await this.paragraph(text, { size: 12, bold: true })
    this.doc
      .moveTo(PAGE.marginLeft, this.y)
      .lineTo(PAGE.width - PAGE.marginRight, this.y)
      .lineWidth(0.5)
      .strokeColor('#9aa5b1')
      .stroke()
    this.y += 4
  }

  /** A wrapped paragraph across the content width; breaks pages between lines. */
  async paragraph(text: string, style: TextStyle = {}) {
    const size = style.size ?? 10
    const font = style.bold ? this.fonts.bold : this.fonts.regular
    const lines = wrapText(font, this.clean(text), size, CONTENT_WIDTH)
    const lineHeight = size * LINE_FACTOR
    for (const line of lines) {
      this.ensureSpace(lineHeight)
      this.drawLine(line, PAGE.marginLeft, this.y, CONTENT_WIDTH, size, style, 'content')
      this.y += lineHeight
      await this.breathe()
    }
    this.y += size * 0.3
  }

  spacer(height: number) {
    this.y += height
  }

  /** Label/value pairs in a grid of `columns` pairs per row; values wrap. */
  async keyValues(pairs: [string, string][], columns: 1 | 2 = 2) {
    const rows: string[][] = []
    for (let i = 0; i < pairs.length; i += columns) {
      const row: string[] = []
      for (let c = 0; c < columns; c++) row.push(...(pairs[i + c] ?? ['', '']))
      rows.push(row)
    }
    const tableColumns: TableColumn[] =
      columns === 2
        ? [
            { header: '', width: 1 },
            { header: '', width: 2 },
            { header: '', width: 1 },
            { header: '', width: 2 },
          ]
        : [
            { header: '', width: 1 },
            { header: '', width: 4 },
          ]
    await this.table(tableColumns, rows, {
      header: false,
      labelColumns: columns === 2 ? [0, 2] : [0],
    })
  }

  /**
   * A table across the content width. Cells wrap; a row that does not fit goes to the next page
   * under a repeated header; a row taller than a page is split between pages line by line.
   */
  async table(columns: TableColumn[], rows: string[][], options: TableOptions = {}) {
    const size = options.size ?? 9
    const lineHeight = size * LINE_FACTOR
    const totalWeight = columns.reduce((sum, column) => sum + column.width, 0)
    const widths = columns.map((column) => (column.width / totalWeight) * CONTENT_WIDTH)
    const xs = widths.map((_, i) => PAGE.marginLeft + widths.slice(0, i).reduce((a, b) => a + b, 0))
    const showHeader = options.header !== false
    const labelColumns = new Set(options.labelColumns ?? [])

    const layoutRow = (cells: string[], bold: (column: number) => boolean) =>
      columns.map((_, i) =>
        wrapText(
          bold(i) ? this.fonts.bold : this.fonts.regular,
          this.clean(cells[i] ?? ''),
          size,
          widths[i] - 2 * CELL_PAD_X
        )
      )
    const headerLines = showHeader
      ? layoutRow(
          columns.map((column) => column.header),
          () => true
        )
      : []
    const headerHeight = showHeader
      ? Math.max(...headerLines.map((lines) => lines.length)) * lineHeight + 2 * CELL_PAD_Y
      : 0

    const drawHeader = () => {
      if (!showHeader) return
      this.drawRowBox(xs, widths, this.y, headerHeight, '#e8edf3')
      headerLines.forEach((lines, i) =>
        lines.forEach((line, n) =>
          this.drawLine(
            line,
            xs[i] + CELL_PAD_X,
            this.y + CELL_PAD_Y + n * lineHeight,
            widths[i] - 2 * CELL_PAD_X,
            size,
            { bold: true, align: columns[i].align ?? 'left' },
            'content'
          )
        )
      )
      this.y += headerHeight
    }

    this.ensureSpace(headerHeight + lineHeight + 2 * CELL_PAD_Y)
    drawHeader()

    const drawRow = async (cells: string[], kind: 'data' | 'footer' | 'empty', index: number) => {
      const bold = (column: number) => kind === 'footer' || labelColumns.has(column)
      let pending = kind === 'empty' ? null : layoutRow(cells, bold)
      if (kind === 'empty') {
        const lines = wrapText(this.fonts.regular, this.clean(cells[0]), size, CONTENT_WIDTH - 8)
        this.ensureSpace(lines.length * lineHeight + 2 * CELL_PAD_Y, drawHeader)
        const height = lines.length * lineHeight + 2 * CELL_PAD_Y
        this.drawRowBox([PAGE.marginLeft], [CONTENT_WIDTH], this.y, height, null)
        lines.forEach((line, n) =>
          this.drawLine(
            line,
            PAGE.marginLeft + CELL_PAD_X,
            this.y + CELL_PAD_Y + n * lineHeight,
            CONTENT_WIDTH - 8,
            size,
            { color: '#666666', align: 'center' },
            'content'
          )
        )
        this.y += height
        return
      }
      const fill =
        kind === 'footer' ? '#f3f5f8' : options.highlightRows?.has(index) ? '#fdecea' : null
      while (pending) {
        const needed = Math.max(...pending.map((lines) => lines.length))
        const fullPage = Math.floor(
          (this.bottom - PAGE.marginTop - headerHeight - 2 * CELL_PAD_Y) / lineHeight
        )
        let available = Math.floor((this.bottom - this.y - 2 * CELL_PAD_Y) / lineHeight)
        if (available < needed && (needed <= fullPage || available < 1)) {
          this.newPage()
          drawHeader()
          available = Math.floor((this.bottom - this.y - 2 * CELL_PAD_Y) / lineHeight)
        }
        const take = Math.min(needed, available)
        const height = take * lineHeight + 2 * CELL_PAD_Y
        this.drawRowBox(xs, widths, this.y, height, fill)
        for (const [i, lines] of pending.entries()) {
          for (const [n, line] of lines.slice(0, take).entries()) {
            this.drawLine(
              line,
              xs[i] + CELL_PAD_X,
              this.y + CELL_PAD_Y + n * lineHeight,
              widths[i] - 2 * CELL_PAD_X,
              size,
              {
                bold: bold(i),
                align: columns[i].align ?? 'left',
                color: labelColumns.has(i) ? '#333333' : undefined,
              },
              'content'
            )
            await this.breathe()
          }
        }
        this.y += height
        const rest = pending.map((lines) => lines.slice(take))
        pending = rest.some((lines) => lines.length > 0) ? rest : null
        if (pending) {
          this.newPage()
          drawHeader()
        }
        await this.breathe()
      }
    }

    if (rows.length === 0 && options.emptyText) await drawRow([options.emptyText], 'empty', 0)
    for (const [index, row] of rows.entries()) await drawRow(row, 'data', index)
    for (const [index, row] of (options.footerRows ?? []).entries()) {
      await drawRow(row, 'footer', index)
    }
    this.y += 8
  }

  /**
   * A horizontal grouped bar chart: one group per label, one bar per series, scaled to the
   * largest value, with the value written after each bar and a legend on top.
   */
  async barChart(data: BarChartData) {
    const size = 8
    const lineHeight = size * LINE_FACTOR
    const labelWidth = CONTENT_WIDTH * 0.26
    const valueWidth = CONTENT_WIDTH * 0.2
    const plotX = PAGE.marginLeft + labelWidth + 6
    const plotWidth = CONTENT_WIDTH - labelWidth - valueWidth - 12
    const barHeight = 9
    if (data.title) await this.paragraph(data.title, { size: 10, bold: true })
    if (data.groups.length === 0) {
      if (data.emptyText) await this.paragraph(data.emptyText, { size: 9, color: '#666666' })
      return
    }
    this.ensureSpace(lineHeight + 6)
    let legendX = PAGE.marginLeft
    for (const series of data.series) {
      this.doc
        .rect(legendX, this.y + 2, 10, 8)
        .fillColor(series.color)
        .fill()
      const [line] = wrapText(this.fonts.regular, this.clean(series.name), size, 150)
      this.drawLine(line, legendX + 14, this.y, 150, size, {}, 'content')
      legendX += 14 + line.width + 16
    }
    this.y += lineHeight + 4
    const max = Math.max(1, ...data.groups.flatMap((group) => group.values))
    for (const group of data.groups) {
      const labelLines = wrapText(this.fonts.regular, this.clean(group.label), size, labelWidth)
      const barsHeight = data.series.length * (barHeight + 2)
      const height = Math.max(labelLines.length * lineHeight, barsHeight) + 6
      this.ensureSpace(height)
      labelLines.forEach((line, n) =>
        this.drawLine(
          line,
          PAGE.marginLeft,
          this.y + n * lineHeight,
          labelWidth,
          size,
          { align: 'right' },
          'content'
        )
      )
      data.series.forEach((series, i) => {
        const value = Math.max(0, group.values[i] ?? 0)
        const barY = this.y + i * (barHeight + 2)
        const width = (value / max) * plotWidth
        if (width > 0) this.doc.rect(plotX, barY, width, barHeight).fillColor(series.color).fill()
        const [line] = wrapText(
          this.fonts.regular,
          this.clean(group.valueLabels[i] ?? ''),
          size,
          valueWidth
        )
        // 1 pt above the bar, but never above the top margin (a group that starts a page)
        const labelY = Math.max(PAGE.marginTop, barY - 1)
        this.drawLine(line, plotX + width + 4, labelY, valueWidth, size, {}, 'content')
      })
      this.doc
        .moveTo(plotX, this.y - 1)
        .lineTo(plotX, this.y + height - 5)
        .lineWidth(0.5)
        .strokeColor('#999999')
        .stroke()
      this.y += height
      await this.breathe()
    }
    this.y += 6
  }

  /** Signature lines (签字 / 日期) in two columns, kept together on one page. */
  async signatures(entries: { label: string; note?: string }[]) {
    const size = 10
    const lineHeight = size * LINE_FACTOR
    const rowHeight = lineHeight * 2.6
    const rows = Math.ceil(entries.length / 2)
    this.ensureSpace(rows * rowHeight + 10)
    this.y += 10
    const columnWidth = CONTENT_WIDTH / 2
    entries.forEach((entry, index) => {
      const x = PAGE.marginLeft + (index % 2) * columnWidth
      const y = this.y + Math.floor(index / 2) * rowHeight
      const [label] = wrapText(this.fonts.regular, this.clean(entry.label), size, columnWidth - 20)
      this.drawLine(label, x, y, columnWidth - 20, size, { bold: true }, 'content')
      const lineStart = x + label.width + 6
      this.doc
        .moveTo(Math.min(lineStart, x + columnWidth - 60), y + lineHeight)
        .lineTo(x + columnWidth - 20, y + lineHeight)
        .lineWidth(0.5)
        .strokeColor('#333333')
        .stroke()
      if (entry.note) {
        const [note] = wrapText(this.fonts.regular, this.clean(entry.note), 8, columnWidth - 20)
        this.drawLine(
          note,
          x,
          y + lineHeight + 3,
          columnWidth - 20,
          8,
          { color: '#666666' },
          'content'
        )
      }
    })
    this.y += rows * rowHeight
    await this.breathe()
  }

  /** Starts a new page when fewer than `height` points remain; `after` redraws e.g. a table header. */
  ensureSpace(height: number, after?: () => void) {
    if (this.y + height <= this.bottom || this.y <= PAGE.marginTop) return
    this.newPage()
    after?.()
  }

  newPage() {
    this.doc.addPage({ size: 'A4', margin: 0 })
    this.page++
    this.y = PAGE.marginTop
  }

  /** Boxes that leave their region (content inside the margins, header/footer inside the page) or overflow their width. */
  layoutProblems(): TextBox[] {
    const epsilon = 0.01
    return this.boxes.filter((box) => {
      const within =
        box.region === 'content'
          ? box.x >= PAGE.marginLeft - epsilon &&
            box.x + box.width <= PAGE.width - PAGE.marginRight + epsilon &&
            box.y >= PAGE.marginTop - epsilon &&
            box.y + box.height <= this.bottom + epsilon
          : box.x >= 20 &&
            box.x + box.width <= PAGE.width - 20 &&
            box.y >= 20 &&
            box.y + box.height <= PAGE.height - 20
      return !within || box.width > box.maxWidth + epsilon
    })
  }

  /** Draws the running header and footer on every page and returns the finished PDF. */
  async finish(): Promise<Buffer> {
    const range = this.doc.bufferedPageRange()
    for (let i = 0; i < range.count; i++) {
      this.doc.switchToPage(range.start + i)
      this.drawRunningHeader(i + 1, range.count)
      await this.breathe()
    }
    // Each page's content stream is compressed when it is flushed: one page per slice.
    const internals = this.doc as unknown as { _pageBuffer: unknown[] }
    const buffered = internals._pageBuffer
    internals._pageBuffer = []
    for (const page of buffered) {
      internals._pageBuffer = [page]
      this.doc.flushPages()
      await this.breathe()
    }
    const ended = new Promise<void>((resolve, reject) => {
      this.doc.on('end', resolve)
      this.doc.on('error', reject)
    })
    const endStart = threadCpuMs()
    this.doc.end()
    this.endMs = threadCpuMs() - endStart
    this.noteSlice()
    await ended
    return Buffer.concat(this.chunks)
  }

  private drawRunningHeader(page: number, pages: number) {
    const size = 8.5
    const width = CONTENT_WIDTH / 2
    const headerY = 40
    const [bureau] = wrapText(this.fonts.regular, this.clean(this.header.bureauName), size, width)
    this.drawLine(
      bureau,
      PAGE.marginLeft,
      headerY,
      width,
      size,
      { color: '#555555' },
      'header',
      page
    )
    if (this.header.documentNumber) {
      const [number] = wrapText(
        this.fonts.regular,
        this.clean(this.header.documentNumber),
        size,
        width
      )
      this.drawLine(
        number,
        PAGE.marginLeft + width,
        headerY,
        width,
        size,
        { color: '#555555', align: 'right' },
        'header',
        page
      )
    }
    this.doc
      .moveTo(PAGE.marginLeft, headerY + size * LINE_FACTOR + 3)
      .lineTo(PAGE.width - PAGE.marginRight, headerY + size * LINE_FACTOR + 3)
      .lineWidth(0.6)
      .strokeColor('#b0413e')
      .stroke()
    const footerY = PAGE.height - 44
    const [label] = wrapText(
      this.fonts.regular,
      this.header.pageLabel(page, pages),
      size,
      CONTENT_WIDTH / 3
    )
    this.drawLine(
      label,
      PAGE.marginLeft + CONTENT_WIDTH / 3,
      footerY,
      CONTENT_WIDTH / 3,
      size,
      { color: '#555555', align: 'center' },
      'footer',
      page
    )
    if (this.header.footerNote) {
      const [note] = wrapText(
        this.fonts.regular,
        this.clean(this.header.footerNote),
        size,
        CONTENT_WIDTH / 3
      )
      this.drawLine(
        note,
        PAGE.marginLeft,
        footerY,
        CONTENT_WIDTH / 3,
        size,
        { color: '#777777' },
        'footer',
        page
      )
    }
  }

  private drawRowBox(
    xs: number[],
    widths: number[],
    y: number,
    height: number,
    fill: string | null
  ) {
    xs.forEach((x, i) => {
      if (fill) this.doc.rect(x, y, widths[i], height).fillColor(fill).fill()
      this.doc.rect(x, y, widths[i], height).lineWidth(0.5).strokeColor('#9aa5b1').stroke()
    })
  }

  private drawLine(
    line: WrappedLine,
    x: number,
    y: number,
    maxWidth: number,
    size: number,
    style: TextStyle,
    region: Region,
    page = this.page
  ) {
    const font: FontkitFont = style.bold ? this.fonts.bold : this.fonts.regular
    const width = line.width || measure(font, line.text, size)
    const offset =
      style.align === 'center'
        ? (maxWidth - width) / 2
        : style.align === 'right'
          ? maxWidth - width
          : 0
    const left = x + Math.max(0, offset)
    this.boxes.push({
      page,
      region,
      x: left,
      y,
      width,
      height: size * LINE_FACTOR,
      maxWidth: maxWidth - Math.max(0, offset),
      text: line.text,
    })
    if (line.text === '') return
    this.doc
      .font(style.bold ? 'B' : 'R')
      .fontSize(size)
      .fillColor(style.color ?? '#111111')
      .text(line.text, left, y, { lineBreak: false })
  }

  /** Yields to the event loop once the current synchronous stretch is over SLICE_MS. */
  private async breathe() {
    const elapsed = this.noteSlice()
    if (elapsed < SLICE_MS) return
    await yieldToLoop()
    this.sliceStart = threadCpuMs()
  }

  private noteSlice() {
    const elapsed = threadCpuMs() - this.sliceStart
    this.maxSliceMs = Math.max(this.maxSliceMs, elapsed)
    return elapsed
  }
}
