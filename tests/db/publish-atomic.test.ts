import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recomputeEmissions } from '#app/services/emissions.server.ts'
import { importFactorSet, publishFactorSet } from '#app/services/factor-sets.server.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'
import { addOutlet, derivedSetFiles } from './emissions-support.ts'

// Readers during a publish see the figures of the old set or of the new one,
// never some of each (decision 083). On PostgreSQL the readers below run on
// other connections of the pool while the publishing transaction writes; on
// PGlite, with its one connection, they wait for it: both must hold.

let t: TestDatabase
const now = new Date('2026-11-22T08:00:00Z')
const OUTLETS = 40
const MONTHS = 24
// Henan (Central grid) facility electricity, 1,000 kWh a month: 539.5 kg with 2026.1, 540 with the corrected set.
const oldTotal = (OUTLETS * MONTHS * 539.5).toFixed(1)
const newTotal = (OUTLETS * MONTHS * 540).toFixed(1)

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  for (let i = 0; i < OUTLETS; i++) await addOutlet(t.db, `ATOM-${i}`, '410105')
  await sql`
    insert into facility_electricity (outlet_id, brand_id, region_code, month, electricity_kwh, data_quality, source)
    select o.id, o.brand_id, o.region_code, m::date, 1000, 'measured', 'form'
    from outlets o cross join generate_series(date '2021-01-01', date '2022-12-01', interval '1 month') m
    where o.code like 'ATOM-%'`.execute(t.db)
  const first = await recomputeEmissions(t.db, { recordTypes: ['facility_electricity'] })
  expect(first.ok).toBe(true)
}, 120_000)
afterAll(() => t?.close())

/** One statement, one snapshot: the current results' total and how many records have one, and the rollups' total. */
async function observe(): Promise<{ results: string; records: string; rollups: string }> {
  const { rows } = await sql<{ results: string; records: string; rollups: string }>`
    select
      (select coalesce(sum(e.co2e_kg), 0)::numeric(20, 1)::text from emission_results e join outlets o on o.id = e.outlet_id
        where o.code like 'ATOM-%' and e.status = 'current') as results,
      (select count(*)::text from emission_results e join outlets o on o.id = e.outlet_id
        where o.code like 'ATOM-%' and e.status = 'current') as records,
      (select coalesce(sum(r.facility_co2e_kg), 0)::numeric(20, 1)::text from outlet_month_rollups r join outlets o on o.id = r.outlet_id
        where o.code like 'ATOM-%') as rollups`.execute(t.db)
  return rows[0]!
}

describe('publishing a factor set while others read', () => {
  it('readers see the old totals or the new ones, never a mix', async () => {
    expect(await observe()).toEqual({ results: oldTotal, records: String(OUTLETS * MONTHS), rollups: oldTotal })
    const files = await derivedSetFiles('2026.2', {
      status: 'draft',
      replace: [['grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0.5400,']],
    })
    expect(await importFactorSet(t.db, files, { actor: null, as: 'draft', now })).toMatchObject({ ok: true })

    let done = false
    const publishing = publishFactorSet(t.db, null, '2026.2', { now }).finally(() => (done = true))
    const seen: { results: string; records: string; rollups: string }[] = []
    while (!done) seen.push(await observe())
    const published = await publishing
    expect(published.ok).toBe(true)

    const after = await observe()
    expect(after).toEqual({ results: newTotal, records: String(OUTLETS * MONTHS), rollups: newTotal })
    expect(seen.length).toBeGreaterThan(0)
    for (const s of seen) {
      expect([oldTotal, newTotal]).toContain(s.results)
      // the rollups a report reads switch with the results, in the same transaction
      expect(s.rollups).toBe(s.results)
      expect(s.records).toBe(String(OUTLETS * MONTHS))
    }
  }, 120_000)
})
