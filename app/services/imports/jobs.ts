import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { rename, rm } from 'node:fs/promises'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import type { Message } from '#app/i18n/index.ts'
import { claimJob, enqueueJob, finishJob, heartbeat, liveJobOf, reapStaleJobs, requestCancel, type ImportJob } from '#db/models/import-jobs.ts'
import { failBatch, findBatch, finishBatch, insertBatch, reopenBatch, serverDatabaseName, transitionBatch, updateBatchProgress, type ImportBatch } from '#db/models/imports.ts'
import { inTransaction } from '#db/transaction.ts'
import type { Database } from '#db/schema.ts'
import type { ImportStatus } from '#db/tables/imports.ts'
import { batchBrand, commitImport, previewImport } from './commit.ts'
import { ImportStopped } from './pipeline.ts'
import { firstCause } from './failure.ts'
import type { ImportProgress, ImportRequest } from './types.ts'
import { rejectedPathOf, removeStoredUpload, storedPath, type StoredUpload } from './uploads.ts'

/**
 * A web upload's preview and commit run as jobs. A job is a row of
 * import_jobs, queued in the same transaction that moves its batch to
 * 'uploaded' or 'committing'; every app process runs a worker loop that claims
 * queued jobs (`for update skip locked`) and runs them. While a job runs, its
 * process writes the batch's progress and the job's heartbeat every second and
 * reads back the job's cancel flag. So any process can answer for any batch:
 * its status, progress and report are in the batch row, its liveness in the
 * job row. A job whose heartbeat stopped is interrupted: its batch is
 * recovered (at boot, by the worker loop, and when its page is opened).
 *
 * The embedded database is one process (the supervisor starts one worker on
 * PGlite): during a commit its one connection belongs to the transaction, so
 * progress and the cancel flag stay in this process's memory, and a running
 * job not in this process's memory is interrupted (decision 065).
 */

/** A job whose heartbeat is older than this is taken as interrupted. */
export const staleJobSeconds = 30
const tickMs = 1_000
const pollMs = 1_000
/** Jobs one process runs at a time. */
const jobsPerProcess = 2

const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

interface LocalJob {
  kind: 'preview' | 'commit'
  progress: ImportProgress
  cancel: boolean
  done: Promise<void>
}

// The jobs this process runs, by batch id: their latest progress between ticks and the cancel
// flag of the embedded database. Another process learns the same from the database.
const holder = globalThis as typeof globalThis & { __greenparcelLocalImportJobs?: Map<string, LocalJob>; __greenparcelImportWorker?: Worker }
const local = (holder.__greenparcelLocalImportJobs ??= new Map())

const onServerCache = new WeakMap<Kysely<Database>, Promise<boolean>>()
function isServer(db: Kysely<Database>): Promise<boolean> {
  let known = onServerCache.get(db)
  if (!known) onServerCache.set(db, (known = serverDatabaseName(db).then((name) => name !== null)))
  return known
}

export interface NewUpload {
  recordCode: RecordCode
  upload: StoredUpload
  replace: boolean
  reason: string | null
}

/** Record an upload and queue its preview; returns the batch id. */
export async function createUpload(db: Kysely<Database>, viewer: Viewer, input: NewUpload): Promise<string> {
  const brandId = await batchBrand(db, viewer)
  const batchId = await inTransaction(db, async (trx) => {
    const id = await insertBatch(trx, {
      recordType: input.recordCode,
      brandId,
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
    await enqueueJob(trx, id, 'preview', viewer)
    return id
  })
  nudge()
  return batchId
}

export type StartResult = { ok: true } | { ok: false; error: Message }

/** Check a batch's file again (after a failure, or with other choices): queues a preview. */
export async function startPreview(db: Kysely<Database>, viewer: Viewer, batchId: string): Promise<StartResult> {
  const batch = await findBatch(db, viewer, batchId)
  if (!batch || !batch.stored_name) return { ok: false, error: { key: 'importPages.error.notFound' } }
  const queued = await inTransaction(db, async (trx) => {
    if (!(await transitionBatch(trx, batchId, ['validated', 'failed'], 'uploaded'))) return false
    return enqueueJob(trx, batchId, 'preview', viewer)
  })
  if (!queued) return { ok: false, error: { key: 'importPages.error.notReady' } }
  nudge()
  return { ok: true }
}

/** Commit a previewed upload (one transaction) as a job; the page shows its progress. */
export async function startCommit(db: Kysely<Database>, viewer: Viewer, batchId: string, choice: { replace: boolean; reason: string | null }): Promise<StartResult> {
  const batch = await findBatch(db, viewer, batchId)
  if (!batch || !batch.stored_name) return { ok: false, error: { key: 'importPages.error.notFound' } }
  const queued = await inTransaction(db, async (trx) => {
    if (choice.replace !== batch.replace_existing || (choice.reason ?? null) !== (batch.reason ?? null)) {
      await trx.updateTable('import_batches').set({ replace_existing: choice.replace, reason: choice.reason }).where('id', '=', batchId).where('status', '=', 'validated').execute()
    }
    if (!(await transitionBatch(trx, batchId, ['validated'], 'committing'))) return false
    return enqueueJob(trx, batchId, 'commit', viewer)
  })
  if (!queued) return { ok: false, error: { key: 'importPages.error.notReady' } }
  nudge()
  return { ok: true }
}

/** Ask a batch's preview or commit to stop. A commit stopped writes nothing. */
export async function cancelJob(db: Kysely<Database>, viewer: Viewer, batchId: string): Promise<StartResult> {
  const batch = await findBatch(db, viewer, batchId)
  if (!batch) return { ok: false, error: { key: 'importPages.error.notFound' } }
  // First in memory: on the embedded database the statement below waits for a running commit's transaction.
  const here = local.get(batchId)
  if (here) here.cancel = true
  const asked = await requestCancel(db, batchId)
  if (!asked.found && !here) return { ok: false, error: { key: 'importPages.error.notRunning' } }
  if (asked.wasQueued) {
    // Never started: nothing to stop; the batch goes back to where it was before it was queued.
    await inTransaction(db, async (trx) => {
      const job = await trx.selectFrom('import_jobs').select('id').where('batch_id', '=', batchId).where('state', '=', 'queued').executeTakeFirst()
      if (!job) return
      await finishJob(trx, String(job.id), 'cancelled')
      await afterCancel(trx, batchId, batch.status === 'committing' ? 'commit' : 'preview')
    })
  }
  return { ok: true }
}

async function afterCancel(db: Kysely<Database>, batchId: string, kind: 'preview' | 'commit'): Promise<void> {
  // A cancelled commit leaves the preview as it was; a cancelled preview has no report to show.
  if (kind === 'commit') await reopenBatch(db, batchId, 'committing', null)
  else await failBatch(db, batchId, { key: 'importPages.error.cancelled' })
}

// ---- the worker ------------------------------------------------------------------------

interface Worker {
  stop(): Promise<void>
  wake(): void
}

function nudge(): void {
  holder.__greenparcelImportWorker?.wake()
}

/**
 * The worker loop of this process (started at boot): recovers interrupted
 * batches, then claims and runs queued jobs until stopped.
 */
export function startImportWorker(db: Kysely<Database>): Worker {
  if (holder.__greenparcelImportWorker) return holder.__greenparcelImportWorker
  let stopped = false
  let wake: () => void = () => {}
  let running = 0
  let lastReap = 0
  const loop = (async () => {
    while (!stopped) {
      try {
        if (Date.now() - lastReap > staleJobSeconds * 1000) {
          await recoverInterrupted(db, { atBoot: lastReap === 0 })
          lastReap = Date.now()
        }
        while (!stopped && running < jobsPerProcess) {
          const job = await claimJob(db, workerId)
          if (!job) break
          running++
          void runClaimed(db, job).finally(() => {
            running--
            wake()
          })
        }
      } catch (error) {
        // The database may be restarting: try again at the next poll.
        console.error('import worker:', error instanceof Error ? error.message : error)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  })()
  const worker: Worker = {
    wake: () => wake(),
    stop: async () => {
      stopped = true
      wake()
      await loop
      holder.__greenparcelImportWorker = undefined
    },
  }
  holder.__greenparcelImportWorker = worker
  return worker
}

/**
 * Batches whose job no process runs any more. On PostgreSQL: running jobs
 * whose heartbeat stopped. At the embedded database's boot: every running job
 * (one process, and it is this one, starting). Then every batch in a running
 * state without a live job: a commit goes back to its preview (its
 * transaction rolled back with its connection), a preview fails as
 * interrupted, to be checked again.
 */
export async function recoverInterrupted(db: Kysely<Database>, options: { atBoot: boolean }): Promise<number> {
  const server = await isServer(db)
  await reapStaleJobs(db, !server && options.atBoot ? { all: true } : { staleSeconds: staleJobSeconds })
  const orphans = await db
    .selectFrom('import_batches as b')
    .select(['b.id', 'b.status'])
    .where('b.status', 'in', ['uploaded', 'validating', 'committing'])
    .where((eb) => eb.not(eb.exists(eb.selectFrom('import_jobs as j').select('j.id').whereRef('j.batch_id', '=', 'b.id').where('j.state', 'in', ['queued', 'running']))))
    .execute()
  for (const o of orphans) if (!local.has(String(o.id))) await recoverBatch(db, String(o.id), o.status)
  return orphans.length
}

async function recoverBatch(db: Kysely<Database>, batchId: string, status: ImportStatus): Promise<void> {
  if (status === 'committing') await reopenBatch(db, batchId, 'committing', { key: 'importPages.error.commitInterrupted' })
  else await failBatch(db, batchId, { key: 'importPages.error.interrupted' })
}

/** Run a job this process claimed, keeping its heartbeat, progress and cancel flag. */
async function runClaimed(db: Kysely<Database>, job: ImportJob): Promise<void> {
  const batchId = String(job.batch_id)
  const entry: LocalJob = { kind: job.kind, progress: { bytes: 0, rows: 0, phase: 'reading' }, cancel: job.cancel_requested, done: Promise.resolve() }
  local.set(batchId, entry)
  let release: () => void = () => {}
  entry.done = new Promise<void>((resolve) => (release = resolve))
  // On the embedded database a commit's transaction holds the one connection: no ticks then.
  const ticks = job.kind === 'preview' || (await isServer(db))
  let ticking: Promise<void> | null = null
  let written = { rows: -1, bytes: -1 }
  const timer = setInterval(() => {
    if (!ticks || ticking) return
    const progress = entry.progress
    ticking = (async () => {
      if (await heartbeat(db, String(job.id))) entry.cancel = true
      if (progress.rows !== written.rows || progress.bytes !== written.bytes) {
        written = { rows: progress.rows, bytes: progress.bytes }
        await updateBatchProgress(db, batchId, progress)
      }
    })()
      .catch(() => {})
      .finally(() => (ticking = null))
  }, tickMs)
  let outcome: 'done' | 'failed' | 'cancelled' = 'done'
  try {
    const viewer = job.run_as as Viewer
    const batch = await findBatch(db, viewer, batchId)
    const request = (rejectedPath: string): ImportRequest => ({
      ...batchRequest(viewer, batch!, rejectedPath),
      onProgress: (p) => (entry.progress = p),
      shouldStop: () => entry.cancel,
    })
    if (!batch || !batch.stored_name) outcome = 'failed'
    else if (job.kind === 'preview') outcome = await runPreview(db, batchId, request)
    else outcome = await runCommit(db, batch, batchId, request)
  } catch (error) {
    outcome = 'failed'
    await failBatch(db, batchId, { key: 'importPages.error.jobFailed', params: { detail: firstCause(error) } }).catch(() => {})
  } finally {
    clearInterval(timer)
    await ticking
    await finishJob(db, String(job.id), outcome).catch(() => {})
    local.delete(batchId)
    release()
  }
}

async function runPreview(db: Kysely<Database>, batchId: string, request: (rejectedPath: string) => ImportRequest): Promise<'done' | 'failed' | 'cancelled'> {
  if (!(await transitionBatch(db, batchId, ['uploaded'], 'validating'))) return 'cancelled'
  const batch = (await db.selectFrom('import_batches').select('stored_name').where('id', '=', batchId).executeTakeFirstOrThrow())
  try {
    const report = await previewImport(db, request(rejectedPathOf(batch.stored_name!)))
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
    return 'done'
  } catch (error) {
    if (!(error instanceof ImportStopped)) throw error
    await afterCancel(db, batchId, 'preview')
    return 'cancelled'
  }
}

async function runCommit(db: Kysely<Database>, batch: ImportBatch, batchId: string, request: (rejectedPath: string) => ImportRequest): Promise<'done' | 'failed' | 'cancelled'> {
  if (batch.status !== 'committing') return 'cancelled'
  const finalRejected = rejectedPathOf(batch.stored_name!)
  const tempRejected = `${finalRejected}.commit`
  try {
    const result = await commitImport(db, request(tempRejected), { batchId })
    if (result.ok) {
      await rename(tempRejected, finalRejected)
      // Committed: the rows are in the database; the uploaded file is no longer needed (its rejected rows are kept).
      await removeStoredUpload(batch.stored_name!)
      return 'done'
    }
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
    return 'done'
  } catch (error) {
    await rm(tempRejected, { force: true })
    if (!(error instanceof ImportStopped)) throw error
    await afterCancel(db, batchId, 'commit')
    return 'cancelled'
  }
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

// ---- what a page asks --------------------------------------------------------------------

/** Whether a batch's job is queued or running somewhere, and its latest progress if this process runs it. */
export async function jobStatus(db: Kysely<Database>, batchId: string): Promise<{ live: boolean; progress: ImportProgress | null }> {
  const here = local.get(batchId)
  if (here) return { live: true, progress: here.progress }
  const job = await liveJobOf(db, batchId)
  if (!job) return { live: false, progress: null }
  if (job.state === 'queued') return { live: true, progress: null }
  // Running elsewhere: alive while it beats. On the embedded database there is no elsewhere.
  const fresh = job.heartbeat_at !== null && Date.now() - new Date(job.heartbeat_at).getTime() < staleJobSeconds * 1000
  return { live: (await isServer(db)) && fresh, progress: null }
}

/** Recover one batch whose job is gone (its page was opened); true if it was. */
export async function recoverIfInterrupted(db: Kysely<Database>, batch: Pick<ImportBatch, 'id' | 'status'>): Promise<boolean> {
  const batchId = String(batch.id)
  const inFlight = batch.status === 'uploaded' || batch.status === 'validating' || batch.status === 'committing'
  if (!inFlight) return false
  const status = await jobStatus(db, batchId)
  if (status.live) return false
  await db.updateTable('import_jobs').set({ state: 'failed', finished_at: new Date() }).where('batch_id', '=', batchId).where('state', '=', 'running').execute()
  await recoverBatch(db, batchId, batch.status)
  return true
}

/**
 * Wait until a batch has no live job (tests, scripts). Without a worker loop in
 * this process (a test), queued jobs are claimed and run here.
 */
export async function waitForJob(db: Kysely<Database>, batchId: string): Promise<void> {
  for (;;) {
    const here = local.get(batchId)
    if (here) {
      await here.done
      continue
    }
    const job = await liveJobOf(db, batchId)
    if (!job) return
    if (job.state === 'queued' && !holder.__greenparcelImportWorker) {
      const claimed = await claimJob(db, workerId)
      if (claimed) await runClaimed(db, claimed)
      continue
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
