import Papa from 'papaparse'
import type { ActivityContext } from '#app/domain/activity/context.ts'
import type { RecordDefinition, RecordOf } from '#app/domain/activity/definitions.ts'
import { detectDelimiter, type CsvDelimiter } from './delimiter.ts'
import { decodeCsvBytes, decodeFailureIssue, type CsvEncoding } from './encoding.ts'
import type { FileIssue, HeaderMapping } from './header.ts'
import { createCsvValidator, type RowIssue } from './validate-row.ts'

export interface CsvFileReport<R> {
  encoding: CsvEncoding | null
  delimiter: CsvDelimiter
  /** Decoding and header problems; any error among them means no row was read. */
  fileIssues: FileIssue[]
  header: HeaderMapping | null
  /** The header cells as written, for rejectedRowsCsv. */
  headerCells: string[]
  accepted: { row: number; record: R; naturalKey: string }[]
  rejected: { row: number; cells: string[]; issues: RowIssue[] }[]
  blankRows: number
}

/**
 * Validate a whole CSV text held in memory: small uploads, form previews and
 * tests. Large files go through createCsvDecoder + Papa's stream parser +
 * createCsvValidator row by row, which this mirrors exactly.
 */
export function validateCsvText<D extends RecordDefinition>(
  definition: D,
  text: string,
  ctx: ActivityContext,
  encoding: CsvEncoding | null = null,
): CsvFileReport<RecordOf<D>> {
  const delimiter = detectDelimiter(text.slice(0, 65_536))
  const report: CsvFileReport<RecordOf<D>> = {
    encoding,
    delimiter,
    fileIssues: [],
    header: null,
    headerCells: [],
    accepted: [],
    rejected: [],
    blankRows: 0,
  }
  const validator = createCsvValidator(definition, ctx)
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: false })
  const quoteErrorRows = new Set(parsed.errors.filter((e) => e.type === 'Quotes').map((e) => e.row))
  for (const [index, cells] of parsed.data.entries()) {
    const outcome = validator.push(cells, quoteErrorRows.has(index))
    if (outcome.kind === 'header') {
      report.header = outcome.mapping
      report.headerCells = cells
      report.fileIssues.push(...outcome.mapping.issues)
      if (!outcome.mapping.ok) break
    } else if (outcome.kind === 'accepted') {
      report.accepted.push({ row: outcome.row, record: outcome.record, naturalKey: outcome.naturalKey })
    } else if (outcome.kind === 'rejected') {
      report.rejected.push({ row: outcome.row, cells, issues: outcome.issues })
    }
  }
  report.blankRows = validator.counts.blank
  if (report.header === null) {
    report.fileIssues.push({ severity: 'error', code: 'empty_file', key: 'csv.error.emptyFile', params: {}, column: null, field: null })
  }
  return report
}

/** Decode (UTF-8 with or without BOM, GB18030/GBK, UTF-16 with BOM) and validate a file held in memory. */
export function validateCsvBytes<D extends RecordDefinition>(
  definition: D,
  bytes: Uint8Array,
  ctx: ActivityContext,
): CsvFileReport<RecordOf<D>> {
  const decoded = decodeCsvBytes(bytes)
  if (!decoded.ok) {
    return {
      encoding: null,
      delimiter: ',',
      fileIssues: [decodeFailureIssue(decoded)],
      header: null,
      headerCells: [],
      accepted: [],
      rejected: [],
      blankRows: 0,
    }
  }
  return validateCsvText(definition, decoded.text, ctx, decoded.encoding)
}
