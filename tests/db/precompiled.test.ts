import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { precompile } from '#db/precompiled.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

// db/precompiled.ts: a Kysely query compiled once, run with new values each time.

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
}, 600_000)
afterAll(async () => {
  await t?.close()
})

const sum = precompile<{ a: number; b: number; label: string }, { total: number; label: string; limit: number }>((db, p) =>
  db.selectNoFrom([sql<number>`${p('a')}::int + ${p('b')}::int`.as('total'), sql<string>`${p('label')}::text`.as('label'), sql<number>`${7}::int`.as('limit')]),
)

describe('precompile', () => {
  it('fills each named value into its place on every run, and keeps the query’s own constants', async () => {
    expect((await sum.execute(t.db, { a: 2, b: 3, label: 'first' })).rows).toEqual([{ total: 5, label: 'first', limit: 7 }])
    expect((await sum.execute(t.db, { a: 40, b: -1, label: 'second' })).rows).toEqual([{ total: 39, label: 'second', limit: 7 }])
  })
  it('runs inside a transaction on its connection', async () => {
    const rows = await t.db.transaction().execute(async (trx) => (await sum.execute(trx, { a: 1, b: 1, label: 'in trx' })).rows)
    expect(rows).toEqual([{ total: 2, label: 'in trx', limit: 7 }])
  })
  it('refuses a call that leaves a value out', async () => {
    await expect(sum.execute(t.db, { a: 1, label: 'x' } as never)).rejects.toThrow('precompile: no value for b')
  })
})
