import { existsSync } from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { claimJob, enqueueJob } from '#db/models/import-jobs.ts'
import { insertBatch } from '#db/models/imports.ts'
import {
  batchPage,
  cancelJob,
  createUpload,
  recoverInterrupted,
  rejectedPathOf,
  startCommit,
  storedPath,
  storeUpload,
  sweepExpiredUploads,
  waitForJob,
} from '#app/services/imports.server.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// Import jobs in the database: queued with their batch, claimed without
// waiting on each other, stopped by a flag, recovered when their process is
// gone; stored uploads deleted by the retention rule.

let t: TestDatabase
const onPostgres = Boolean(process.env.DATABASE_URL)
const header = 'outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality\n'

async function* bytes(text: string): AsyncIterable<Uint8Array> {
  yield new TextEncoder().encode(text)
}

let operator: Viewer

/** An upload of `days` rows of SF-410105-01 in one month, previewed. */
async function previewed(month: string, days: number, parcels = (day: number) => 10 + day): Promise<string> {
  let text = header
  for (let day = 1; day <= days; day++) text += `SF-410105-01,${month}-${String(day).padStart(2, '0')},${parcels(day)},${parcels(day)},0,measured\n`
  const upload = await storeUpload(bytes(text), `${month}.csv`)
  const batchId = await createUpload(t.db, operator, { recordCode: 'shipment_stats', upload, replace: false, reason: null })
  await waitForJob(t.db, batchId)
  return batchId
}

async function rowsIn(month: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from shipment_stats where stat_date >= ${`${month}-01`}::date and stat_date < ${`${month}-01`}::date + interval '1 month'`.execute(t.db)
  return rows[0]!.n
}

const jobsOf = async (batchId: string) =>
  (await t.db.selectFrom('import_jobs').select(['kind', 'state']).where('batch_id', '=', batchId).orderBy('id').execute()).map((j) => `${j.kind}:${j.state}`)

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  operator = await viewerOf(t.db, 'outlet.sf')
})
afterAll(async () => t?.close())

describe('the job queue', () => {
  it('runs an upload as a preview job then a commit job, and deletes the stored file once committed (its rejected rows kept)', async () => {
    const batchId = await previewed('2025-05', 3, (day) => (day === 2 ? 0 : 10))
    const page = await batchPage(t.db, operator, batchId)
    expect([page?.status, page?.report?.accepted, page?.running]).toEqual(['validated', 3, false])
    expect(await startCommit(t.db, operator, batchId, { replace: false, reason: null })).toEqual({ ok: true })
    expect(await jobsOf(batchId)).toEqual(['preview:done', 'commit:queued'])
    expect((await batchPage(t.db, operator, batchId))?.running).toBe(true)
    await waitForJob(t.db, batchId)
    expect(await jobsOf(batchId)).toEqual(['preview:done', 'commit:done'])
    expect(await rowsIn('2025-05')).toBe(3)
    const batch = await t.db.selectFrom('import_batches').select(['stored_name', 'status']).where('id', '=', batchId).executeTakeFirstOrThrow()
    expect(batch.status).toBe('committed')
    expect(existsSync(storedPath(batch.stored_name!))).toBe(false)
    expect(existsSync(rejectedPathOf(batch.stored_name!))).toBe(true)
  })

  it.runIf(onPostgres)('two claims at once on PostgreSQL take two different jobs, neither waiting for the other (skip locked)', async () => {
    const a = await previewed('2025-06', 1)
    const b = await previewed('2025-07', 1)
    await t.db.updateTable('import_batches').set({ status: 'uploaded' }).where('id', 'in', [a, b]).execute()
    await enqueueJob(t.db, a, 'preview', operator)
    await enqueueJob(t.db, b, 'preview', operator)
    const claimed = await t.db.transaction().execute(async (trx) => {
      const first = await claimJob(trx, 'process-A')
      // Another connection while the first claim's row lock is held: it skips that row.
      const second = await claimJob(t.db, 'process-B')
      return [first, second]
    })
    expect(claimed.map((j) => String(j?.batch_id)).sort()).toEqual([a, b].sort())
    await t.db.updateTable('import_jobs').set({ state: 'cancelled' }).where('batch_id', 'in', [a, b]).where('state', '=', 'running').execute()
  })

  it('a second commit of the same batch cannot be queued: one live job per batch', async () => {
    const batchId = await previewed('2025-08', 1)
    expect(await enqueueJob(t.db, batchId, 'commit', operator)).toBe(true)
    expect(await enqueueJob(t.db, batchId, 'commit', operator)).toBe(false)
    await t.db.updateTable('import_jobs').set({ state: 'cancelled' }).where('batch_id', '=', batchId).where('state', '=', 'queued').execute()
  })
})

describe('cancelling', () => {
  it('a queued preview is cancelled at once and says so', async () => {
    const upload = await storeUpload(bytes(`${header}SF-410105-01,2025-09-01,10,10,0,measured\n`), 'sep.csv')
    const batchId = await createUpload(t.db, operator, { recordCode: 'shipment_stats', upload, replace: false, reason: null })
    expect(await cancelJob(t.db, operator, batchId)).toEqual({ ok: true })
    const page = await batchPage(t.db, operator, batchId)
    expect([page?.status, page?.failure, page?.running]).toEqual(['failed', { key: 'importPages.error.cancelled' }, false])
    expect(await jobsOf(batchId)).toEqual(['preview:cancelled'])
    expect(await cancelJob(t.db, operator, batchId)).toEqual({ ok: false, error: { key: 'importPages.error.notRunning' } })
  })

  it('a running commit reads the flag another process set, stops, writes nothing and goes back to its preview', async () => {
    const batchId = await previewed('2025-10', 5)
    expect(await startCommit(t.db, operator, batchId, { replace: false, reason: null })).toEqual({ ok: true })
    // The flag as another process's request sets it, there before the job's first look.
    await t.db.updateTable('import_jobs').set({ cancel_requested: true }).where('batch_id', '=', batchId).where('state', '=', 'queued').execute()
    await waitForJob(t.db, batchId)
    expect(await jobsOf(batchId)).toEqual(['preview:done', 'commit:cancelled'])
    const page = await batchPage(t.db, operator, batchId)
    expect([page?.status, page?.report?.accepted, page?.failure]).toEqual(['validated', 5, null])
    expect(await rowsIn('2025-10')).toBe(0)
  })
})

describe('a failed commit', () => {
  it('shows its first cause, not "current transaction is aborted", and writes nothing', async () => {
    const batchId = await previewed('2025-11', 20, (day) => (day === 13 ? 13 : 10))
    await sql`create function gp_test_refuse() returns trigger language plpgsql as $$
      begin if new.parcels = 13 then raise exception 'test trigger: 13 parcels refused'; end if; return new; end $$`.execute(t.db)
    await sql`create trigger gp_test_refuse before insert on shipment_stats for each row execute function gp_test_refuse()`.execute(t.db)
    try {
      expect(await startCommit(t.db, operator, batchId, { replace: false, reason: null })).toEqual({ ok: true })
      await waitForJob(t.db, batchId)
    } finally {
      await sql`drop trigger gp_test_refuse on shipment_stats`.execute(t.db)
      await sql`drop function gp_test_refuse()`.execute(t.db)
    }
    const page = await batchPage(t.db, operator, batchId)
    expect(page?.status).toBe('failed')
    expect(page?.failure?.key).toBe('importPages.error.jobFailed')
    expect(String(page?.failure?.params?.detail)).toContain('test trigger: 13 parcels refused')
    expect(String(page?.failure?.params?.detail)).not.toContain('current transaction is aborted')
    expect(await rowsIn('2025-11')).toBe(0)
  })
})

describe('interrupted jobs', () => {
  /** A batch left 'committing' by a process that died, its job's last heartbeat `secondsAgo` ago. */
  async function orphanedCommit(secondsAgo: number): Promise<string> {
    const upload = await storeUpload(bytes(`${header}SF-410105-01,2025-12-01,10,10,0,measured\n`), 'dec.csv')
    const batchId = await insertBatch(t.db, {
      recordType: 'shipment_stats', brandId: null, outletId: operator.outletId, fileName: upload.fileName, fileSha256: upload.sha256,
      storedName: upload.storedName, fileBytes: upload.bytes, uploadedBy: operator.userId, replaceExisting: false, reason: null, status: 'committing',
    })
    await enqueueJob(t.db, batchId, 'commit', operator)
    await t.db
      .updateTable('import_jobs')
      .set({ state: 'running', worker: 'a-process-that-died', heartbeat_at: sql`now() - make_interval(secs => ${secondsAgo})` })
      .where('batch_id', '=', batchId)
      .execute()
    return batchId
  }

  it('a commit whose process stopped beating is recovered by the worker loop and at boot: back to its preview, saying nothing was written', async () => {
    const batchId = await orphanedCommit(600)
    await recoverInterrupted(t.db, { atBoot: false })
    const page = await batchPage(t.db, operator, batchId)
    expect([page?.status, page?.failure, page?.running]).toEqual(['validated', { key: 'importPages.error.commitInterrupted' }, false])
    expect(await jobsOf(batchId)).toEqual(['commit:failed'])
  })

  it('and when its page is reopened', async () => {
    const batchId = await orphanedCommit(600)
    const page = await batchPage(t.db, operator, batchId)
    expect([page?.status, page?.failure]).toEqual(['validated', { key: 'importPages.error.commitInterrupted' }])
  })

  it('a job another process runs and beats for is left alone on PostgreSQL; on the embedded database, one process, it can only be this one: not running here is interrupted', async () => {
    const batchId = await orphanedCommit(1)
    const page = await batchPage(t.db, operator, batchId)
    if (onPostgres) {
      expect([page?.status, page?.running]).toEqual(['committing', true])
      await t.db.updateTable('import_jobs').set({ state: 'cancelled' }).where('batch_id', '=', batchId).execute()
      await t.db.updateTable('import_batches').set({ status: 'validated' }).where('id', '=', batchId).execute()
    } else {
      expect([page?.status, page?.running, page?.failure]).toEqual(['validated', false, { key: 'importPages.error.commitInterrupted' }])
    }
  })

  it('the embedded database at boot takes every running job as interrupted, however fresh its heartbeat', async () => {
    const batchId = await orphanedCommit(1)
    await recoverInterrupted(t.db, { atBoot: true })
    const status = (await t.db.selectFrom('import_batches').select('status').where('id', '=', batchId).executeTakeFirstOrThrow()).status
    expect(status).toBe(onPostgres ? 'committing' : 'validated')
    await t.db.updateTable('import_jobs').set({ state: 'cancelled' }).where('batch_id', '=', batchId).where('state', '=', 'running').execute()
  })
})

describe('retention of uploads', () => {
  it('deletes the files of batches last worked on before the retention time; one not committed then says its file is gone', async () => {
    const batchId = await previewed('2025-03', 2)
    const stored = (await t.db.selectFrom('import_batches').select('stored_name').where('id', '=', batchId).executeTakeFirstOrThrow()).stored_name!
    expect(existsSync(storedPath(stored))).toBe(true)
    // 72 hours of retention: nothing is that old yet.
    await sweepExpiredUploads(t.db, 72)
    expect(existsSync(storedPath(stored))).toBe(true)
    // Three days later.
    const swept = await sweepExpiredUploads(t.db, 72, new Date(Date.now() + 73 * 3_600_000))
    expect(swept).toBeGreaterThanOrEqual(1)
    expect([existsSync(storedPath(stored)), existsSync(rejectedPathOf(stored))]).toEqual([false, false])
    const page = await batchPage(t.db, operator, batchId)
    expect([page?.status, page?.failure]).toEqual(['failed', { key: 'importPages.error.uploadGone' }])
    expect(await startCommit(t.db, operator, batchId, { replace: false, reason: null })).toEqual({ ok: false, error: { key: 'importPages.error.notFound' } })
  })
})
