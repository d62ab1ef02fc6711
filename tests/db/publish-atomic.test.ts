import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Decimal from 'decimal.js'
import { costRecords, recomputeEmissions, refreshRollupsAfterRecompute } from '#app/services/emissions.server.ts'
import { importFactorSet, publishFactorSet } from '#app/services/factor-sets.server.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'
import { addOutlet, addRecord, derivedSetFiles } from './emissions-support.ts'
import { submitMonth } from '#db/models/submissions.ts'
import { countedCurrent } from '#db/models/result-status.ts'
import { prepareResultTable, resultPartition } from '#db/models/result-partitions.ts'

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

/** The set's own table, and whether it is a partition of emission_results; null when there is none. */
async function tableOf(version: string): Promise<{ table: string; attached: boolean } | null> {
  const { rows } = await sql<{ table: string; attached: boolean }>`
    select c.relname as table, exists (select 1 from pg_inherits i where i.inhrelid = c.oid) as attached
    from pg_class c where c.relname = ${resultPartition(version)} and c.relkind = 'r'`.execute(t.db)
  return rows[0] ?? null
}

/** One statement, one snapshot: the total of the current results as readers count them (result-status.ts) and how many records have one, and the rollups' total. */
async function observe(): Promise<{ results: string; records: string; rollups: string }> {
  const { rows } = await sql<{ results: string; records: string; rollups: string }>`
    select
      (select coalesce(sum(e.co2e_kg), 0)::numeric(20, 1)::text from emission_results e join outlets o on o.id = e.outlet_id
        where o.code like 'ATOM-%' and ${countedCurrent('e')}) as results,
      (select count(*)::text from emission_results e join outlets o on o.id = e.outlet_id
        where o.code like 'ATOM-%' and ${countedCurrent('e')}) as records,
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

  it('published by transactions side by side (the version switch): the same, a record costed meanwhile follows the new set, a month submitted meanwhile keeps one result per record', async () => {
    const parallel = process.env.DATABASE_URL ? 2 : 1
    const total541 = (OUTLETS * MONTHS * 541).toFixed(1)
    const files = await derivedSetFiles('2026.3', {
      status: 'draft',
      replace: [['grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0.5410,']],
    })
    expect(await importFactorSet(t.db, files, { actor: null, as: 'draft', now })).toMatchObject({ ok: true })
    const outlet = Number((await sql<{ id: number }>`select id from outlets where code = 'ATOM-0'`.execute(t.db)).rows[0]!.id)
    const recordId = await addRecord(t.db, 'facility_electricity', outlet, { month: '2023-01-01', electricity_kwh: '1000', data_quality: 'measured', source: 'form' })

    let done = false
    const publishing = publishFactorSet(t.db, null, '2026.3', { now, parallel }).finally(() => (done = true))
    // a clerk's record and a month submission while the set is being published: they wait for it, or it for them
    const costing = t.db.transaction().execute(async (trx) => {
      // as the form does: the result and the outlet-month's rollup in one transaction
      const costed = await costRecords(trx, 'facility_electricity', [recordId])
      await refreshRollupsAfterRecompute(trx, costed.touched)
      return costed
    })
    const submitting = submitMonth(t.db, outlet, '2022-06', 1)
    const seen: { results: string; records: string; rollups: string }[] = []
    while (!done) seen.push(await observe())
    const published = await publishing
    expect(published.ok).toBe(true)
    expect((await costing).results[0]).toMatchObject({ ok: true })
    expect(await submitting).toBe(true)

    // 2022 is 0.5410 now, 2023 still 0.5271 for the new record (Central grid 2023): 541 × 960 + 527.1,
    // or, when the month was submitted before the publish began, 540 for that month kept (541 × 959 + 540 + 527.1)
    const after = await observe()
    expect(after.records).toBe(String(OUTLETS * MONTHS + 1))
    expect([new Decimal(total541).plus('527.1').toFixed(1), new Decimal(total541).minus(1).plus('527.1').toFixed(1)]).toContain(after.results)
    expect(after.rollups).toBe(after.results)
    for (const s of seen) {
      // before the switch 2026.2's totals (with the new record once it is costed), after it 2026.3's
      expect([newTotal, new Decimal(newTotal).plus('527.1').toFixed(1), after.results]).toContain(s.results)
      expect(s.rollups).toBe(s.results)
    }
    const counted = await sql<{ version: string; n: string }>`
      select e.factor_set_version as version, count(*)::text as n from emission_results e
      where e.record_type = 'facility_electricity' and (e.record_id = ${recordId} or (e.outlet_id = ${outlet} and e.month = '2022-06-01')) and ${countedCurrent('e')}
      group by 1 order by 1`.execute(t.db)
    // the new record counts 2026.3; the submitted month counts one result per record, of the set it was submitted with
    expect(counted.rows.reduce((n, r) => n + Number(r.n), 0)).toBe(2)
    expect(counted.rows.map((r) => r.version)).toContain('2026.3')
  }, 120_000)

  it('a publish that fails leaves the set a draft, nothing of it stored, and every figure as it was', async () => {
    const files = await derivedSetFiles('2026.4', {
      status: 'draft',
      replace: [['grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0.5420,']],
    })
    expect(await importFactorSet(t.db, files, { actor: null, as: 'draft', now })).toMatchObject({ ok: true })
    const before = await observe()
    // the last outlet's results cannot be written: one of the transactions fails after the other committed
    // (a check on emission_results, which the set's own table takes over with the others)
    const last = (await sql<{ id: number }>`select max(id) as id from outlets where code like 'ATOM-%'`.execute(t.db)).rows[0]!.id
    await sql`alter table emission_results add constraint gp_test_refuse check (not (factor_set_version = '2026.4' and outlet_id = ${sql.lit(last)}))`.execute(t.db)
    try {
      await expect(publishFactorSet(t.db, null, '2026.4', { now, parallel: process.env.DATABASE_URL ? 2 : 1 })).rejects.toThrow(/gp_test_refuse/)
    } finally {
      await sql`alter table emission_results drop constraint gp_test_refuse`.execute(t.db)
    }
    expect(await observe()).toEqual(before)
    const left = await sql<{ n: string; status: string }>`
      select (select count(*)::text from emission_results where factor_set_version = '2026.4') as n,
        (select status from factor_sets where version = '2026.4') as status`.execute(t.db)
    expect(left.rows[0]).toEqual({ n: '0', status: 'draft' })
    expect(await tableOf('2026.4')).toBeNull()
    // a publish that died with its process (no cleanup ran) left the set's table with a result in it:
    // the next publish drops it
    await prepareResultTable(t.db, '2026.4')
    const leftover = (from: string) => sql`insert into ${sql.id(from)} select outlet_id, record_type, record_id, '2026.4', month, category, co2e_kg,
      avoided_co2e_kg, ttw_kg, wtt_kg, electricity_kg, method, data_quality, provenance, computed_at, status
      from emission_results e where ${countedCurrent('e')} and e.outlet_id in (select id from outlets where code like 'ATOM-%') limit 1`.execute(t.db)
    await leftover('emission_results_2026_4')
    expect(await tableOf('2026.4')).toEqual({ table: 'emission_results_2026_4', attached: false })
    // and it can be published once the cause is gone: 542 instead of 541 for each month of 2021 and 2022
    // (2021 takes the 2022 factor), except a month submitted before; the new record's 2023 as before
    expect((await publishFactorSet(t.db, null, '2026.4', { now, parallel: process.env.DATABASE_URL ? 2 : 1 })).ok).toBe(true)
    expect(await tableOf('2026.4')).toEqual({ table: 'emission_results_2026_4', attached: true })
    const placed = await sql<{ partition: string; n: string }>`
      select tableoid::regclass::text as partition, count(*)::text as n from emission_results where factor_set_version = '2026.4' group by 1`.execute(t.db)
    expect(placed.rows.map((r) => r.partition)).toEqual(['emission_results_2026_4'])
    const after = await observe()
    expect(after.records).toBe(before.records)
    expect(new Decimal(after.results).minus(before.results).toFixed(1)).toBe(
      (await sql<{ d: string }>`select (count(*) * 1)::text as d from emission_results e
        where ${countedCurrent('e')} and e.month between '2021-01-01' and '2022-12-01' and e.outlet_id in (select id from outlets where code like 'ATOM-%')
          and e.factor_set_version = '2026.4'`.execute(t.db)).rows[0]!.d + '.0',
    )
  }, 120_000)
})
