import { translate } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import type { RecordDefinition } from '#app/domain/activity/definitions.ts'
import { issueMessage, optionLabel } from '#app/domain/activity/messages.ts'
import type { EnumName } from '#app/domain/activity/enums.ts'
import type { RowIssue } from './validate-row.ts'

/** Excel reads a UTF-8 CSV as the local ANSI code page unless it starts with a BOM. */
export const utf8Bom = '\uFEFF'
const lineEnd = '\r\n'

// A cell Excel would run as a formula (CSV injection): = + @ always; - and tab/CR
// unless the cell is just a number (a negative figure must come back unchanged).
const formulaStart = /^[=+@\t\r]/
const dashStart = /^-/
const numeric = /^-?[\d.,]+$/

/** One cell, quoted when it holds the delimiter, a quote, a line break or outer spaces. */
export function csvCell(value: string, delimiter = ','): string {
  let text = value
  if (formulaStart.test(text) || (dashStart.test(text) && !numeric.test(text))) text = `'${text}`
  if (text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r') || text !== text.trim()) {
    return `"${text.replace(/"/g, '""')}"`
  }
  return text
}

export function csvLine(cells: readonly string[], delimiter = ','): string {
  return cells.map((cell) => csvCell(cell, delimiter)).join(delimiter) + lineEnd
}

/**
 * A template to download: a BOM, the header row in the locale's language and
 * one example row (options written as their label in that language, which the
 * importer accepts). The example row is data: the template says so by its
 * example outlet code, which the importer will reject as not the user's.
 */
export function templateCsv(definition: RecordDefinition, locale: Locale): string {
  const header = definition.fields.map((field) => translate(locale, field.label))
  const example = definition.fields.map((field) => {
    if (typeof field.example !== 'string') return translate(locale, field.example.key)
    if (field.kind === 'enum' && field.example !== '') return optionLabel(field.enum.name as EnumName, field.example, locale)
    return field.example
  })
  return utf8Bom + csvLine(header) + csvLine(example)
}

export interface RejectedRows {
  /** The header cells as the user wrote them. */
  header: readonly string[]
  /** Each rejected row's original cells, with its row number. */
  rows: readonly { row: number; cells: readonly string[] }[]
}

/**
 * The rejected rows as the user sent them, plus a reason column, to fix in
 * Excel and upload again (the importer ignores the reason column). UTF-8 with
 * a BOM and CRLF, comma-delimited, whatever the upload used.
 */
export function rejectedRowsCsv(rejected: RejectedRows, issues: readonly RowIssue[], locale: Locale): string {
  const byRow = new Map<number, RowIssue[]>()
  for (const issue of issues) {
    const list = byRow.get(issue.row)
    if (list) list.push(issue)
    else byRow.set(issue.row, [issue])
  }
  const separator = translate(locale, 'csv.rejected.separator')
  let out = utf8Bom + csvLine([...rejected.header, translate(locale, 'csv.rejected.reasonColumn')])
  for (const { row, cells } of rejected.rows) {
    const reasons = (byRow.get(row) ?? []).map((issue) => {
      const message = issueMessage(issue, locale)
      return issue.column === null ? message : translate(locale, 'csv.rejected.columnReason', { column: issue.column, message })
    })
    const reason = `${translate(locale, 'csv.rejected.row', { row })}${separator}${reasons.join(separator)}`
    // Pad short rows so the reason always lands in the reason column.
    const padded = cells.length < rejected.header.length ? [...cells, ...Array<string>(rejected.header.length - cells.length).fill('')] : cells
    out += csvLine([...padded, reason])
  }
  return out
}
