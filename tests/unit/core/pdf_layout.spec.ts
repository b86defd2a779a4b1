import { test } from '@japa/runner'
import { loadPdfFonts, drawableText } from '#core/pdf/fonts'
import { wrapText } from '#core/pdf/wrap'
import { CONTENT_WIDTH, PdfWriter } from '#core/pdf/pdf_writer'
import { finishDocument } from '#core/pdf/documents'
import { pdfRateBp, pdfYuan, pdfDateTime } from '#core/pdf/format'
import { assertGoodPdf, pdfText } from '#tests/helpers/pdf'
import { DateTime } from 'luxon'

/** 200 characters of Chinese, English and emoji, as an applicant might paste into a title. */
function mixedTitle() {
  const piece =
    '县公安局视频监控联网平台 Upgrade of the video surveillance 🚓🚨 platform 二期（含等保三级测评）👍🏽 '
  return Array.from(piece.repeat(5)).slice(0, 200).join('')
}

function header(title: string) {
  return {
    title,
    bureauName: '县数据资源管理局',
    documentNumber: '数资评〔2026〕12号',
    footerNote: '生成时间 2026-03-05 14:30',
    pageLabel: (page: number, pages: number) => `第 ${page} 页 共 ${pages} 页`,
  }
}

test.group('PDF layer: fonts and line wrapping', () => {
  test('characters the font lacks (emoji) become "?" and joiners vanish: nothing is drawn as tofu', async ({
    assert,
  }) => {
    const { regular } = await loadPdfFonts()
    assert.equal(drawableText(regular, '数治👍🏽ok\u200d℃'), '数治?ok℃')
    assert.equal(drawableText(regular, 'a\u0007b\tc'), 'ab c')
  })

  test('lines never exceed the width; Latin words stay whole, Chinese breaks anywhere, no line starts with 。', async ({
    assert,
  }) => {
    const { regular } = await loadPdfFonts()
    const text = '项目建设必要，方案基本可行。Upgrade the surveillance platform，单价偏高。'.repeat(
      4
    )
    const lines = wrapText(regular, text, 10, 120)
    assert.isAbove(lines.length, 4)
    for (const line of lines) {
      assert.isAtMost(line.width, 120 + 1e-6)
      assert.notMatch(line.text, /^[，。]/)
    }
    assert.equal(
      lines
        .map((l) => l.text)
        .join('')
        .replace(/\s/g, ''),
      text.replace(/\s/g, '')
    )
    assert.isTrue(lines.some((l) => /surveillance/.test(l.text)))
  })

  test('a word wider than the line is broken by characters instead of overflowing', async ({
    assert,
  }) => {
    const { regular } = await loadPdfFonts()
    const word = 'averyveryverylongidentifierwithoutanyspaces'.repeat(3)
    const lines = wrapText(regular, word, 9, 80)
    assert.isAbove(lines.length, 2)
    assert.isTrue(lines.every((line) => line.width <= 80 + 1e-6))
    assert.equal(lines.map((l) => l.text).join(''), word)
  })

  test('money from integer fen as 元 with two decimals, rates from basis points, Shanghai time', ({
    assert,
  }) => {
    assert.equal(pdfYuan(123456789), '1,234,567.89')
    assert.equal(pdfYuan(5), '0.05')
    assert.equal(pdfRateBp(2510), '25.10%')
    assert.equal(pdfRateBp(null), '')
    assert.equal(pdfDateTime(DateTime.fromISO('2026-03-05T16:30:00Z')), '2026-03-06 00:30')
  })
})

test.group('PDF layer: documents', () => {
  test('a 200-character mixed Chinese/English/emoji title wraps inside the margins and reads back', async ({
    assert,
  }) => {
    const title = mixedTitle()
    const writer = await PdfWriter.create(header(title))
    await writer.title(title, '评审意见书')
    await writer.keyValues([
      ['项目名称', title],
      ['申报单位', '县公安局'],
    ])
    const pdf = await finishDocument(writer, 't.pdf')
    const titleLines = writer.boxes.filter((box) => box.region === 'content' && box.height > 20)
    assert.isAbove(titleLines.length, 3, 'the title wraps onto several lines')
    for (const box of titleLines) assert.isAtMost(box.width, CONTENT_WIDTH + 0.01)
    await assertGoodPdf(assert, pdf, [
      '县公安局视频监控联网平台',
      'Upgrade',
      '二期（含等保三级测评）',
      '县数据资源管理局',
      '数资评〔2026〕12号',
      '第1页共1页',
    ])
    assert.notInclude(await pdfText(pdf.buffer), '🚓')
  })

  test('a long table breaks across pages, repeats its header, splits a giant cell and numbers every page', async ({
    assert,
  }) => {
    const writer = await PdfWriter.create(header('表格'))
    const rows = Array.from({ length: 90 }, (_, i) => [
      String(i + 1),
      `高清网络摄像机第${i + 1}批`,
      pdfYuan(123456789 + i),
    ])
    rows.push(['91', '超长意见'.repeat(900), '0.00'])
    await writer.table(
      [
        { header: '序号', width: 0.6 },
        { header: '明细名称', width: 4 },
        { header: '申报金额（元）', width: 1.6, align: 'right' },
      ],
      rows,
      { footerRows: [['', '合计', '9,999.00']] }
    )
    const pdf = await finishDocument(writer, 't.pdf')
    assert.isAbove(pdf.pages, 3)
    const text = await assertGoodPdf(assert, pdf, ['高清网络摄像机第90批', '1,234,568.78', '合计'])
    assert.equal(text.split('申报金额（元）').length - 1, pdf.pages, 'header on every page')
    assert.include(text, `第${pdf.pages}页共${pdf.pages}页`)
    assert.isBelow(pdf.maxSliceMs, 100, 'no synchronous stretch over 100 ms')
  })
})
