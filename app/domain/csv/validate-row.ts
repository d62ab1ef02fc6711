import Decimal from 'decimal.js'
import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import type { ActivityContext, FieldIssue, IssueCode } from '#app/domain/activity/context.ts'
import type { RecordDefinition, RecordOf } from '#app/domain/activity/definitions.ts'
import type { FieldDefinition } from '#app/domain/activity/fields.ts'
import { checkRecord, FieldProblem, readField } from '#app/domain/activity/validate.ts'
import { FirstRows } from './first-rows.ts'
import { mapHeader, type HeaderMapping } from './header.ts'

export type RowIssueCode = IssueCode | 'cell_count' | 'malformed_quotes' | 'duplicate_in_file' | 'duplicate_in_database'

/**
 * One problem with one row. `row` is the row number the user sees in Excel
 * (the header is row 1, blank rows count); `column` is the header as the user
 * wrote it (null for a whole-row problem or a field the file has no column for).
 */
export interface RowIssue {
  row: number
  column: string | null
  field: string | null
  code: RowIssueCode
  key: MessageKey
  params: MessageParams
}

export type RowResult<R> =
  | { ok: true; row: number; record: R; naturalKey: string }
  | { ok: false; row: number; issues: RowIssue[] }

export interface RowContext extends ActivityContext {
  header: HeaderMapping
}

interface Plan {
  fields: { field: FieldDefinition; index: number }[]
  columnCount: number
  headerOf: Map<string, string>
}

const plans = new WeakMap<HeaderMapping, Plan>()

function planFor(definition: RecordDefinition, header: HeaderMapping): Plan {
  let plan = plans.get(header)
  if (plan) return plan
  if (header.recordCode !== definition.code) throw new Error(`Header mapped for ${header.recordCode}, rows validated as ${definition.code}`)
  const headerOf = new Map<string, string>()
  for (const column of header.columns) if (column.field !== null) headerOf.set(column.field, column.header)
  plan = {
    fields: definition.fields.map((field) => ({ field, index: header.indexOf[field.code] ?? -1 })),
    columnCount: header.columns.length,
    headerOf,
  }
  plans.set(header, plan)
  return plan
}

export function isBlankRow(cells: readonly string[]): boolean {
  for (const cell of cells) {
    // A cell starting with a visible character is not blank; only otherwise is trimming needed.
    if (cell.length > 0 && cell.charCodeAt(0) > 0x20 && cell.charCodeAt(0) !== 0x3000) return false
    if (cell.trim() !== '') return false
  }
  return true
}

function showKeyValue(value: unknown): string {
  return value instanceof Decimal ? value.toFixed() : String(value)
}

/**
 * The natural key of a record as one string ("SF-410105-01|2024-03-01"): the
 * key fields' normalised values joined by "|", which no code, plate, date or
 * option can contain. Two records with the same key are the same record.
 *
 * The string is always a fresh flat copy. Cells from a streaming parser are
 * V8 slices of its whole input chunk, and a key kept in the duplicate map
 * would otherwise keep every chunk of a million-row file alive. Array.join builds a new flat
 * string; a concatenation or a one-element join would not.
 */
export function naturalKeyOf(definition: RecordDefinition, record: Readonly<Record<string, unknown>>): string {
  const key = definition.naturalKey
  if (key.length === 1) return [showKeyValue(record[key[0]!]), ''].join('|').slice(0, -1)
  const parts: string[] = new Array(key.length)
  for (let i = 0; i < key.length; i++) parts[i] = showKeyValue(record[key[i]!])
  return parts.join('|')
}

/**
 * Validate one CSV row (cells in file order) against the record definition,
 * using the header mapping in ctx. Pure and allocation-light: call it for each
 * row as the parser yields it. Duplicates are not checked here (see
 * createCsvValidator); everything else is.
 */
export function validateRow<D extends RecordDefinition>(
  definition: D,
  rawRow: readonly string[],
  rowNumber: number,
  ctx: RowContext,
): RowResult<RecordOf<D>> {
  const plan = planFor(definition, ctx.header)
  if (rawRow.length !== plan.columnCount) {
    let extraFilled = rawRow.length < plan.columnCount
    for (let i = plan.columnCount; i < rawRow.length && !extraFilled; i++) extraFilled = rawRow[i]!.trim() !== ''
    if (extraFilled) {
      return {
        ok: false,
        row: rowNumber,
        issues: [
          {
            row: rowNumber,
            column: null,
            field: null,
            code: 'cell_count',
            key: 'csv.error.cellCount',
            params: { cells: rawRow.length, expected: plan.columnCount },
          },
        ],
      }
    }
  }

  const values: Record<string, unknown> = {}
  let failed: Set<string> | null = null
  let fieldIssues: FieldIssue[] | null = null
  for (const { field, index } of plan.fields) {
    const value = readField(field, index === -1 ? undefined : rawRow[index], ctx)
    if (value instanceof FieldProblem) {
      ;(failed ??= new Set()).add(field.code)
      ;(fieldIssues ??= []).push({ field: field.code, code: value.code, key: value.key, params: value.params })
    } else {
      values[field.code] = value
    }
  }
  const issues = fieldIssues ?? []
  if (
    definition.partOfWhole !== undefined ||
    definition.sumsTo !== undefined ||
    definition.dateOrder !== undefined ||
    definition.check !== undefined
  ) {
    checkRecord(definition, values, failed ?? emptySet, ctx, issues)
  }
  if (issues.length > 0) {
    return {
      ok: false,
      row: rowNumber,
      issues: issues.map((issue) => ({
        row: rowNumber,
        column: issue.field === null ? null : (plan.headerOf.get(issue.field) ?? null),
        field: issue.field,
        code: issue.code,
        key: issue.key,
        params: issue.params,
      })),
    }
  }
  return { ok: true, row: rowNumber, record: values as RecordOf<D>, naturalKey: naturalKeyOf(definition, values) }
}

const emptySet: ReadonlySet<string> = new Set()

/** A copy of a string that shares no memory with the parser's chunk (see naturalKeyOf). */
function detached(value: string): string {
  return [value, ''].join('|').slice(0, -1)
}

/**
 * The duplicate check's key: each key component is numbered the first time it
 * is seen (a file has few distinct outlets, days and items) and the numbers
 * are packed into one exact integer. A million-row file then costs a Map of
 * small numbers, not a million strings for the garbage collector to trace.
 * Keys with one component, or with too many distinct values to pack, stay strings.
 */
function compactKeyFor(definition: RecordDefinition): (record: Readonly<Record<string, unknown>>) => number | string {
  const fields = definition.naturalKey
  // Packed keys stay below 2^30, a V8 small integer: no heap number per row.
  const bits = fields.length === 2 ? 15 : fields.length === 3 ? 10 : 0
  if (bits === 0) return (record) => naturalKeyOf(definition, record)
  const limit = 2 ** bits
  const numbering = fields.map(() => new Map<string, number>())
  return (record) => {
    let packed = 0
    for (let i = 0; i < fields.length; i++) {
      const value = showKeyValue(record[fields[i]!])
      const numbers = numbering[i]!
      let n = numbers.get(value)
      if (n === undefined) {
        n = numbers.size
        numbers.set(detached(value), n)
      }
      if (n >= limit) return `|${naturalKeyOf(definition, record)}`
      packed = packed * limit + n
    }
    return packed
  }
}

export type PushOutcome<R> =
  | { kind: 'header'; row: number; mapping: HeaderMapping }
  | { kind: 'blank'; row: number }
  | { kind: 'accepted'; row: number; record: R; naturalKey: string }
  | { kind: 'rejected'; row: number; issues: RowIssue[] }

export interface CsvValidator<R> {
  /**
   * Feed every parsed row in file order, blank ones included, header first.
   * Pass `malformedQuotes` when the parser reported a quote error for this row
   * (Papa: an error of type 'Quotes'): the row is then rejected as such, since
   * an unclosed quote swallows the lines after it into one cell.
   */
  push(cells: readonly string[], malformedQuotes?: boolean): PushOutcome<R>
  /** Null until the header row has been pushed. */
  readonly header: HeaderMapping | null
  readonly counts: { readonly blank: number; readonly accepted: number; readonly rejected: number }
}

/**
 * Row-by-row validation of one file: numbers the rows, maps the header (the
 * first non-blank row), validates each row and rejects a second row with the
 * natural key of an earlier one. Memory grows only with the set of natural
 * keys seen (about 100 bytes a row), which the duplicate check needs.
 * After a header with errors, push throws: stop parsing and report the header's issues.
 */
export function createCsvValidator<D extends RecordDefinition>(definition: D, ctx: ActivityContext): CsvValidator<RecordOf<D>> {
  let header: HeaderMapping | null = null
  let rowContext: RowContext | null = null
  let row = 0
  const counts = { blank: 0, accepted: 0, rejected: 0 }
  const firstRows = new FirstRows()
  const keyFields = definition.naturalKey.join(',')
  const compactKey = compactKeyFor(definition)

  return {
    get header() {
      return header
    },
    counts,
    push(cells, malformedQuotes) {
      row++
      if (isBlankRow(cells)) {
        counts.blank++
        return { kind: 'blank', row }
      }
      if (header === null) {
        header = mapHeader(definition, cells)
        rowContext = { ...ctx, header }
        return { kind: 'header', row, mapping: header }
      }
      if (!header.ok) throw new Error('The header has errors; rows cannot be read')
      if (malformedQuotes) {
        counts.rejected++
        return {
          kind: 'rejected',
          row,
          issues: [{ row, column: null, field: null, code: 'malformed_quotes', key: 'csv.error.malformedQuotes', params: {} }],
        }
      }
      const result = validateRow(definition, cells, row, rowContext!)
      if (!result.ok) {
        counts.rejected++
        return { kind: 'rejected', row, issues: result.issues }
      }
      const firstRow = firstRows.firstOrAdd(compactKey(result.record), row)
      if (firstRow !== undefined) {
        counts.rejected++
        return {
          kind: 'rejected',
          row,
          issues: [{ row, column: null, field: null, code: 'duplicate_in_file', key: 'csv.error.duplicateInFile', params: { firstRow, keyFields } }],
        }
      }
      counts.accepted++
      return { kind: 'accepted', row, record: result.record, naturalKey: result.naturalKey }
    },
  }
}
