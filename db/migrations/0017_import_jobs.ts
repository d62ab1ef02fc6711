import { sql, type Kysely } from 'kysely'

// Frozen in time. Import jobs in the database (issue 15): a web upload's
// preview and commit are queued here and claimed by whichever app process is
// free (`for update skip locked`), so any process can serve the upload's page,
// its progress and its cancellation. The running process proves it is alive
// with heartbeat_at; a job whose heartbeat stopped is taken as interrupted.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table import_jobs (
      id bigint generated always as identity primary key,
      batch_id bigint not null references import_batches (id) on delete cascade,
      kind text not null check (kind in ('preview', 'commit')),
      state text not null default 'queued' check (state in ('queued', 'running', 'done', 'failed', 'cancelled')),
      -- the viewer the job runs as (its scope), as when it was asked for
      run_as jsonb not null,
      cancel_requested boolean not null default false,
      worker text,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      heartbeat_at timestamptz,
      finished_at timestamptz
    )`.execute(db)
  await sql`create index import_jobs_queued on import_jobs (id) where state = 'queued'`.execute(db)
  // One live job per batch: a second click cannot queue a second commit.
  await sql`create unique index import_jobs_one_live on import_jobs (batch_id) where state in ('queued', 'running')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists import_jobs`.execute(db)
}
