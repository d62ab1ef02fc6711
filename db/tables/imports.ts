import type { ColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Defaulted<T> = ColumnType<T, T | undefined, T>
type BigintColumn = ColumnType<string, string | number | undefined, string | number>
type GeneratedAlways<T> = ColumnType<T, never, never>

export type ImportJobKind = 'preview' | 'commit'
export type ImportJobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled'

/** Migration 0017: the queue of import previews and commits, claimed by any app process. */
export interface ImportJobsTable {
  id: GeneratedAlways<string>
  batch_id: string
  kind: ImportJobKind
  state: Defaulted<ImportJobState>
  /** The viewer the job runs as. */
  run_as: unknown
  cancel_requested: Defaulted<boolean>
  worker: string | null
  created_at: Defaulted<Date>
  started_at: Date | null
  heartbeat_at: Date | null
  finished_at: Date | null
}

export type ImportStatus = 'uploaded' | 'validating' | 'validated' | 'committing' | 'committed' | 'failed'

// Migration 0006 adds job columns to import_batches, whose type lives in
// tables/activity.ts; declaration merging adds them to that type, so that
// Database keeps one import_batches table type.
declare module './activity.ts' {
  interface ImportBatchesTable {
    status: Defaulted<ImportStatus>
    /** The stored upload's file name inside the uploads folder. */
    stored_name: string | null
    file_bytes: BigintColumn
    bytes_processed: BigintColumn
    rows_processed: Defaulted<number>
    replace_existing: Defaulted<boolean>
    reason: string | null
    report: unknown
    failure: unknown
    updated_at: Timestamp
  }
  interface ActivityTables {
    import_jobs: ImportJobsTable
  }
}
