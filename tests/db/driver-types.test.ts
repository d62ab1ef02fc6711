import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t?.close())

describe('both drivers return the same shapes', () => {
  it('numeric and int8 as exact strings, date as YYYY-MM-DD, timestamptz as Date', async () => {
    const { rows } = await sql<{ n: unknown; b: unknown; d: unknown; ts: unknown; i: unknown }>`
      select 1.50::numeric as n, 9007199254740993::int8 as b, '2024-03-01'::date as d,
             '2024-03-01T00:00:00Z'::timestamptz as ts, 5::int4 as i`.execute(t.db)
    expect(rows[0]).toEqual({ n: '1.50', b: '9007199254740993', d: '2024-03-01', ts: new Date('2024-03-01T00:00:00Z'), i: 5 })
  })
})
