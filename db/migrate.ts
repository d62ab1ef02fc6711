import { Migrator, type Kysely, type MigrationResultSet } from 'kysely'
import { migrations } from './migrations/index.ts'

/**
 * Runs every pending migration from the static registry (a Vite bundle cannot
 * read a migrations folder at run time). Kysely refuses a registry whose
 * executed migrations are not a prefix of it, so an out-of-order migration
 * stops the boot instead of running.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: false,
  })
  const result = await migrator.migrateToLatest()
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')
    const name = failed ? ` (${failed.migrationName})` : ''
    throw new Error(`Database migration failed${name}: ${String(result.error)}`, {
      cause: result.error,
    })
  }
  return result
}
