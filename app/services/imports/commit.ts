import { stat } from 'node:fs/promises'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { env } from '#app/utils/env.server.ts'
import { tableSpecs } from '#db/models/activity.ts'
import { appendAudit } from '#db/models/audit.ts'
import { finishBatch, insertBatch, serverDatabaseName, withCopyTransaction } from '#db/models/imports.ts'
import type { Database } from '#db/schema.ts'
import { assertWriter } from '../activity.server.ts'
import { sha256Of } from './decode.ts'
import { runPipeline } from './pipeline.ts'
import { rollUp } from './rollup.ts'
import { defaultChunkRows, type CommitOptions, type ImportReport, type ImportRequest } from './types.ts'
import type { Writer } from './write.ts'
import { lockResultWrites } from '#db/models/result-status.ts'

// The two ways through the pipeline: a preview writes nothing; a commit writes
// every accepted row, its results, the batch row, the audit entry and the
// rollups in one transaction, or nothing.

/** Read, check and cost a file without writing anything: what a commit would do. */
export async function previewImport(db: Kysely<Database>, request: ImportRequest): Promise<ImportReport> {
  const result = await runPipeline(db, request, { kind: 'none' }, { batchId: null, chunkRows: defaultChunkRows })
  return result.report
}

/** The connection string a bulk write opens its COPY connection with, or null on the embedded database. */
async function copyUrlFor(db: Kysely<Database>, explicit: string | undefined): Promise<string | null> {
  const name = await serverDatabaseName(db)
  if (name === null) return null
  const base = explicit ?? env().DATABASE_URL
  if (!base) return null
  const url = new URL(base)
  if (!explicit) url.pathname = `/${name}`
  return url.toString()
}

export type CommitResult = { ok: true; batchId: string; report: ImportReport } | { ok: false; batchId: string | null; report: ImportReport }

/**
 * Re-validate and write a file in one transaction: every accepted row, its
 * emission result, the rows it replaces retired and audited, the batch row,
 * the rollups of every outlet-month it touched — or nothing. A file with
 * file-level errors, or one already committed, writes nothing.
 */
export async function commitImport(db: Kysely<Database>, request: ImportRequest, options: CommitOptions = {}): Promise<CommitResult> {
  assertWriter(request.viewer)
  const fileSha256 = request.fileSha256 ?? (await sha256Of(request.source))
  const req = { ...request, fileSha256 }
  const url = await copyUrlFor(db, options.pgUrl)
  const chunkRows = options.chunkRows ?? defaultChunkRows
  const brandId = await batchBrand(db, request.viewer)

  const body = async (trx: Kysely<Database>, writer: Writer): Promise<CommitResult> => {
    // Before the set in force is read: a publish waits for this commit, or this commit for it.
    await lockResultWrites(trx)
    const batchId =
      options.batchId ??
      (await insertBatch(trx, {
        recordType: request.recordCode,
        brandId,
        outletId: request.viewer.role === 'outlet_operator' ? request.viewer.outletId : null,
        fileName: request.fileName,
        fileSha256,
        storedName: null,
        fileBytes: 'bytes' in request.source ? request.source.bytes.length : (await stat(request.source.path)).size,
        uploadedBy: request.viewer.userId,
        replaceExisting: request.replace === true,
        reason: request.reason ?? null,
        status: 'committing',
      }))
    // With COPY the transaction's connection is busy writing: duplicate lookups and ids go
    // through the pool (another file's rows, or rows committed before, are what they look for).
    const state = await runPipeline(writer.kind === 'copy' ? db : trx, req, writer, { batchId, chunkRows, failAfterRows: options.failAfterRows })
    const report = state.report
    // Nothing written is nothing committed: no batch is left to say the file was imported.
    const refused = (report.alreadyImported !== null && !request.replace) || report.fileIssues.some((i) => i.severity === 'error') || report.accepted === 0
    if (refused) throw new NothingToCommit({ ok: false, batchId: options.batchId ?? null, report })
    // the rows the engine left to SQL, and no other, got a result
    if (state.costedInSql !== state.resultsInSql) {
      throw new Error(`Import ${batchId}: ${state.resultsInSql} results computed in SQL for ${state.costedInSql} rows`)
    }
    await rollUp(trx, tableSpecs[request.recordCode], state.touched, state.written, report.timings)
    report.committed = true
    await finishBatch(trx, batchId, {
      status: 'committed',
      encoding: report.encoding ?? 'utf-8',
      rowsTotal: report.rows,
      rowsAccepted: report.accepted,
      rowsRejected: report.rejected,
      rowsDuplicate: report.duplicates,
      rowsReplaced: report.replaced,
      report,
      committed: true,
      fileSha256,
      options: { replaceExisting: request.replace === true, reason: request.reason?.trim() || null },
    })
    await appendAudit(trx, {
      actorUserId: request.viewer.userId,
      action: 'import.commit',
      entityType: 'import_batch',
      entityId: batchId,
      outletId: request.viewer.outletId,
      reason: request.reason?.trim() || null,
      after: { recordType: request.recordCode, fileName: request.fileName, rows: report.rows, accepted: report.accepted, replaced: report.replaced, duplicates: report.duplicates, rejected: report.rejected },
    })
    return { ok: true, batchId, report }
  }

  try {
    if (url) return await withCopyTransaction(url, (trx, copy) => body(trx, { kind: 'copy', trx, copy }))
    return await db.transaction().execute((trx) => body(trx, { kind: 'insert', trx }))
  } catch (error) {
    if (error instanceof NothingToCommit) return error.result
    throw error
  }
}

class NothingToCommit extends Error {
  constructor(readonly result: CommitResult) {
    super('nothing to commit')
  }
}

/** The brand a batch is filed under: the uploader's brand, or its outlet's. */
export async function batchBrand(db: Kysely<Database>, viewer: Viewer): Promise<number | null> {
  if (viewer.role === 'carrier_admin') return viewer.brandId
  if (viewer.role === 'outlet_operator' && viewer.outletId !== null) {
    const row = await db.selectFrom('outlets').select('brand_id').where('id', '=', viewer.outletId).executeTakeFirst()
    return row?.brand_id ?? null
  }
  return null
}
