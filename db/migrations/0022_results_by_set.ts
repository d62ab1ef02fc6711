import { sql, type Kysely } from 'kysely'

// Frozen in time. emission_results becomes a table partitioned by factor set
// version (docs/decisions/083-publish.md, fourth pass): each set's results in
// a partition of their own, named emission_results_<version with _ for .>.
// No default partition: attaching a partition would lock it against every
// reader of emission_results until the attaching transaction ends. A publish writes the new
// set's results into a table of its own with no index, builds the index once
// they are all in, and attaches the table as the set's partition: a btree
// built from sorted keys instead of one descent per row. The live key is the
// parent's index (every partition has it); it holds the version, the
// partition key. Columns, defaults and checks are as before.

const versionPattern = /^\d{4}\.\d+$/

function partitionName(version: string): string {
  return `emission_results_${version.replace('.', '_')}`
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter index emission_results_live_key rename to emission_results_unpartitioned_live_key`.execute(db)
  await sql`alter table emission_results rename to emission_results_unpartitioned`.execute(db)
  await sql`
    create table emission_results (like emission_results_unpartitioned including defaults including constraints)
    partition by list (factor_set_version)`.execute(db)
  await sql`create unique index emission_results_live_key on emission_results (outlet_id, record_type, record_id, factor_set_version) where status <> 'superseded'`.execute(db)
  const { rows } = await sql<{ version: string }>`
    select factor_set_version as version from emission_results_unpartitioned
    union select version from factor_sets where status <> 'draft'`.execute(db)
  let other = 0
  for (const { version } of rows) {
    const name = versionPattern.test(version) ? partitionName(version) : `emission_results_other_${++other}`
    await sql`create table ${sql.id(name)} partition of emission_results for values in (${sql.lit(version)})`.execute(db)
  }
  await sql`insert into emission_results select * from emission_results_unpartitioned`.execute(db)
  await sql`drop table emission_results_unpartitioned`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table emission_results rename to emission_results_partitioned`.execute(db)
  await sql`alter index emission_results_live_key rename to emission_results_partitioned_live_key`.execute(db)
  await sql`create table emission_results (like emission_results_partitioned including defaults including constraints)`.execute(db)
  await sql`insert into emission_results select * from emission_results_partitioned`.execute(db)
  await sql`drop table emission_results_partitioned`.execute(db)
  await sql`create unique index emission_results_live_key on emission_results (outlet_id, record_type, record_id, factor_set_version) where status <> 'superseded'`.execute(db)
}
