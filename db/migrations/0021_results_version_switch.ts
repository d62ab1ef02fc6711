import { sql, type Kysely } from 'kysely'

// Frozen in time. Publishing a factor set wrote two tuples per record in one
// transaction: the old result set aside (status superseded) and the new one
// inserted. With the version switch (docs/decisions/083-publish.md) the new
// set's results are written beside the old ones, possibly from several
// connections, and become the counted ones when the set is published: in an
// open month the current result that counts is the one of the set in force.
// A record may then hold a live result of each of two sets, so the live key
// carries the set version. One live result per record and set, as before one
// per record and status (a set never gives a record both a current result
// and a restatement).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index emission_results_live_key`.execute(db)
  await sql`create unique index emission_results_live_key on emission_results (outlet_id, record_type, record_id, factor_set_version) where status <> 'superseded'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index emission_results_live_key`.execute(db)
  await sql`create unique index emission_results_live_key on emission_results (outlet_id, record_type, record_id, status) where status <> 'superseded'`.execute(db)
}
