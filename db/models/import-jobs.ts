import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database } from '../schema.ts'
import type { ImportJobKind, ImportJobsTable } from '../tables/imports.ts'
import { jsonb } from './json.ts'

export type ImportJob = Selectable<ImportJobsTable>

/** Queue a job for a batch; false when the batch has a live job already (the partial unique index). */
export async function enqueueJob(db: Kysely<Database>, batchId: string, kind: ImportJobKind, runAs: unknown): Promise<boolean> {
  const row = await db
    .insertInto('import_jobs')
    .values({ batch_id: batchId, kind, run_as: jsonb(runAs) })
    // the index's own predicate, literally: PostgreSQL matches a partial index by it
    .onConflict((oc) => oc.column('batch_id').where(sql<boolean>`state in ('queued', 'running')`).doNothing())
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Take the oldest queued job for this worker. `skip locked`: a job another
 * process is claiming at this moment is passed over, never waited for, so
 * every process polls without blocking the others and no job is run twice.
 */
export async function claimJob(db: Kysely<Database>, worker: string): Promise<ImportJob | undefined> {
  const { rows } = await sql<ImportJob>`
    update import_jobs set state = 'running', worker = ${worker}, started_at = now(), heartbeat_at = now()
    where id = (select id from import_jobs where state = 'queued' order by id limit 1 for update skip locked)
    returning *`.execute(db)
  return rows[0]
}

/** The running job is alive; answers whether it was asked to stop. */
export async function heartbeat(db: Kysely<Database>, jobId: string): Promise<boolean> {
  const row = await db
    .updateTable('import_jobs')
    .set({ heartbeat_at: sql`now()` })
    .where('id', '=', jobId)
    .returning('cancel_requested')
    .executeTakeFirst()
  return row?.cancel_requested === true
}

export async function finishJob(db: Kysely<Database>, jobId: string, state: 'done' | 'failed' | 'cancelled'): Promise<void> {
  await db.updateTable('import_jobs').set({ state, finished_at: sql`now()` }).where('id', '=', jobId).execute()
}

/** Ask a batch's live job to stop; true when there was one. A queued job is cancelled at once. */
export async function requestCancel(db: Kysely<Database>, batchId: string): Promise<{ found: boolean; wasQueued: boolean }> {
  const row = await db
    .updateTable('import_jobs')
    .set({ cancel_requested: true })
    .where('batch_id', '=', batchId)
    .where('state', 'in', ['queued', 'running'])
    .returning(['id', 'state'])
    .executeTakeFirst()
  return { found: row !== undefined, wasQueued: row?.state === 'queued' }
}

/** A batch's live job (queued, or running), if any. */
export async function liveJobOf(db: Kysely<Database>, batchId: string): Promise<ImportJob | undefined> {
  return db.selectFrom('import_jobs').selectAll().where('batch_id', '=', batchId).where('state', 'in', ['queued', 'running']).executeTakeFirst()
}

/** The latest job of a batch, whatever its state. */
export async function lastJobOf(db: Kysely<Database>, batchId: string): Promise<ImportJob | undefined> {
  return db.selectFrom('import_jobs').selectAll().where('batch_id', '=', batchId).orderBy('id', 'desc').limit(1).executeTakeFirst()
}

/**
 * Running jobs whose process stopped beating (a crash, a kill, a restart), or
 * every running job (`all`: the embedded database, one process, at its boot):
 * marked failed, and their batch ids returned.
 */
export async function reapStaleJobs(db: Kysely<Database>, options: { staleSeconds: number } | { all: true }): Promise<{ batchId: string; kind: ImportJobKind }[]> {
  let query = db.updateTable('import_jobs').set({ state: 'failed', finished_at: sql`now()` }).where('state', '=', 'running')
  if (!('all' in options)) query = query.where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${options.staleSeconds})`)
  const rows = await query.returning(['batch_id', 'kind']).execute()
  return rows.map((r) => ({ batchId: String(r.batch_id), kind: r.kind }))
}
