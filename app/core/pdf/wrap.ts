import type { FontkitFont } from '#core/pdf/fonts'

/** One laid-out line: its text and its measured width in points. */
export interface WrappedLine {
  text: string
  width: number
}

/** Characters that may not begin a line (避头点): they pull the previous character along. */
const NO_LINE_START = new Set([...'，。、；：？！）》」』】〕〉’”,.;:!?)]}%'])

/** A run of Latin letters, digits and their punctuation stays together unless it is wider than a line. */
const WORD_CHAR =
  /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Nd}_\-.,:;/\\@#&+=%'"!?()[\]{}<>~^*$|]/u

const advanceCache = new WeakMap<FontkitFont, Map<number, number>>()

/** Advance of one code point in font units, from the glyph metrics (cached per font). */
function advanceUnits(font: FontkitFont, codePoint: number): number {
  let cache = advanceCache.get(font)
  if (!cache) {
    cache = new Map()
    advanceCache.set(font, cache)
  }
  let advance = cache.get(codePoint)
  if (advance === undefined) {
    advance = font.glyphForCodePoint(codePoint).advanceWidth
    cache.set(codePoint, advance)
  }
  return advance
}

/**
 * Width of each character of `text` at `fontSize`, from the glyphs' advance widths: linear in
 * the length (a full shaping pass costs tens of µs per character, too slow for long cells), and
 * never narrower than the drawn text, since kerning only tightens Latin pairs.
 */
export function characterAdvances(font: FontkitFont, text: string, fontSize: number): number[] {
  const scale = fontSize / font.unitsPerEm
  return Array.from(text, (char) => advanceUnits(font, char.codePointAt(0)!) * scale)
}

/** Width of a string in points at `fontSize`. */
export function measure(font: FontkitFont, text: string, fontSize: number): number {
  return characterAdvances(font, text, fontSize).reduce((sum, width) => sum + width, 0)
}

interface Unit {
  chars: string[]
  widths: number[]
  width: number
  space: boolean
}

/**
 * Breaks text into lines no wider than `maxWidth`: between any two Chinese characters, at
 * spaces, inside a Latin word only when the word alone is wider than the line, never before a
 * closing punctuation mark. Every returned line is measured, so callers know it fits.
 */
export function wrapText(
  font: FontkitFont,
  text: string,
  fontSize: number,
  maxWidth: number
): WrappedLine[] {
  const lines: WrappedLine[] = []
  for (const paragraph of text.split('\n')) {
    lines.push(...wrapParagraph(font, paragraph, fontSize, maxWidth))
  }
  return lines
}

function wrapParagraph(
  font: FontkitFont,
  paragraph: string,
  fontSize: number,
  maxWidth: number
): WrappedLine[] {
  const chars = Array.from(paragraph)
  if (chars.length === 0) return [{ text: '', width: 0 }]
  const advances = characterAdvances(font, paragraph, fontSize)
  const units = toUnits(chars, advances)

  const lines: WrappedLine[] = []
  let current: Unit[] = []
  let width = 0
  const flush = () => {
    while (current.length > 0 && current[current.length - 1].space) {
      width -= current.pop()!.width
    }
    lines.push({ text: current.map((unit) => unit.chars.join('')).join(''), width })
    current = []
    width = 0
  }

  for (const unit of units) {
    if (unit.space && current.length === 0) continue
    if (width + unit.width <= maxWidth) {
      current.push(unit)
      width += unit.width
      continue
    }
    if (unit.space) {
      flush()
      continue
    }
    if (unit.width > maxWidth) {
      for (let i = 0; i < unit.chars.length; i++) {
        if (width + unit.widths[i] > maxWidth && current.length > 0) flush()
        current.push({
          chars: [unit.chars[i]],
          widths: [unit.widths[i]],
          width: unit.widths[i],
          space: false,
        })
        width += unit.widths[i]
      }
      continue
    }
    const carried: Unit[] = []
    if (NO_LINE_START.has(unit.chars[0]) && current.length > 1) {
      const previous = current.pop()!
      width -= previous.width
      carried.push(previous)
    }
    if (current.length > 0) flush()
    for (const one of [...carried, unit]) {
      current.push(one)
      width += one.width
    }
  }
  if (current.length > 0 || lines.length === 0) flush()
  return lines
}

function toUnits(chars: string[], advances: number[]): Unit[] {
  const units: Unit[] = []
  let word: Unit | null = null
  chars.forEach((char, index) => {
    const advance = advances[index]
    if (WORD_CHAR.test(char)) {
      if (!word) {
        word = { chars: [], widths: [], width: 0, space: false }
        units.push(word)
      }
      word.chars.push(char)
      word.widths.push(advance)
      word.width += advance
      return
    }
    word = null
    units.push({ chars: [char], widths: [advance], width: advance, space: /\s/.test(char) })
  })
  return units
}
