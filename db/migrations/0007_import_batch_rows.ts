import { sql, type Kysely } from 'kysely'

// Frozen in time. The rows of one import batch, found by index, in id order:
// a commit costs the rows it wrote in SQL, chunk by chunk, by batch and id range
// (db/models/emission-recipes.ts), which must not read a whole table of
// millions of rows for a file of ten.

const tables = ['shipment_stats', 'packaging_consumption', 'recovery_collections', 'reusable_assets', 'vehicle_use', 'facility_electricity']

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of tables) {
    await sql.raw(`create index ${table}_import_batch_idx on ${table} (import_batch_id, id) where import_batch_id is not null`).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of tables) await sql.raw(`drop index if exists ${table}_import_batch_idx`).execute(db)
}
