import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeInOrder } from '#db/postgres-dialect.ts'
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

describe('executeInOrder', () => {
  it('runs the queries in order and gives back each one’s result', async () => {
    const results = await t.db.transaction().execute(async (trx) => {
      await sql`create temporary table pipelined (n int) on commit drop`.execute(trx)
      return executeInOrder(trx, [
        sql`insert into pipelined values (1), (2)`.compile(trx),
        sum.compile(trx, { a: 20, b: 22, label: 'second' }),
        sql`select count(*)::int as n from pipelined`.compile(trx),
      ])
    })
    expect(results.map((r) => r.rows)).toEqual([[], [{ total: 42, label: 'second', limit: 7 }], [{ n: 2 }]])
  })

  it('fails when one of the queries fails', async () => {
    await expect(t.db.transaction().execute((trx) => executeInOrder(trx, [sql`select 1`.compile(trx), sql`select 1 / 0`.compile(trx)]))).rejects.toThrow(/division by zero/)
  })

  it('starts a query after the lock the one before it waited for is granted, with a snapshot taken then (PostgreSQL)', async () => {
    if (t.kind !== 'postgres') return
    await sql`create table if not exists pipelined_lock (id int primary key, n int not null)`.execute(t.db)
    await sql`insert into pipelined_lock values (1, 0) on conflict (id) do update set n = 0`.execute(t.db)
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    const holder = t.db.transaction().execute(async (trx) => {
      await sql`select n from pipelined_lock where id = 1 for update`.execute(trx)
      await sql`update pipelined_lock set n = 1 where id = 1`.execute(trx)
      locked()
      await held
    })
    await isLocked
    const waiter = t.db.transaction().execute((trx) =>
      executeInOrder(trx, [sql`select id from pipelined_lock where id = 1 for update`.compile(trx), sql`select n from pipelined_lock where id = 1`.compile(trx)]),
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    release()
    await holder
    const [, read] = await waiter
    // The plain read's snapshot was taken after the holder had committed: it sees n = 1.
    expect(read!.rows).toEqual([{ n: 1 }])
    await sql`drop table pipelined_lock`.execute(t.db)
  })
})
