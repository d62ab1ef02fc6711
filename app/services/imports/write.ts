import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import type { ResultToWrite } from '#app/domain/emissions/costing.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { auditReplacements, copyLines, copyStatement, insertRows, supersedeRows, type Provenance, type RowToWrite, type TableSpec } from '#db/models/activity.ts'
import { insertImportedResults, loadRecipes } from '#db/models/emission-recipes.ts'
import { copyResultsText, resultsCopyText, retireResultsOfRecords, writeResults } from '#db/models/emission-results.ts'
import type { CopyChannel } from '#db/models/imports.ts'
import type { Database } from '#db/schema.ts'
import type { CostedRecordType } from '#db/tables/emissions.ts'
import type { Costed, CostTotals } from './cost.ts'
import { timed, type ImportTimings } from './types.ts'

// Stage 6: a chunk's rows and their results into the commit's transaction.
// On PostgreSQL by COPY on the transaction's own connection, on the embedded
// database by multi-row INSERTs. Replaced rows are superseded, their results
// retired and the replacement audited in the same transaction.

/** What the pipeline writes with: nothing (preview), INSERTs, or COPY on the transaction's connection. */
export type Writer = { kind: 'none' } | { kind: 'insert'; trx: Kysely<Database> } | { kind: 'copy'; trx: Kysely<Database>; copy: CopyChannel }

export interface KeptRow {
  row: RowToWrite
  replaces: Costed['keep'][number]['replaces']
  locked: boolean
}

/** A chunk ready to write: made while the chunk before is being written. */
export interface PreparedChunk {
  keep: KeptRow[]
  /** The rows to write, new ones and restatements apart (their provenance differs), each with its COPY text when written by COPY. */
  groups: { rows: RowToWrite[]; provenance: Provenance; copyText: string | null }[]
  results: ResultToWrite[]
  /** The engine's results as COPY text, when written by COPY. */
  resultsCopyText: string | null
  /** Rows of groups with a linear recipe: costed in SQL once written. */
  inSql: number
}

export interface WriteContext {
  writer: Writer
  recordCode: RecordCode
  spec: TableSpec
  set: FactorSet | null
  batchId: string | null
  viewer: Viewer
  reason: string | null
  timings: ImportTimings
}

/**
 * The COPY text is made here, while the server writes the chunk before: handed over whole,
 * the socket sends it without this process, which meanwhile parses.
 */
export function prepareChunk(ctx: WriteContext, keep: KeptRow[], results: ResultToWrite[], inSql: number): PreparedChunk {
  const byCopy = ctx.writer.kind === 'copy'
  const provenance: Provenance = { source: 'csv', importBatchId: ctx.batchId, createdBy: ctx.viewer.userId, restatementReason: null }
  const groups = [
    { rows: keep.filter((k) => !k.locked).map((k) => k.row), provenance },
    { rows: keep.filter((k) => k.locked).map((k) => k.row), provenance: { ...provenance, restatementReason: ctx.reason } },
  ]
    .filter((g) => g.rows.length > 0)
    .map((g) => ({ ...g, copyText: byCopy ? copyLines(g.rows, g.provenance) : null }))
  const copyText = byCopy && ctx.set && results.length > 0 ? resultsCopyText(ctx.recordCode as CostedRecordType, ctx.set.version, results) : null
  return { keep, groups, results, resultsCopyText: copyText, inSql }
}

/** What SQL costing needs across chunks: which recipes the transaction holds, and what it computed. */
export interface SqlCosting {
  recipesLoaded: number
  resultsInSql: number
}

export async function writeChunk(ctx: WriteContext, totals: CostTotals, sqlCosting: SqlCosting, chunk: PreparedChunk): Promise<void> {
  const { writer, spec, recordCode, set, timings } = ctx
  if (writer.kind === 'none') return
  const { keep, groups, results, inSql } = chunk
  const trx = writer.trx
  const replaced = keep.filter((k) => k.replaces !== null)
  if (replaced.length > 0) {
    await supersedeRows(trx, spec, replaced.map((k) => ({ outletId: k.replaces!.outletId, oldId: k.replaces!.id, newId: k.row.id })))
  }
  for (const group of groups) {
    if (writer.kind === 'copy') {
      await timed(timings, 'copy', () => writer.copy.copyIn(copyStatement(spec), [group.copyText!]))
    } else {
      await timed(timings, 'insert', () => insertRows(trx, spec, group.rows, group.provenance))
    }
  }
  if (replaced.length > 0) {
    await retireResultsOfRecords(trx, recordCode, replaced.map((k) => ({ outletId: k.replaces!.outletId, id: k.replaces!.id })))
    await auditReplacements(trx, spec, replaced.map((k) => ({ outletId: k.row.owner.outletId, newId: k.row.id, oldOutletId: k.replaces!.outletId })), {
      actorUserId: ctx.viewer.userId,
      action: keep.some((k) => k.locked) ? 'import.restate' : 'import.replace',
      reason: ctx.reason,
    })
  }
  if (set && results.length > 0) {
    if (writer.kind === 'copy') {
      await timed(timings, 'emissionResults', () => copyResultsText(writer.copy, chunk.resultsCopyText!))
    } else {
      await timed(timings, 'emissionResults', () => writeResults(trx, recordCode as CostedRecordType, set.version, results, { upsert: false }))
    }
  }
  if (set && inSql > 0 && ctx.batchId) {
    // The chunk's rows of linear groups, costed in SQL now that they are written (ids ascend with the chunks).
    const batchId = ctx.batchId
    await timed(timings, 'emissionResultsSql', async () => {
      if (totals.recipes.size !== sqlCosting.recipesLoaded) {
        await loadRecipes(trx, totals.recipes)
        sqlCosting.recipesLoaded = totals.recipes.size
      }
      const { lo, hi } = idRange(keep.map((k) => k.row.id))
      const done = await insertImportedResults(trx, recordCode as CostedRecordType, set.version, batchId, { from: lo, to: hi })
      sqlCosting.resultsInSql += done.written
      totals.co2eKg = totals.co2eKg.plus(done.co2eKg)
      totals.avoidedCo2eKg = totals.avoidedCo2eKg.plus(done.avoidedCo2eKg)
    })
  }
}

/** The smallest and largest of some ids (whole numbers without leading zeros, as text). */
export function idRange(ids: readonly string[]): { lo: string; hi: string } {
  // the shorter is the smaller, else the text decides
  const less = (a: string, b: string) => a.length < b.length || (a.length === b.length && a < b)
  let lo = ids[0]!
  let hi = lo
  for (const id of ids) {
    if (less(id, lo)) lo = id
    if (less(hi, id)) hi = id
  }
  return { lo, hi }
}
