import Decimal from 'decimal.js'
import { translate, type Message } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'

/**
 * CSV for Excel users in China: UTF-8 with a byte-order mark (without it Excel
 * on Windows reads the file as GBK and garbles Chinese), CRLF line ends and
 * RFC 4180 quoting.
 *
 * Formula injection (a cell starting with =, +, -, @, tab or CR runs as a
 * formula in Excel) is neutralised by the column's declared type, not by
 * guessing from the text:
 * - `number` columns print a Decimal in plain notation (no exponent, no
 *   thousands separator). Such a string can start with '-' only as a minus
 *   sign, so -12.5 stays a number Excel can sum. A value that is not a finite
 *   number is not printed as a number: it is treated as text.
 * - `text` columns get a leading apostrophe when they start with one of those
 *   characters (or their full-width forms, which Chinese input methods type),
 *   whatever follows, so "-12.5" in a text column stays text. A figure that
 *   should be summed belongs in a number column.
 */

export type CsvCell = string | number | Decimal | null | undefined

export interface CsvColumn<Row> {
  key: keyof Row & string
  /** A catalog message, translated for the locale, or text already in the reader's language (a brand's name). */
  header: Message | string
  type: 'text' | 'number'
  /** Number columns only: round half up to this many decimals (rounding happens once, when shown). */
  fractionDigits?: number
}

const bom = '\uFEFF'
const lineEnd = '\r\n'
const formulaStarts = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'])

export function toCsv<Row extends Record<string, CsvCell>>(
  columns: readonly CsvColumn<Row>[],
  rows: readonly Row[],
  locale: Locale,
): string {
  const header = columns.map((column) => quote(neutralise(headerText(column.header, locale))))
  const lines = rows.map((row) => columns.map((column) => quote(cellText(row[column.key], column))))
  return bom + [header, ...lines].map((cells) => cells.join(',') + lineEnd).join('')
}

function headerText(header: Message | string, locale: Locale): string {
  return typeof header === 'string' ? header : translate(locale, header.key, header.params)
}

function cellText(value: CsvCell, column: Pick<CsvColumn<never>, 'type' | 'fractionDigits'>): string {
  if (value === null || value === undefined) return ''
  if (column.type === 'number') {
    const number = toDecimal(value)
    if (number !== null) {
      return column.fractionDigits === undefined
        ? number.toFixed()
        : number.toFixed(column.fractionDigits, Decimal.ROUND_HALF_UP)
    }
  }
  return neutralise(value instanceof Decimal ? value.toFixed() : String(value))
}

// Strings in a number column come from `numeric` columns (Kysely returns them
// as text); only plain decimal notation counts, so nothing odd (hex, "1e400",
// "=1+1") is ever printed as a number.
const plainDecimal = /^-?\d+(\.\d+)?$/

function toDecimal(value: string | number | Decimal): Decimal | null {
  if (typeof value === 'string') return plainDecimal.test(value.trim()) ? new Decimal(value.trim()) : null
  const number = new Decimal(value)
  return number.isFinite() ? number : null
}

function neutralise(text: string): string {
  const first = text.charAt(0)
  return formulaStarts.has(first) ? `'${text}` : text
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
