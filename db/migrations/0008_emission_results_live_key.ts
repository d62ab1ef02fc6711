import { sql, type Kysely } from 'kysely'

// Frozen in time. One unique index on the stored results instead of three
// (docs/decisions/033-recompute-writes-less.md): a live result (current or
// restatement) is unique per record and status; a superseded result is
// history and is in no index. Every live result written cost two index
// entries before (the primary key on the set version and a partial unique
// index), and every superseded one a third; a recompute writes a million.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table emission_results drop constraint emission_results_pkey`.execute(db)
  await sql`drop index emission_results_current_key`.execute(db)
  await sql`drop index emission_results_restatement_key`.execute(db)
  await sql`create unique index emission_results_live_key on emission_results (outlet_id, record_type, record_id, status) where status <> 'superseded'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index emission_results_live_key`.execute(db)
  await sql`create unique index emission_results_current_key on emission_results (outlet_id, record_type, record_id) where status = 'current'`.execute(db)
  await sql`create unique index emission_results_restatement_key on emission_results (outlet_id, record_type, record_id) where status = 'restatement'`.execute(db)
  await sql`alter table emission_results add primary key (outlet_id, record_type, record_id, factor_set_version)`.execute(db)
}
