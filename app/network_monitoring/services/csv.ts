/** One CSV record with the file line it starts on (header = line 1), as a spreadsheet shows it. */
export interface CsvRecord {
  line: number
  cells: string[]
}

export class CsvSyntaxError extends Error {
  constructor(public line: number) {
    super(`unterminated quoted field starting on line ${line}`)
  }
}

/**
 * Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF, quoted
 * newlines) after dropping a UTF-8 BOM. Records keep their starting line so
 * errors can name the row the user sees in a spreadsheet.
 */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ''
  let line = 1
  let recordLine = 1
  let quoted = false
  let quoteLine = 0
  let i = 0
  const endRecord = () => {
    cells.push(cell)
    records.push({ line: recordLine, cells })
    cells = []
    cell = ''
  }
  while (i < source.length) {
    const ch = source[i]
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          cell += '"'
          i += 2
          continue
        }
        quoted = false
        i++
        continue
      }
      if (ch === '\n') line++
      cell += ch
      i++
      continue
    }
    if (ch === '"' && cell === '') {
      quoted = true
      quoteLine = line
      i++
    } else if (ch === ',') {
      cells.push(cell)
      cell = ''
      i++
    } else if (ch === '\r' || ch === '\n') {
      endRecord()
      i += ch === '\r' && source[i + 1] === '\n' ? 2 : 1
      line++
      recordLine = line
    } else {
      cell += ch
      i++
    }
  }
  if (quoted) throw new CsvSyntaxError(quoteLine)
  if (cell !== '' || cells.length > 0) endRecord()
  return records
}

/** Whether a record has nothing in it (blank spreadsheet rows are skipped). */
export function isBlankRecord(record: CsvRecord) {
  return record.cells.every((cell) => cell.trim() === '')
}
