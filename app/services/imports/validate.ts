import type { CsvValidator } from '#app/domain/csv/validate-row.ts'
import type { HeaderMapping } from '#app/domain/csv/header.ts'
import type { Message } from '#app/i18n/index.ts'
import { isResolveFailure, toDbRecord, type DbRecord, type ScopeData, type TableSpec } from '#db/models/activity.ts'
import type { FileIssue } from '#app/domain/csv/header.ts'
import type { ImportIssueCode, ImportRowIssue } from './types.ts'

// Stage 3: a row of cells in, a record ready for the database (or the row's
// problems) out. The rules are the CSV core's (app/domain/csv/validate-row.ts);
// this stage turns an accepted row into the values its table is written with.

/** A row that passed validation, waiting for its chunk. */
export interface PendingRow {
  row: number
  cells: readonly string[]
  record: DbRecord
}

export type Validated =
  | { kind: 'blank' }
  | { kind: 'header'; headerCells: string[]; issues: readonly FileIssue[] }
  | { kind: 'rejected'; row: number; cells: readonly string[]; issues: ImportRowIssue[] }
  | { kind: 'accepted'; pending: PendingRow }

export function issueFromMessage(row: number, column: string | null, field: string | null, code: ImportIssueCode, message: Message): ImportRowIssue {
  return { row, column, field, code, key: message.key, params: message.params ?? {} }
}

/** Field name → the header the file gave it: where an error points. */
export function headerMap(mapping: HeaderMapping): Map<string, string> {
  const out = new Map<string, string>()
  for (const column of mapping.columns) if (column.field !== null) out.set(column.field, column.header)
  return out
}

export class ValidateStage {
  /** Field name → header cell, once the header is read. */
  headerOf = new Map<string, string>()

  constructor(
    private readonly validator: CsvValidator<unknown>,
    private readonly spec: TableSpec,
    private readonly scope: ScopeData,
  ) {}

  push(cells: string[], quoteError: boolean): Validated {
    const outcome = this.validator.push(cells, quoteError)
    switch (outcome.kind) {
      case 'blank':
        return { kind: 'blank' }
      case 'header':
        this.headerOf = headerMap(outcome.mapping)
        return { kind: 'header', headerCells: cells.map((c) => c.replace(/^\uFEFF/, '').trim()), issues: outcome.mapping.issues }
      case 'rejected':
        return { kind: 'rejected', row: outcome.row, cells, issues: outcome.issues as ImportRowIssue[] }
      case 'accepted': {
        const record = toDbRecord(this.spec, outcome.record as Record<string, unknown>, this.scope)
        if (isResolveFailure(record)) {
          // The lookups passed, so only a scope change mid-file gets here.
          return {
            kind: 'rejected',
            row: outcome.row,
            cells,
            issues: [
              issueFromMessage(outcome.row, this.headerOf.get(record.field) ?? null, record.field, 'outlet_out_of_scope', {
                key: 'activity.error.outletOutOfScope',
                params: { value: cells.join(' ') },
              }),
            ],
          }
        }
        return { kind: 'accepted', pending: { row: outcome.row, cells, record } }
      }
    }
  }

  get header() {
    return this.validator.header
  }

  get blankRows(): number {
    return this.validator.counts.blank
  }
}
