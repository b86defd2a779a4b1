import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import PDFDocument from 'pdfkit'

/**
 * The CJK font every PDF embeds: Noto Sans SC from npm (@expo-google-fonts/noto-sans-sc), so
 * `npm install` is enough — no system font, no apt package. pdfkit embeds only the glyphs a
 * document uses (a subset), so a report stays small although each TrueType file is ~10 MB.
 */

/** The part of a fontkit font the PDF layer uses (fontkit ships no types). */
export interface FontkitFont {
  unitsPerEm: number
  ascent: number
  descent: number
  postscriptName: string
  hasGlyphForCodePoint(codePoint: number): boolean
  glyphForCodePoint(codePoint: number): { advanceWidth: number }
  layout(text: string): {
    glyphs: { codePoints: number[] }[]
    positions: { xAdvance: number }[]
  }
}

export interface PdfFonts {
  regular: FontkitFont
  bold: FontkitFont
}

const FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const

const require = createRequire(import.meta.url)

let loading: Promise<PdfFonts> | null = null

/**
 * Loads both weights once per process. Reading is asynchronous; parsing a font and its first
 * layout (cmap, GSUB) each take a few tens of ms, so the steps are separated by yields and the
 * event loop is never held long. Later documents reuse the parsed fonts.
 */
export function loadPdfFonts(): Promise<PdfFonts> {
  loading ??= (async () => {
    const regular = await openFont(FONT_FILES.regular)
    await yieldToLoop()
    const bold = await openFont(FONT_FILES.bold)
    return { regular, bold }
  })().catch((error) => {
    loading = null
    throw error
  })
  return loading
}

async function openFont(specifier: string): Promise<FontkitFont> {
  const data = await readFile(require.resolve(specifier))
  await yieldToLoop()
  // pdfkit bundles fontkit without exporting it: a page-less document opens the file for us.
  const probe = new PDFDocument({ autoFirstPage: false })
  probe.registerFont('probe', data)
  probe.font('probe')
  const font = (probe as unknown as { _font: { font: FontkitFont } })._font.font
  await yieldToLoop()
  font.layout('数治 0123456789 ABCxyz，。：（）')
  return font
}

/** Invisible joiners and emoji presentation selectors: dropped rather than drawn. */
const INVISIBLE = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfe0e, 0xfe0f])

/** What a character the font cannot draw becomes (an emoji, a rare symbol): never a tofu box. */
export const MISSING_GLYPH_REPLACEMENT = '?'

/**
 * Text the font can draw: characters without a glyph (emoji, pictographs) become "?", control
 * characters and zero-width joiners are dropped, tabs become spaces.
 */
export function drawableText(font: FontkitFont, text: string): string {
  let out = ''
  for (const char of text) {
    const codePoint = char.codePointAt(0)!
    if (char === '\t') out += ' '
    else if (char === '\n') out += '\n'
    else if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) continue
    else if (INVISIBLE.has(codePoint) || (codePoint >= 0x1f3fb && codePoint <= 0x1f3ff)) continue
    else if (font.hasGlyphForCodePoint(codePoint)) out += char
    else out += MISSING_GLYPH_REPLACEMENT
  }
  return out
}
