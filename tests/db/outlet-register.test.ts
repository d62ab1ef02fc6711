import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageOf } from '#app/domain/paging.ts'
import { listVisibleOutlets, pageVisibleOutlets } from '#db/models/outlets.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// The outlet register in pages (bureau and brand homes): every outlet the
// viewer may see appears on exactly one page, in the register's order, and
// the totals count what the viewer may see and nothing else.

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(() => t?.close())

describe('the outlet register in pages', () => {
  for (const username of ['bureau.henan', 'carrier.sf', 'bureau.kunming']) {
    it(`${username}: the pages of 7 together are the whole register, once each, in order`, async () => {
      const viewer = await viewerOf(t.db, username)
      const all = await listVisibleOutlets(t.db, viewer)
      const first = await pageVisibleOutlets(t.db, viewer, pageOf('1', 7))
      expect(first.total).toBe(all.length)
      expect(first.provinces).toBe(new Set(all.map((o) => o.provinceCode)).size)
      const seen: number[] = []
      for (let page = 1; page <= Math.ceil(all.length / 7) + 1; page++) {
        seen.push(...(await pageVisibleOutlets(t.db, viewer, pageOf(String(page), 7))).rows.map((o) => o.id))
      }
      expect(seen).toEqual(all.map((o) => o.id))
    })
  }

  it('an operator’s register holds its own outlet only', async () => {
    const operator = await viewerOf(t.db, 'outlet.sf')
    const page = await pageVisibleOutlets(t.db, operator, pageOf('1', 20))
    expect(page.total).toBe(1)
    expect(page.rows.map((o) => o.id)).toEqual([operator.outletId])
  })
})
