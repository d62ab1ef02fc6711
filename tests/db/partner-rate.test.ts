import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rateSlotCount } from '#app/domain/credits/rate-limit.ts'
import { takeRateToken, type RateLimit } from '#db/models/partners.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

// The slotted rate limit under many requests at once (decision 086): a request
// holds the slot it took until its transaction ends, so requests that find
// every free slot empty or busy wait for one. Only PostgreSQL runs them side
// by side (PGlite has one connection).
let t: TestDatabase
let partnerId: number
const now = new Date('2026-11-22T02:00:00Z')

beforeAll(async () => {
  t = await createTestDatabase()
  const { rows } = await sql<{ id: number }>`
    insert into partners (name, created_at) values ('Rate mall', ${now}) returning id`.execute(t.db)
  partnerId = rows[0]!.id
})
afterAll(() => t?.close())

describe.skipIf(!process.env.DATABASE_URL)('the slotted rate limit with many requests at once', () => {
  it('a dry bucket: exactly burst requests get a token, the rest are refused, and waiting requests never deadlock', async () => {
    // 32 tokens in 8 slots of 4, refilled so slowly that none comes back during the test
    const limit: RateLimit = { ratePerSecond: '0.0001', burst: 32, slots: rateSlotCount(32) }
    expect(limit.slots).toBe(8)
    const requests = 50
    const outcomes = await Promise.allSettled(
      Array.from({ length: requests }, () =>
        t.db.transaction().execute(async (trx) => {
          const took = await takeRateToken(trx, partnerId, now, limit)
          // the rest of a request's transaction, with its slot held
          await sql`select pg_sleep(0.05)`.execute(trx)
          return took
        }),
      ),
    )
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => String(o.reason))
    expect(failures).toEqual([])
    const took = outcomes.filter((o) => o.status === 'fulfilled' && o.value).length
    expect(took).toBe(32)
    const { rows } = await sql<{ tokens: string }>`
      select sum(tokens)::numeric(10, 3)::text as tokens from partner_rate_slots where partner_id = ${partnerId}`.execute(t.db)
    // 0.0001 tokens a second for at most a few seconds: what is left rounds to nothing
    expect(Number(rows[0]!.tokens)).toBeLessThan(0.01)
  }, 60_000)
})
