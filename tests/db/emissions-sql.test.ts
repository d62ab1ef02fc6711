import Decimal from 'decimal.js'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recomputeEmissions, type RecomputeSummary } from '#app/services/emissions.server.ts'
import { importFactorSet, publishFactorSet } from '#app/services/factor-sets.server.ts'
import { groupOf } from '#app/domain/emissions/recipes.ts'
import { readGroupKeys } from '#db/models/emission-recipes.ts'
import { readActivityBatch } from '#db/models/emissions.ts'
import { shownStatus } from '#db/models/result-status.ts'
import type { Database } from '#db/schema.ts'
import { costedRecordTypes } from '#db/tables/emissions.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'
import { addOutlet, addRecord, addVehicle, derivedSetFiles } from './emissions-support.ts'

// The recompute costs records in SQL with coefficients read off the engine
// (app/domain/emissions/recipes.ts). Two databases hold the same demo
// activity and the same awkward records; one is recomputed by the engine record
// by record, the other in SQL; every stored result must come out the same:
// figures, method, data quality, provenance (inputs, factor ids, fallbacks,
// omissions) and status, for a first computation and for a corrected set
// published over locked months.

// On PostgreSQL: the 24 months of demo activity as well (thousands of records of every type), and the
// SQL path on two connections, each with half of the outlets. On PGlite, which runs in the test's own
// thread, the awkward records alone, which hold every record type and branch.
const onPostgres = Boolean(process.env.DATABASE_URL)
const parallel = onPostgres ? 2 : 1
let engine: TestDatabase
let inSql: TestDatabase
const now = new Date('2026-11-22T08:00:00Z')

/** Records the demo data does not have: every fleet branch, fallbacks, a design life that does not divide evenly. */
async function addAwkwardRecords(db: Kysely<Database>): Promise<void> {
  const zhengzhou = await addOutlet(db, 'SQL-410105-T1', '410105')
  const hohhot = await addOutlet(db, 'SQL-150102-T1', '150102')
  const kunming = await addOutlet(db, 'SQL-530102-T1', '530102')
  const vehicles: [number, string, string, string][] = [
    [zhengzhou, 'PHEV-1', 'light_van', 'PHEV'],
    [zhengzhou, 'DIESEL-ZERO', 'light_van', 'diesel'],
    [zhengzhou, 'BEV-FUEL', 'light_van', 'BEV'],
    [hohhot, 'CNG-1', 'light_truck', 'CNG'],
    [hohhot, 'LNG-1', 'heavy_truck', 'LNG'],
    [kunming, 'DIESEL-DIST', 'light_van', 'diesel'],
    [kunming, 'TRIKE-DIESEL', 'electric_tricycle', 'diesel'],
    [kunming, 'GAS-1', 'light_van', 'gasoline'],
    [kunming, 'TRIKE-BEV', 'electric_tricycle', 'BEV'],
  ]
  const ids: Record<string, string> = {}
  for (const [outlet, plate, vehicleClass, energy] of vehicles) {
    ids[plate] = await addVehicle(db, outlet, { plate, vehicle_class: vehicleClass, energy })
  }
  const use = (outlet: number, plate: string, month: string, values: Record<string, string>) =>
    addRecord(db, 'vehicle_use', outlet, { vehicle_id: ids[plate]!, month, ...values })
  await use(zhengzhou, 'PHEV-1', '2022-03-01', { distance_km: '1200.5', fuel_litres: '61.25', electricity_kwh: '88.125' })
  await use(zhengzhou, 'PHEV-1', '2022-04-01', { distance_km: '900', fuel_litres: '0', electricity_kwh: '0' })
  await use(zhengzhou, 'DIESEL-ZERO', '2022-03-01', { distance_km: '300', fuel_litres: '0', electricity_kwh: '5.5' })
  await use(zhengzhou, 'DIESEL-ZERO', '2022-04-01', { distance_km: '300', fuel_litres: '33.3', electricity_kwh: '0' })
  await use(zhengzhou, 'BEV-FUEL', '2023-05-01', { distance_km: '1500', fuel_litres: '10', electricity_kwh: '210.75' })
  await use(hohhot, 'CNG-1', '2023-01-01', { distance_km: '2100', fuel_kg: '180.5' })
  await use(hohhot, 'LNG-1', '2023-01-01', { distance_km: '5100', fuel_kg: '730.25' })
  await use(kunming, 'DIESEL-DIST', '2019-07-01', { distance_km: '1834.75' })
  await use(kunming, 'TRIKE-DIESEL', '2022-07-01', { distance_km: '640' })
  await use(kunming, 'GAS-1', '2025-02-01', { distance_km: '990', fuel_litres: '77.777' })
  await use(kunming, 'TRIKE-BEV', '2024-02-01', { distance_km: '410', electricity_kwh: '0' })

  await addRecord(db, 'facility_electricity', hohhot, { month: '2019-01-01', electricity_kwh: '1234.567' })
  await addRecord(db, 'facility_electricity', kunming, { month: '2030-06-01', electricity_kwh: '0.001' })
  await addRecord(db, 'facility_electricity', zhengzhou, { month: '2022-04-01', electricity_kwh: '99999999999.999' })

  const { id: thirds } = await db
    .insertInto('packaging_items')
    .values({ code: 'sql_test_pp_box_thirds', name_zh: '测试', name_en: 'test', category: 'box', material: 'material:pp_recyclable_box', unit_mass_kg: '0.1', reusable: true, design_life_uses: 3, source: 'test' })
    .returning('id')
    .executeTakeFirstOrThrow()
  await addRecord(db, 'packaging_consumption', zhengzhou, { period_start: '2022-03-01', period_kind: 'month', item_id: thirds, item_count: 7 })
  await addRecord(db, 'shipment_stats', kunming, { stat_date: '2022-03-05', parcels: 100, e_waybill_parcels: 97, paper_waybill_parcels: 3 })
  await addRecord(db, 'shipment_stats', kunming, { stat_date: '2022-03-06', parcels: 100, e_waybill_parcels: 100, paper_waybill_parcels: 0, box_parcels: 60, narrow_tape_box_parcels: 55 })
  await addRecord(db, 'reusable_assets', kunming, { month: '2022-03-01', asset_type: 'transit_bag', in_circulation: 40, trips_completed: 120, returns: 110, losses: 1 })
  await addRecord(db, 'recovery_collections', hohhot, { collection_date: '2021-12-31', cartons_collected: 50, cartons_reused: 0 })
  await addRecord(db, 'recovery_collections', hohhot, { collection_date: '2024-05-02', cartons_collected: 80, cartons_reused: 61 })
  await addRecord(db, 'reusable_assets', kunming, { month: '2024-03-01', asset_type: 'box', in_circulation: 40, trips_completed: 95, returns: 90, losses: 0 })
  await addRecord(db, 'shipment_stats', zhengzhou, {
    stat_date: '2025-06-30', parcels: 2000, e_waybill_parcels: 1990, paper_waybill_parcels: 10, ecommerce_parcels: 1500,
    ecommerce_original_parcels: 400, box_parcels: 1200, narrow_tape_box_parcels: 1100,
  })
  for (const [code, count] of [['box_04', 812], ['pp_box_432', 37], ['mailer_pe_s', 1500], ['tape_bopp_45', 33]] as const) {
    const { id } = await db.selectFrom('packaging_items').select('id').where('code', '=', code).executeTakeFirstOrThrow()
    await addRecord(db, 'packaging_consumption', kunming, { period_start: '2024-03-01', period_kind: 'month', item_id: id, item_count: count })
  }
  await addRecord(db, 'facility_electricity', kunming, { month: '2022-04-01', electricity_kwh: '1000' })
}

interface StoredRow {
  key: string
  status: string
  /** The status a reader sees (db/models/result-status.ts). */
  shown: string
  month: string
  category: string
  figures: (string | null)[]
  method: string
  dataQuality: number
  provenance: unknown
}

async function storedResults(db: Kysely<Database>): Promise<Map<string, StoredRow>> {
  const { rows } = await sql<Record<string, unknown>>`
    select outlet_id, record_type, record_id::text, factor_set_version, status, ${shownStatus('e')} as shown, month::text as month, category,
      co2e_kg, avoided_co2e_kg, ttw_kg, wtt_kg, electricity_kg, method, data_quality, provenance
    from emission_results e`.execute(db)
  const exact = (v: unknown) => (v === null ? null : new Decimal(String(v)).toFixed())
  return new Map(
    rows.map((r) => {
      const key = `${String(r.record_type)}|${String(r.outlet_id)}|${String(r.record_id)}|${String(r.factor_set_version)}`
      return [
        key,
        {
          key,
          status: String(r.status),
          shown: String(r.shown),
          month: String(r.month),
          category: String(r.category),
          figures: [r.co2e_kg, r.avoided_co2e_kg, r.ttw_kg, r.wtt_kg, r.electricity_kg].map(exact),
          method: String(r.method),
          dataQuality: Number(r.data_quality),
          provenance: typeof r.provenance === 'string' ? JSON.parse(r.provenance) : r.provenance,
        },
      ]
    }),
  )
}

function comparable(s: RecomputeSummary) {
  return { examined: s.examined, changed: s.changed, superseded: s.superseded, restatements: s.restatements, failed: s.failed, failuresByKey: s.failuresByKey }
}

async function expectSameResults() {
  const a = await storedResults(engine.db)
  const b = await storedResults(inSql.db)
  expect(b.size).toBe(a.size)
  const differing = [...a.values()].filter((row) => JSON.stringify(b.get(row.key)) !== JSON.stringify(row))
  // toEqual on the first few shows what differs
  expect(differing.slice(0, 3).map((row) => [row, b.get(row.key)])).toEqual(differing.slice(0, 3).map((row) => [row, row]))
  for (const row of a.values()) expect(b.get(row.key)).toEqual(row)
  return a
}

beforeAll(async () => {
  engine = await createTestDatabase({ seed: true, activity: onPostgres })
  inSql = await createTestDatabase({ seed: true, activity: onPostgres })
  for (const t of [engine, inSql]) {
    await addAwkwardRecords(t.db)
    await sql`delete from emission_results`.execute(t.db)
  }
}, 300_000)
afterAll(async () => {
  await engine?.close()
  await inSql?.close()
})

describe('recompute in SQL against the engine', () => {
  it('groups records in memory (groupOf, for the import) exactly as SQL does', async () => {
    for (const recordType of costedRecordTypes) {
      const inSqlKeys = await readGroupKeys(inSql.db, recordType)
      const inputs = await readActivityBatch(inSql.db, recordType, {})
      expect(inputs.length).toBe(inSqlKeys.size)
      expect(inputs.length).toBeGreaterThan(0)
      for (const input of inputs) expect([recordType, groupOf(input).key]).toEqual([recordType, inSqlKeys.get(String(input.recordId))])
    }
  })

  it('a first computation stores the same results, with the same failures', async () => {
    const a = await recomputeEmissions(engine.db, { path: 'engine', skipRollups: true })
    const b = await recomputeEmissions(inSql.db, { path: 'sql', skipRollups: true, parallel })
    if (!a.ok || !b.ok) throw new Error('recompute failed')
    expect(comparable(b.summary)).toEqual(comparable(a.summary))
    // the electric tricycle with a diesel engine and no fuel has no default intensity: refused both ways
    expect(a.summary.failuresByKey).toEqual({ 'emissions.error.noDefaultIntensity': 1 })
    const rows = await expectSameResults()
    expect(rows.size).toBeGreaterThan(onPostgres ? 5000 : 25)
    // every record type, both figures and each fleet method were compared
    const methods = new Set([...rows.values()].map((r) => r.method))
    for (const m of ['electricity', 'fuel', 'fuel_and_electricity', 'distance_default', 'mass', 'mass_reusable', 'avoided_reference']) {
      expect(methods).toContain(m)
    }
    const types = new Set([...rows.keys()].map((k) => k.split('|')[0]))
    expect(types.size).toBe(6)
  }, 300_000)

  it('a recompute with nothing new writes nothing either way', async () => {
    const a = await recomputeEmissions(engine.db, { path: 'engine', skipRollups: true })
    const b = await recomputeEmissions(inSql.db, { path: 'sql', skipRollups: true, parallel })
    if (!a.ok || !b.ok) throw new Error('recompute failed')
    expect(b.summary.changed).toBe(0)
    expect(b.summary.written).toBe(0)
    expect(comparable(b.summary)).toEqual(comparable(a.summary))
    await expectSameResults()
  }, 300_000)

  it('a corrected set published over locked months: the same results and restatements, the old set\'s shown as superseded', async () => {
    for (const t of [engine, inSql]) {
      // lock every month of the first ten demo outlets (on PostgreSQL, where they have activity), and 2022 of the awkward ones
      await sql`
        insert into period_submissions (outlet_id, month)
        select o.id, m::date from (select id from outlets order by id limit 10) o
        cross join generate_series(date '2018-01-01', date '2027-12-01', interval '1 month') m
        union all
        select o.id, m::date from outlets o
        cross join generate_series(date '2022-01-01', date '2022-12-01', interval '1 month') m
        where o.code like 'SQL-%'`.execute(t.db)
      const files = await derivedSetFiles('2026.2', {
        status: 'draft',
        replace: [
          ['grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0.5400,'],
          ['grid.central.2023,electricity:grid,generation,0.5271,', 'grid.central.2023,electricity:grid,generation,0.5283,'],
        ],
      })
      const stored = await importFactorSet(t.db, files, { actor: null, as: 'draft', now })
      expect(stored).toMatchObject({ ok: true })
    }
    // the version switch both ways (decision 083): on PostgreSQL the SQL path writes on two connections
    const a = await publishFactorSet(engine.db, null, '2026.2', { now, skipRollups: true, path: 'engine' })
    const b = await publishFactorSet(inSql.db, null, '2026.2', { now, skipRollups: true, path: 'sql', parallel })
    if (!a.ok || !b.ok || !a.summary || !b.summary) throw new Error('publish failed')
    expect(comparable(b.summary)).toEqual(comparable(a.summary))
    expect(a.summary.restatements).toBeGreaterThan(0)
    // nothing is rewritten: the old set's results stop counting when the new set is in force
    expect([a.summary.superseded, b.summary.superseded]).toEqual([0, 0])
    const rows = await expectSameResults()
    expect([...new Set([...rows.values()].map((r) => r.status))].sort()).toEqual(['current', 'restatement'])
    expect([...new Set([...rows.values()].map((r) => r.shown))].sort()).toEqual(['current', 'restatement', 'superseded'])
    // an open month counts the new set, a locked one keeps the old set's result with the new one beside it
    const shownOf = (version: string, shown: string) => [...rows.values()].filter((r) => r.key.endsWith(`|${version}`) && r.shown === shown).length
    expect(shownOf('2026.1', 'superseded')).toBeGreaterThan(0)
    expect(shownOf('2026.1', 'current')).toBe(shownOf('2026.2', 'restatement'))
    expect(shownOf('2026.2', 'superseded')).toBe(0)
  }, 300_000)

  it('after the corrected set: nothing new writes nothing; changed records, open or locked, are rewritten the same both ways', async () => {
    // settled rows of every kind: current of the set in force, locked months counting an older set
    // with a restatement of this one beside them
    for (const expectWritten of [0, 3]) {
      const a = await recomputeEmissions(engine.db, { path: 'engine', skipRollups: true })
      const b = await recomputeEmissions(inSql.db, { path: 'sql', skipRollups: true, parallel })
      if (!a.ok || !b.ok) throw new Error('recompute failed')
      expect(comparable(b.summary)).toEqual(comparable(a.summary))
      expect([a.summary.written, b.summary.written, b.summary.changed]).toEqual([expectWritten, expectWritten, expectWritten])
      await expectSameResults()
      if (expectWritten > 0) break
      // three facility readings change behind the recompute's back: two in open months (2019, 2030),
      // one in locked 2022 (its restatement of 2026.2 is rewritten, the locked result stays)
      for (const t of [engine, inSql]) {
        await sql`update facility_electricity set electricity_kwh = electricity_kwh + 1
          where outlet_id in (select id from outlets where code like 'SQL-%') and electricity_kwh < 1000000`.execute(t.db)
      }
    }
    const rows = await expectSameResults()
    const restated = [...rows.values()].filter((r) => r.key.startsWith('facility_electricity|') && r.month === '2022-04-01' && r.status === 'restatement')
    expect(restated.map((r) => (r.provenance as { inputs: { electricityKwh: string } }).inputs.electricityKwh)).toContain('1001')
  }, 300_000)
})
