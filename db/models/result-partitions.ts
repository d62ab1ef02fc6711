import { sql, type Kysely } from 'kysely'
import type { Database } from '../schema.ts'

// ---- one partition of emission_results per factor set (migration 0022) ----
//
// A set's results live in a partition of their own, made when the set is
// published. There is no default partition: a row of a version without one is
// refused. On PostgreSQL a publish writes the new set's results into a table
// of its own that readers cannot see (not yet a partition) and that has no
// index, builds the live key's index once every row is in, and attaches the
// table in a transaction of its own: the rows become part of emission_results,
// still a draft's and so shown to no reader, until the set's status changes
// (docs/decisions/083-publish.md, fourth pass). In one transaction (the
// embedded database, a caller's transaction) the partition is made at the
// start and written with its index.

const versionPattern = /^\d{4}\.\d+$/

/** The partition that holds a set's results: emission_results_2026_1 for 2026.1. */
export function resultPartition(version: string): string {
  if (!versionPattern.test(version)) throw new Error(`Not a factor set version: ${version}`)
  return `emission_results_${version.replace('.', '_')}`
}

/**
 * A fresh table for a set's results, shaped as emission_results (columns,
 * defaults, checks) with a check that every row is of the set, so that
 * attaching it needs no scan. Whatever an earlier, failed publish of the set
 * left is dropped first. Call with the publish lock held, outside the
 * transactions that write the rows (they must see the table).
 */
export async function prepareResultTable(db: Kysely<Database>, version: string): Promise<string> {
  const table = resultPartition(version)
  await dropResultPartition(db, version)
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
export async function attachResultTable(db: Kysely<Database>, version: string): Promise<void> {
  const table = resultPartition(version)
  await sql`create unique index ${sql.id(`${table}_live_key`)} on ${sql.id(table)} (outlet_id, record_type, record_id, factor_set_version) where status <> 'superseded'`.execute(db)
  await sql`alter table emission_results attach partition ${sql.id(table)} for values in (${sql.lit(version)})`.execute(db)
  // Statistics of its own, read from a sample: the readers' plans once the set is in force
  // (PGlite has no autovacuum, and a server's may come later).
  await sql`analyze ${sql.id(table)}`.execute(db)
}

/**
 * The set's partition, made empty (with the live key's index) in the caller's
 * transaction, whatever an earlier, failed publish of the set left dropped
 * first: for a publish in one transaction.
 */
export async function createResultPartition(db: Kysely<Database>, version: string): Promise<string> {
  const table = resultPartition(version)
  await dropResultPartition(db, version)
  await sql`create table ${sql.id(table)} partition of emission_results for values in (${sql.lit(version)})`.execute(db)
  return table
}

/** The set's partition, made if there is none (results of a set stored outside a publish: tests' fixtures). */
export async function ensureResultPartition(db: Kysely<Database>, version: string): Promise<void> {
  await sql`create table if not exists ${sql.id(resultPartition(version))} partition of emission_results for values in (${sql.lit(version)})`.execute(db)
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

/**
 * Wait until every statement that was running on this database when `since`
 * (the server's clock) had passed has ended, on PostgreSQL: a statement
 * planned before a partition was attached does not read it, so the set whose
 * rows it holds is switched to only once no such statement can still take its
 * snapshot. (What PostgreSQL itself does before it ends a concurrent index
 * build or detach.) Statements waiting for a lock this connection holds (the
 * publish lock) are not waited for: they take their snapshot after it.
 */
export async function waitForStatementsBefore(db: Kysely<Database>, since: Date): Promise<void> {
  for (let waited = 0; ; waited++) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query_start < ${since}
        -- a writer waiting for this connection's publish lock takes its snapshot after the switch
        and not (pg_backend_pid() = any (pg_blocking_pids(pid)))`.execute(db)
    if (rows[0]!.n === 0) return
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, 5 + waited)))
  }
}
