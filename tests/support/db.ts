import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import postgres from 'postgres'
import { openDatabase } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import type { Database } from '#db/schema.ts'
import { seedDemoData } from '#seeds/load/demo.ts'

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
    const name = `gp_test_${randomBytes(6).toString('hex')}`
    const admin = postgres(url, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    await admin.end()
    const testUrl = new URL(url)
    testUrl.pathname = `/${name}`
    handle = openDatabase({ kind: 'postgres', url: testUrl.toString(), maxConnections: 60 })
    drop = async () => {
      const a = postgres(url, { max: 1, onnotice: () => {} })
      await a.unsafe(`drop database if exists ${name} with (force)`)
      await a.end()
    }
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
