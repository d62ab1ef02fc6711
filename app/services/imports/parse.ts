import Papa from 'papaparse'
import { detectDelimiter } from '#app/domain/csv/delimiter.ts'

// Stage 2: text in, rows of cells out. Papaparse's parser is fed the decoded
// text a chunk at a time; what is left after the last complete row is carried
// to the next chunk.

// A cell this long is an unclosed quote swallowing the file; stop carrying it.
const maxCarriedText = 1 << 20
// The header decides the delimiter and the line ending: this much text is enough to see it.
const headerSample = 65_536

export interface ParsedRows {
  rows: string[][]
  /** Indexes into `rows` of rows with a quoting error (the validator reports them). */
  quoteRows: ReadonlySet<number>
}

export function lineEndingOf(sample: string): string {
  const lf = sample.indexOf('\n')
  const cr = sample.indexOf('\r')
  if (cr !== -1 && (lf === -1 || cr < lf)) return sample[cr + 1] === '\n' ? '\r\n' : '\r'
  return '\n'
}

export class CsvParseStage {
  /** The delimiter found in the header (',' until then). */
  delimiter = ','
  private parser: Papa.Parser | null = null
  private carried = ''

  /** The complete rows in the text so far; `final` at the end of the file. */
  push(text: string, final: boolean): ParsedRows {
    let input = this.carried + text
    if (!this.parser) {
      // A CR last in the text may be the first half of a CRLF: wait for what follows it.
      if (!final && input.length < headerSample && !/\n|\r(?!$)/.test(input)) {
        this.carried = input
        return { rows: [], quoteRows: new Set() }
      }
      this.delimiter = detectDelimiter(input.slice(0, headerSample))
      this.parser = new Papa.Parser({ delimiter: this.delimiter, newline: lineEndingOf(input.slice(0, headerSample)) as '\n', quoteChar: '"' })
    }
    let result = this.parser.parse(input, 0, !final) as Papa.ParseResult<string[]>
    this.carried = final ? '' : input.slice(result.meta.cursor)
    if (!final && this.carried.length > maxCarriedText) {
      // An unclosed quote: read what is carried as a (broken) row rather than hold the whole file.
      result = this.parser.parse(input, 0, false) as Papa.ParseResult<string[]>
      this.carried = ''
    }
    input = ''
    const quoteRows = new Set<number>()
    for (const error of result.errors) if (error.type === 'Quotes' && error.row !== undefined) quoteRows.add(error.row)
    return { rows: result.data, quoteRows }
  }
}
