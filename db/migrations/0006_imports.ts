import { sql, type Kysely } from 'kysely'

// Frozen in time. CSV uploads: an upload is stored as a file and checked
// (preview) before it is committed, possibly minutes later and by a
// background job, so its batch row carries the job's state and progress, the
// options the uploader chose and the report the preview page shows.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table import_batches
      add column status text not null default 'uploaded'
        check (status in ('uploaded', 'validating', 'validated', 'committing', 'committed', 'failed')),
      -- where the upload's bytes wait between preview and commit, relative to the uploads folder
      add column stored_name text,
      add column file_bytes bigint not null default 0,
      add column bytes_processed bigint not null default 0,
      add column rows_processed integer not null default 0,
      add column replace_existing boolean not null default false,
      add column reason text,
      -- the preview's or the commit's report: counts, first errors, file issues (message keys, not words)
      add column report jsonb,
      -- why the job stopped, as a message key and params
      add column failure jsonb,
      add column updated_at timestamptz not null default now()`.execute(db)
  await sql`create index import_batches_brand_idx on import_batches (brand_id, created_at)`.execute(db)
  await sql`create index import_batches_outlet_idx on import_batches (outlet_id, created_at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists import_batches_outlet_idx`.execute(db)
  await sql`drop index if exists import_batches_brand_idx`.execute(db)
  for (const column of ['updated_at', 'failure', 'report', 'reason', 'replace_existing', 'rows_processed', 'bytes_processed', 'file_bytes', 'stored_name', 'status']) {
    await sql`alter table import_batches drop column if exists ${sql.ref(column)}`.execute(db)
  }
}
