import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { openDatabase } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import type { Database } from '#db/schema.ts'
import { seedDemoData } from '#seeds/load/demo.ts'
import { createThrowawayDatabase } from '../../scripts/lib/throwaway-database.ts'

export interface TestDatabase {
  db: Kysely<Database>
  kind: 'pglite' | 'postgres'
  close(): Promise<void>
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default;
 * with DATABASE_URL set, a throwaway database on that server, dropped after.
 */
export async function createTestDatabase(
  // activity: also the 24 months of demo activity and rollups (slower; only report tests need it)
  options: { seed?: boolean; activity?: boolean } = {},
): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL
  let handle
  let drop: (() => Promise<void>) | undefined
  if (url) {
    const database = await createThrowawayDatabase(url, { prefix: 'gp_test_' })
    handle = openDatabase({ kind: 'postgres', url: database.url, maxConnections: 60 })
    drop = database.drop
  } else {
    handle = openDatabase({ kind: 'pglite' })
  }
  await migrateToLatest(handle.db)
  if (options.seed) await seedDemoData(handle.db, path.resolve('seeds'), { activity: options.activity ?? false })
  return {
    db: handle.db,
    kind: handle.kind,
    close: async () => {
      await handle.close()
      await drop?.()
    },
  }
}

/** A demo user's viewer (what a signed-in session carries), by username. */
export async function viewerOf(db: Kysely<Database>, username: string): Promise<Viewer> {
  return db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select(['users.id as userId', 'role', 'outlet_id as outletId', 'brand_id as brandId', 'region_code as regionCode'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow()
}
