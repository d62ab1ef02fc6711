import path from 'node:path'
import { Readable } from 'node:stream'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import type { Message } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { findBatch } from '#db/models/imports.ts'
import type { Database } from '#db/schema.ts'
import { jobStatus, recoverIfInterrupted } from './jobs.ts'
import { rejectedCsvChunks } from './rejected.ts'
import type { ImportReport } from './types.ts'
import { rejectedPathOf } from './uploads.ts'

// What the upload's page shows, from whichever process answers: the batch row
// (status, progress, report) and whether its job is alive.

export async function batchPage(db: Kysely<Database>, viewer: Viewer, batchId: string) {
  let batch = await findBatch(db, viewer, batchId)
  if (!batch) return undefined
  // A job no process runs any more (a crash or restart mid-way; a commit's transaction
  // then rolled back): say so, and let the user go on from where the batch was.
  if (await recoverIfInterrupted(db, batch)) batch = (await findBatch(db, viewer, batchId))!
  const job = await jobStatus(db, batchId)
  return {
    id: String(batch.id),
    recordType: batch.record_type as RecordCode,
    fileName: batch.file_name,
    fileBytes: Number(batch.file_bytes),
    status: batch.status,
    running: job.live,
    progress: job.progress ?? { bytes: Number(batch.bytes_processed), rows: batch.rows_processed, phase: 'reading' as const },
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
