import { PGlite } from '@electric-sql/pglite'
import { Kysely, sql } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgliteStartParams } from '#db/client.ts'
import { raiseWorkMemForBulk } from '#db/models/rollups.ts'
import type { Database } from '#db/schema.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

// A large import's rollups raise work_mem for their transaction. A server takes the
// default raise; the embedded database's WebAssembly memory never shrinks once grown,
// so there the raise stops at the bound its settings name (decision 082).

const workMem = async (db: Kysely<Database>) => (await sql<{ work_mem: string }>`show work_mem`.execute(db)).rows[0]!.work_mem

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t?.close())

describe('the bulk refresh raise of work_mem', () => {
  it('is 64 MB for the transaction on a database that names no bound, and ends with it', async () => {
    const before = await workMem(t.db)
    await t.db.transaction().execute(async (trx) => {
      expect(await raiseWorkMemForBulk(trx)).toBe('64MB')
      expect(await workMem(trx)).toBe('64MB')
    })
    expect(await workMem(t.db)).toBe(before)
  })

  it('stays at 4 MB on the embedded database started as the app starts it', async () => {
    const pglite = new PGlite({ startParams: pgliteStartParams() })
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
    try {
      expect(await workMem(db)).toBe('4MB')
      await db.transaction().execute(async (trx) => {
        expect(await raiseWorkMemForBulk(trx)).toBe('4MB')
        expect(await workMem(trx)).toBe('4MB')
      })
    } finally {
      await db.destroy()
    }
  })
})
