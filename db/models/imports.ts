import { sql, Kysely, type Selectable } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import postgres from 'postgres'
import type { Viewer } from '#app/domain/access.ts'
import { copyChannel, type CopyChannel } from '../copy.ts'
import type { Database } from '../schema.ts'
import type { ImportBatchesTable } from '../tables/activity.ts'
import type { ImportStatus } from '../tables/imports.ts'
import { jsonb } from './json.ts'

export type { CopyChannel }
export type ImportBatch = Selectable<ImportBatchesTable>

/**
 * Which batches a viewer may see: the uploader's own scope. An operator sees
 * its outlet's uploads, a brand admin its brand's, an admin all.
 */
function batchScope(viewer: Viewer) {
  return (qb: ReturnType<typeof base>) => {
    switch (viewer.role) {
      case 'admin':
        return qb
      case 'carrier_admin':
        return viewer.brandId === null ? qb.where(sql<boolean>`false`) : qb.where('import_batches.brand_id', '=', viewer.brandId)
      case 'outlet_operator':
        return viewer.outletId === null ? qb.where(sql<boolean>`false`) : qb.where('import_batches.outlet_id', '=', viewer.outletId)
      default:
        return qb.where(sql<boolean>`false`)
    }
  }
}

function base(db: Kysely<Database>) {
  return db.selectFrom('import_batches').leftJoin('users', 'users.id', 'import_batches.uploaded_by')
}

export async function findBatch(db: Kysely<Database>, viewer: Viewer, id: string) {
  if (!/^\d{1,18}$/.test(id)) return undefined
  return batchScope(viewer)(base(db))
    .selectAll('import_batches')
    .select('users.username as uploadedByName')
    .where('import_batches.id', '=', id)
    .executeTakeFirst()
}

export async function listBatches(db: Kysely<Database>, viewer: Viewer, limit = 20) {
  return batchScope(viewer)(base(db))
    .select([
      'import_batches.id',
      'import_batches.record_type',
      'import_batches.file_name',
      'import_batches.status',
      'import_batches.created_at',
      'import_batches.committed_at',
      'import_batches.rows_total',
      'import_batches.rows_accepted',
      'import_batches.rows_rejected',
      'import_batches.rows_duplicate',
      'users.username as uploadedByName',
    ])
    .orderBy('import_batches.id', 'desc')
    .limit(limit)
    .execute()
}

export interface NewBatch {
  recordType: string
  brandId: number | null
  outletId: number | null
  fileName: string
  fileSha256: string
  storedName: string | null
  fileBytes: number
  uploadedBy: number | null
  replaceExisting: boolean
  reason: string | null
  status: ImportStatus
}

export async function insertBatch(db: Kysely<Database>, batch: NewBatch): Promise<string> {
  const row = await db
    .insertInto('import_batches')
    .values({
      record_type: batch.recordType,
      brand_id: batch.brandId,
      outlet_id: batch.outletId,
      file_name: batch.fileName,
      file_sha256: batch.fileSha256,
      encoding: '',
      uploaded_by: batch.uploadedBy,
      stored_name: batch.storedName,
      file_bytes: batch.fileBytes,
      replace_existing: batch.replaceExisting,
      reason: batch.reason,
      status: batch.status,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return String(row.id)
}

/** Move a batch from one of `from` to `to`; false if another request got there first. */
export async function transitionBatch(db: Kysely<Database>, id: string, from: readonly ImportStatus[], to: ImportStatus): Promise<boolean> {
  const result = await db
    .updateTable('import_batches')
    .set({ status: to, updated_at: sql`now()`, failure: null, rows_processed: 0, bytes_processed: 0 })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function updateBatchProgress(db: Kysely<Database>, id: string, progress: { rows: number; bytes: number }): Promise<void> {
  await db
    .updateTable('import_batches')
    .set({ rows_processed: progress.rows, bytes_processed: progress.bytes, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute()
}

export interface BatchOutcome {
  status: ImportStatus
  encoding: string
  rowsTotal: number
  rowsAccepted: number
  rowsRejected: number
  rowsDuplicate: number
  rowsReplaced: number
  report: unknown
  failure?: unknown
  committed: boolean
  fileSha256?: string
  options?: { replaceExisting: boolean; reason: string | null }
}

export async function finishBatch(db: Kysely<Database>, id: string, outcome: BatchOutcome): Promise<void> {
  await db
    .updateTable('import_batches')
    .set({
      status: outcome.status,
      encoding: outcome.encoding,
      rows_total: outcome.rowsTotal,
      rows_accepted: outcome.rowsAccepted,
      rows_rejected: outcome.rowsRejected,
      rows_duplicate: outcome.rowsDuplicate,
      rows_replaced: outcome.rowsReplaced,
      report: jsonb(outcome.report),
      failure: outcome.failure === undefined ? null : jsonb(outcome.failure),
      updated_at: sql`now()`,
      ...(outcome.committed ? { committed_at: sql`now()` } : {}),
      ...(outcome.fileSha256 ? { file_sha256: outcome.fileSha256 } : {}),
      ...(outcome.options ? { replace_existing: outcome.options.replaceExisting, reason: outcome.options.reason } : {}),
    })
    .where('id', '=', id)
    .execute()
}

export async function failBatch(db: Kysely<Database>, id: string, failure: unknown): Promise<void> {
  await db
    .updateTable('import_batches')
    .set({ status: 'failed', failure: jsonb(failure), updated_at: sql`now()` })
    .where('id', '=', id)
    .execute()
}

/** A batch back to its preview ('validated', the report kept) from `from`, with a message or none. */
export async function reopenBatch(db: Kysely<Database>, id: string, from: ImportStatus, failure: unknown): Promise<void> {
  await db
    .updateTable('import_batches')
    .set({ status: 'validated', failure: failure === null ? null : jsonb(failure), updated_at: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', from)
    .execute()
}

/** The committed batch that already brought in this exact file (same record type and bytes), if any. */
export async function findCommittedFile(db: Kysely<Database>, recordType: string, fileSha256: string, exceptId?: string) {
  let query = db
    .selectFrom('import_batches')
    .select(['id', 'committed_at', 'file_name'])
    .where('record_type', '=', recordType)
    .where('file_sha256', '=', fileSha256)
    .where('committed_at', 'is not', null)
  if (exceptId) query = query.where('id', '<>', exceptId)
  return query.orderBy('committed_at').executeTakeFirst()
}

/** Batches stuck in a running state when the process that ran them is gone (a restart). */
export async function failInterruptedBatches(db: Kysely<Database>, failure: unknown): Promise<number> {
  const result = await db
    .updateTable('import_batches')
    .set({ status: 'failed', failure: jsonb(failure), updated_at: sql`now()` })
    .where('status', 'in', ['validating', 'committing'])
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

// ---- one PostgreSQL connection for a bulk write -------------------------------------

/**
 * Fresh statistics of a table an import has just written many rows into,
 * inside the import's transaction (ANALYZE samples the transaction's own new
 * rows). Those from before describe the table without them, often empty; the
 * rollup refresh planned from them joined the new rows to themselves row by
 * row (decision 033).
 */
export async function analyzeWrittenTable(db: Kysely<Database>, table: string): Promise<void> {
  await sql`analyze ${sql.table(table)}`.execute(db)
}

/**
 * Whether this database is a PostgreSQL server (not the embedded PGlite), and
 * its name: a bulk write opens its own connection to the same database.
 */
export async function serverDatabaseName(db: Kysely<Database>): Promise<string | null> {
  const { rows } = await sql<{ name: string; wasm: boolean }>`
    select current_database() as name, version() like '%wasm32%' as wasm`.execute(db)
  const row = rows[0]
  return row && !row.wasm ? row.name : null
}

/**
 * Run `fn` in one transaction on one dedicated connection of a PostgreSQL
 * server, handing it both a Kysely bound to that transaction and the raw
 * connection for COPY. Kysely does not expose the postgres.js connection of
 * its own transactions, so the transaction is opened here: Kysely is given a
 * driver whose every "reserve" returns this one reserved connection.
 * All or nothing: a throw rolls everything back.
 */
export async function withCopyTransaction<T>(url: string, fn: (trx: Kysely<Database>, copy: CopyChannel) => Promise<T>): Promise<T> {
  // Same shapes as db/client.ts: dates as text, numeric and int8 as strings.
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    types: { date: { to: 1082, from: [1082], serialize: (v: string) => v, parse: (v: string) => v } },
  })
  const reserved = await client.reserve()
  const single = Object.assign(() => {
    throw new Error('use the reserved connection')
  }, {
    reserve: async () => ({
      unsafe: (query: string, params: unknown[]) => reserved.unsafe(query, params as never[]),
      release: () => {},
    }),
  })
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: single as unknown as postgres.Sql }) })
  const copy = copyChannel(reserved)
  try {
    return await db.transaction().execute((trx) => fn(trx, copy))
  } finally {
    reserved.release()
    await client.end({ timeout: 5 })
  }
}
