import { sql, type Kysely } from 'kysely'
import type { Database } from '../schema.ts'

// ---- one partition of emission_results per factor set (migration 0022) ----
//
// A published set's results live in a partition of their own; results of any
// other version fall into the default partition, emission_results_other. A
// publish writes the new set's results into a table of its own that readers
// cannot see (not yet a partition) and that has no index, builds the live
// key's index once every row is in, and attaches the table: the rows become
// part of emission_results, still a draft's and so shown to no reader, until
// the set's status changes (docs/decisions/083-publish.md, fourth pass).

const versionPattern = /^\d{4}\.\d+$/

/** The partition that holds a set's results: emission_results_2026_1 for 2026.1. */
export function resultPartition(version: string): string {
  if (!versionPattern.test(version)) throw new Error(`Not a factor set version: ${version}`)
  return `emission_results_${version.replace('.', '_')}`
}

/** Whether the version can have a partition of its own (a version like 2026.1). */
export function hasOwnPartition(version: string): boolean {
  return versionPattern.test(version)
}

/**
 * A fresh table for a set's results, shaped as emission_results (columns,
 * defaults, checks) with a check that every row is of the set, so that
 * attaching it needs no scan. Whatever an earlier, failed publish of the set
 * left is dropped first: the table, attached or not, and rows of the set in
 * the default partition. Call with the publish lock held, outside the
 * transactions that write the rows (they must see the table).
 */
export async function prepareResultPartition(db: Kysely<Database>, version: string): Promise<string> {
  const table = resultPartition(version)
  await dropResultPartition(db, version)
  await sql`delete from emission_results_other where factor_set_version = ${version}`.execute(db)
  await sql`create table ${sql.id(table)} (like emission_results including defaults including constraints)`.execute(db)
  await sql`alter table ${sql.id(table)} add constraint ${sql.id(`${table}_version`)} check (factor_set_version = ${sql.lit(version)})`.execute(db)
  return table
}

/**
 * The live key's index on the set's table, built in one pass over its rows
 * (a record with two live results of the set fails here, and the publish with
 * it), then the table attached as the set's partition (the parent's index
 * takes it as its own, and the check spares the scan) and analyzed.
 */
export async function attachResultPartition(db: Kysely<Database>, version: string): Promise<void> {
  const table = resultPartition(version)
  await sql`create unique index ${sql.id(`${table}_live_key`)} on ${sql.id(table)} (outlet_id, record_type, record_id, factor_set_version) where status <> 'superseded'`.execute(db)
  await sql`alter table emission_results attach partition ${sql.id(table)} for values in (${sql.lit(version)})`.execute(db)
  // Statistics of its own, read from a sample: the readers' plans once the set is in force
  // (PGlite has no autovacuum, and a server's may come later).
  await sql`analyze ${sql.id(table)}`.execute(db)
}

/** Drop the set's table, attached or not (a publish that failed). */
export async function dropResultPartition(db: Kysely<Database>, version: string): Promise<void> {
  const table = resultPartition(version)
  const { rows } = await sql<{ attached: boolean }>`
    select exists (select 1 from pg_inherits i where i.inhrelid = c.oid) as attached
    from pg_class c where c.relname = ${table} and c.relnamespace = current_schema()::regnamespace`.execute(db)
  if (rows.length === 0) return
  if (rows[0]!.attached) await sql`alter table emission_results detach partition ${sql.id(table)}`.execute(db)
  await sql`drop table ${sql.id(table)}`.execute(db)
}
