import { rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import type { Message } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { failBatch, findBatch, finishBatch, insertBatch, serverDatabaseName, transitionBatch, updateBatchProgress, type ImportBatch } from '#db/models/imports.ts'
import type { Database } from '#db/schema.ts'
import { batchBrand, commitImport, previewImport } from './commit.ts'
import { rejectedCsvChunks } from './rejected.ts'
import type { ImportProgress, ImportReport, ImportRequest } from './types.ts'
import { rejectedPathOf, storedPath, type StoredUpload } from './uploads.ts'

// A web upload's preview and commit run as jobs in the background; the batch
// row says where each stands, and the page polls it.

export interface NewUpload {
  recordCode: RecordCode
  upload: StoredUpload
  replace: boolean
  reason: string | null
}

/** Record an upload and start its preview in the background; returns the batch id. */
export async function createUpload(db: Kysely<Database>, viewer: Viewer, input: NewUpload): Promise<string> {
  const batchId = await insertBatch(db, {
    recordType: input.recordCode,
    brandId: await batchBrand(db, viewer),
    outletId: viewer.role === 'outlet_operator' ? viewer.outletId : null,
    fileName: input.upload.fileName,
    fileSha256: input.upload.sha256,
    storedName: input.upload.storedName,
    fileBytes: input.upload.bytes,
    uploadedBy: viewer.userId,
    replaceExisting: input.replace,
    reason: input.reason,
    status: 'uploaded',
  })
  startPreview(db, viewer, batchId)
  return batchId
}

interface JobState {
  promise: Promise<void>
  progress: ImportProgress
}

// Jobs run in this process; the batch row says where each stands for any process.
const holder = globalThis as typeof globalThis & { __greenparcelImportJobs?: Map<string, JobState> }
const jobs = (holder.__greenparcelImportJobs ??= new Map())

export function jobProgress(batchId: string): ImportProgress | null {
  return jobs.get(batchId)?.progress ?? null
}

export function isJobRunning(batchId: string): boolean {
  return jobs.has(batchId)
}

/** Wait for a batch's job in this process (tests, the command line). */
export async function waitForJob(batchId: string): Promise<void> {
  await jobs.get(batchId)?.promise
}

function runJob(batchId: string, work: (progress: (p: ImportProgress) => void) => Promise<void>): void {
  const state: JobState = { promise: Promise.resolve(), progress: { bytes: 0, rows: 0, phase: 'reading' } }
  state.promise = work((p) => (state.progress = p)).finally(() => jobs.delete(batchId))
  jobs.set(batchId, state)
}

function batchRequest(viewer: Viewer, batch: ImportBatch, rejectedPath: string): ImportRequest {
  return {
    viewer,
    recordCode: batch.record_type as RecordCode,
    source: { path: storedPath(batch.stored_name!) },
    fileName: batch.file_name,
    replace: batch.replace_existing,
    reason: batch.reason,
    rejectedPath,
    fileSha256: batch.file_sha256,
  }
}

/** Throttled progress in the batch row, for pages polling from any process; never awaited by the pipeline. */
function progressWriter(db: Kysely<Database>, batchId: string, local: (p: ImportProgress) => void, toDatabase: boolean) {
  let last = 0
  return (p: ImportProgress) => {
    local(p)
    const now = Date.now()
    if (!toDatabase || now - last < 1000) return
    last = now
    void updateBatchProgress(db, batchId, p).catch(() => {})
  }
}

export function startPreview(db: Kysely<Database>, viewer: Viewer, batchId: string): void {
  runJob(batchId, async (local) => {
    if (!(await transitionBatch(db, batchId, ['uploaded', 'validated', 'failed'], 'validating'))) return
    const batch = (await findBatch(db, viewer, batchId))!
    try {
      const report = await previewImport(db, {
        ...batchRequest(viewer, batch, rejectedPathOf(batch.stored_name!)),
        onProgress: progressWriter(db, batchId, local, true),
      })
      await finishBatch(db, batchId, {
        status: 'validated',
        encoding: report.encoding ?? '',
        rowsTotal: report.rows,
        rowsAccepted: report.accepted,
        rowsRejected: report.rejected,
        rowsDuplicate: report.duplicates,
        rowsReplaced: report.replaced,
        report,
        committed: false,
      })
    } catch (error) {
      await failBatch(db, batchId, { key: 'importPages.error.jobFailed', params: { detail: String((error as Error).message ?? error).slice(0, 300) } })
    }
  })
}

export type StartResult = { ok: true } | { ok: false; error: Message }

/** Commit a previewed upload in the background (one transaction); the page shows its progress. */
export async function startCommit(db: Kysely<Database>, viewer: Viewer, batchId: string, choice: { replace: boolean; reason: string | null }): Promise<StartResult> {
  const batch = await findBatch(db, viewer, batchId)
  if (!batch || !batch.stored_name) return { ok: false, error: { key: 'importPages.error.notFound' } }
  if (choice.replace !== batch.replace_existing || (choice.reason ?? null) !== (batch.reason ?? null)) {
    await db.updateTable('import_batches').set({ replace_existing: choice.replace, reason: choice.reason }).where('id', '=', batchId).where('status', '=', 'validated').execute()
  }
  if (!(await transitionBatch(db, batchId, ['validated'], 'committing'))) return { ok: false, error: { key: 'importPages.error.notReady' } }
  const fresh = (await findBatch(db, viewer, batchId))!
  const onServer = (await serverDatabaseName(db)) !== null
  runJob(batchId, async (local) => {
    const finalRejected = rejectedPathOf(fresh.stored_name!)
    const tempRejected = `${finalRejected}.commit`
    try {
      const result = await commitImport(
        db,
        // On the embedded database the one connection is the transaction's until it ends: progress stays in memory.
        { ...batchRequest(viewer, fresh, tempRejected), onProgress: progressWriter(db, batchId, local, onServer) },
        { batchId },
      )
      if (result.ok) {
        await rename(tempRejected, finalRejected)
      } else {
        await rm(tempRejected, { force: true })
        await finishBatch(db, batchId, {
          status: 'validated',
          encoding: result.report.encoding ?? '',
          rowsTotal: result.report.rows,
          rowsAccepted: result.report.accepted,
          rowsRejected: result.report.rejected,
          rowsDuplicate: result.report.duplicates,
          rowsReplaced: result.report.replaced,
          report: result.report,
          committed: false,
        })
      }
    } catch (error) {
      await rm(tempRejected, { force: true })
      await failBatch(db, batchId, { key: 'importPages.error.jobFailed', params: { detail: String((error as Error).message ?? error).slice(0, 300) } })
    }
  })
  return { ok: true }
}

const staleJobMs = 15 * 60_000

export async function batchPage(db: Kysely<Database>, viewer: Viewer, batchId: string) {
  let batch = await findBatch(db, viewer, batchId)
  if (!batch) return undefined
  const live = jobProgress(batchId)
  // A job no process is running any more (the server restarted mid-way; a commit's
  // transaction then rolled back): say so and let the user check the file again. Another
  // process running it keeps updated_at fresh while it reads.
  const inFlight = batch.status === 'uploaded' || batch.status === 'validating' || batch.status === 'committing'
  if (inFlight && !isJobRunning(batchId) && Date.now() - new Date(batch.updated_at).getTime() > staleJobMs) {
    await failBatch(db, batchId, { key: 'importPages.error.interrupted' })
    batch = (await findBatch(db, viewer, batchId))!
  }
  return {
    id: String(batch.id),
    recordType: batch.record_type as RecordCode,
    fileName: batch.file_name,
    fileBytes: Number(batch.file_bytes),
    status: batch.status,
    running: isJobRunning(batchId),
    progress: live ?? { bytes: Number(batch.bytes_processed), rows: batch.rows_processed, phase: 'reading' as const },
    replaceExisting: batch.replace_existing,
    reason: batch.reason,
    report: (batch.report as ImportReport | null) ?? null,
    failure: (batch.failure as Message | null) ?? null,
    createdAt: batch.created_at.toISOString(),
    committedAt: batch.committed_at ? new Date(batch.committed_at).toISOString() : null,
    uploadedBy: batch.uploadedByName,
  }
}

/** The rejected rows of a batch the viewer may see, as CSV chunks; undefined when there is no such batch. */
export async function batchRejectedCsv(db: Kysely<Database>, viewer: Viewer, batchId: string, locale: Locale) {
  const batch = await findBatch(db, viewer, batchId)
  if (!batch || !batch.stored_name) return undefined
  const report = batch.report as ImportReport | null
  const chunks = rejectedCsvChunks(rejectedPathOf(batch.stored_name), report?.headerCells ?? [], locale)
  const name = `${path.parse(batch.file_name).name}-rejected.csv`
  const encoded = (async function* () {
    for await (const chunk of chunks) yield Buffer.from(chunk, 'utf8')
  })()
  return { name, stream: Readable.toWeb(Readable.from(encoded)) as ReadableStream<Uint8Array> }
}
