import type { RecordCode } from '#app/domain/activity/definitions.ts'
import { monthKeyOf, sameValues, type ExistingRow, type TableSpec } from '#db/models/activity.ts'
import type { ImportRowIssue } from './types.ts'
import { issueFromMessage, type PendingRow } from './validate.ts'

// Stage 4: a chunk of valid rows against what the database already holds
// (found by findExistingRows, one statement a chunk). Pure: the same chunk and
// the same stored rows give the same answer.
//   stored with the same figures  → a duplicate, counted, not written
//   stored with other figures     → refused, unless the user chose to replace
//   in a submitted (locked) month → refused without a reason, else a restatement

export interface DedupeRules {
  recordCode: RecordCode
  spec: TableSpec
  naturalKey: readonly string[]
  /** `${outletId}|YYYY-MM-01` of submitted months. */
  lockedMonths: ReadonlySet<string>
  replace: boolean
  reason: string | null
  /** Field → the file's header for it, for the column an error points at. */
  headerOf: ReadonlyMap<string, string>
}

export interface RowToKeep {
  p: PendingRow
  replaces: ExistingRow | null
  locked: boolean
  month: string | null
}

export interface Refusal {
  p: PendingRow
  issue: ImportRowIssue
}

export interface Deduped {
  write: RowToKeep[]
  duplicates: number
  refused: Refusal[]
}

/** `existing` maps a row's index in `chunk` to the stored row with its key. */
export function dedupeChunk(rules: DedupeRules, chunk: readonly PendingRow[], existing: ReadonlyMap<number, ExistingRow>): Deduped {
  const out: Deduped = { write: [], duplicates: 0, refused: [] }
  const { spec, headerOf } = rules
  for (let i = 0; i < chunk.length; i++) {
    const p = chunk[i]!
    const found = existing.get(i) ?? null
    const month = monthKeyOf(spec, p.record.values)
    const locked = month !== null && rules.lockedMonths.size > 0 && rules.lockedMonths.has(`${p.record.owner.outletId}|${month}`)
    if (found) {
      if (rules.recordCode === 'vehicles' && found.brandId !== p.record.owner.brandId) {
        out.refused.push({
          p,
          issue: issueFromMessage(p.row, headerOf.get('plate') ?? null, 'plate', 'vehicle_out_of_scope', { key: 'activity.error.vehicleOutOfScope', params: { value: String(p.record.values[0]) } }),
        })
        continue
      }
      if (sameValues(spec, p.record, found)) {
        out.duplicates++
        continue
      }
      if (!rules.replace) {
        out.refused.push({
          p,
          issue: issueFromMessage(p.row, null, null, 'duplicate_in_database', { key: 'csv.error.duplicateInDatabase', params: { keyFields: rules.naturalKey.join(',') } }),
        })
        continue
      }
    }
    if (locked && !rules.reason) {
      const dateField = spec.fields.find((f) => 'column' in f && f.column === spec.dateColumn)?.field ?? null
      out.refused.push({
        p,
        issue: issueFromMessage(p.row, dateField ? (headerOf.get(dateField) ?? null) : null, dateField, 'month_locked', { key: 'importPages.error.monthLocked', params: { month: month!.slice(0, 7) } }),
      })
      continue
    }
    out.write.push({ p, replaces: found, locked, month })
  }
  return out
}
