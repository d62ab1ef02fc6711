import { sql, type Kysely } from 'kysely'

// Frozen in time. The index of 0007 found an import's rows again so that they
// could be costed in SQL after they were written; the import now costs them
// with the same recipes before it writes them (docs/decisions/032), and every
// imported row paid for an index entry nothing reads.

const tables = ['shipment_stats', 'packaging_consumption', 'recovery_collections', 'reusable_assets', 'vehicle_use', 'facility_electricity']

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of tables) await sql.raw(`drop index if exists ${table}_import_batch_idx`).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of tables) {
    await sql.raw(`create index ${table}_import_batch_idx on ${table} (import_batch_id, id) where import_batch_id is not null`).execute(db)
  }
}
