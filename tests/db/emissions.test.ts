import { mkdtemp, mkdir, cp, writeFile, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Decimal from 'decimal.js'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadFactorSet } from '#app/domain/factors/load.ts'
import { roundParts } from '#app/domain/emissions/rounding.ts'
import { costRecords, getFactorSet, getFactorSetInForce } from '#app/services/emissions.server.ts'
import { importFactorSet, isFrozenSetError, publishFactorSet, retireFactorSet } from '#app/services/factor-sets.server.ts'
import { findStoredFactorSet, listFactorRows, listGridRegionRows } from '#db/models/factor-sets.ts'
import { listResultsForRecords, pgArray } from '#db/models/emissions.ts'
import { seedEmissions } from '#seeds/load/emissions.ts'
import { readFactorSetFiles } from '../../scripts/lib/factor-files.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'
import { addOutlet, addRecord, addVehicle, derivedSetFiles, itemId } from './emissions-support.ts'

let t: TestDatabase
const now = new Date('2026-11-22T08:00:00Z')

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
})
afterAll(() => t?.close())

describe('factor sets in the database', () => {
  it('the seeded set 2026.1 is published and round-trips: stored files rebuild it with the same checksum', async () => {
    const onDisk = loadFactorSet(await readFactorSetFiles(path.resolve('factors/emission/2026.1')))
    if (!onDisk.ok) throw new Error('2026.1 does not load')
    const stored = await findStoredFactorSet(t.db, '2026.1')
    expect(stored?.status).toBe('published')
    expect(stored?.contentSha256).toBe('54067cc220775f5e2cdb84d62746f052a6929c15c899a95526b634d34cedfff3')
    const rebuilt = loadFactorSet(stored!.files)
    expect(rebuilt.ok && rebuilt.set.contentSha256).toBe(onDisk.set.contentSha256)

    const inForce = await getFactorSetInForce(t.db)
    expect(inForce.ok && inForce.set.version).toBe('2026.1')

    // rows for SQL: every factor with its value as written in the file, every province mapped
    const factors = await listFactorRows(t.db, '2026.1')
    expect(factors).toHaveLength(onDisk.set.factors.length)
    expect(factors.find((f) => f.id === 'grid.province.530000.2022')).toMatchObject({ value: '0.1073', unit: 'kgCO2/kWh', dataQuality: 1 })
    const grid = await listGridRegionRows(t.db, '2026.1')
    expect(grid.find((g) => g.code === '410000')?.grid).toBe('central')
    expect(grid.find((g) => g.code === '150400')?.grid).toBe('northeast')
  })

  it('a draft is stored and read back unchanged; importing the same content again writes nothing', async () => {
    const files = await derivedSetFiles('2099.1', { status: 'draft' })
    const first = await importFactorSet(t.db, files, { actor: null, as: 'draft', now })
    expect(first).toMatchObject({ ok: true, status: 'draft', unchanged: false })
    const stored = await findStoredFactorSet(t.db, '2099.1')
    expect(stored?.files.factorsCsv.text).toBe(files.factorsCsv.text)
    expect(stored?.contentSha256).toBe(first.ok ? first.contentSha256 : '')
    const again = await importFactorSet(t.db, files, { actor: null, as: 'draft', now })
    expect(again).toMatchObject({ ok: true, unchanged: true })
    await t.db.deleteFrom('factor_sets').where('version', '=', '2099.1').execute()
  })

  it('an invalid upload is refused with file, row and field, and nothing is stored', async () => {
    const files = await derivedSetFiles('2099.2', { status: 'draft' })
    files.factorsCsv.text = files.factorsCsv.text.replace('grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0.53x5,')
    const result = await importFactorSet(t.db, files, { actor: null, as: 'draft', now })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.map(String)).toEqual([
      'factors/emission/2099.2/factors.csv:8 [value]: factors/emission/2099.2/factors.csv, row 8: "value" is "0.53x5", which is not a number. Write digits only, e.g. 0.5366.',
    ])
    expect(await findStoredFactorSet(t.db, '2099.2')).toBeUndefined()
  })
})

describe('a published set is never edited', () => {
  it('the service refuses other content under a published version, and refuses to publish it twice', async () => {
    const files = await derivedSetFiles('2026.1', { status: 'published', contentSha256: null })
    files.factorsCsv.text = files.factorsCsv.text.replace('0.5395', '0.5396')
    const result = await importFactorSet(t.db, files, { actor: null, as: 'draft', now })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.errors[0]!.key).toBe('factorSets.error.versionFrozen')
    expect(await publishFactorSet(t.db, null, '2026.1', { now })).toEqual({
      ok: false,
      error: { key: 'factorSets.error.notDraft', params: { version: '2026.1', status: 'published' } },
    })
    const retire = await retireFactorSet(t.db, null, '2026.1', { now })
    expect(retire).toEqual({ ok: false, error: { key: 'factorSets.error.retireInForce', params: { version: '2026.1' } } })
  })

  it('the database refuses any change to a published set, its factors or its grid mapping', async () => {
    const attempts = [
      sql`update emission_factors set value = 0.6 where factor_set_version = '2026.1' and id = 'grid.central.2022'`,
      sql`delete from emission_factors where factor_set_version = '2026.1' and id = 'grid.central.2022'`,
      sql`insert into emission_factors (factor_set_version, id, quantity, boundary, value, unit, per, region, region_level,
            valid_from_year, release_year, ghg_scope, data_quality, source_document, verified, file_row)
          values ('2026.1', 'grid.extra', 'electricity:grid', 'generation', 0.5, 'kgCO2/kWh', 'kWh', 'CN', 'national', 2030, 2030, '2', 1, 'x', 'no', 99)`,
      sql`update factor_grid_regions set grid = 'north' where factor_set_version = '2026.1' and code = '410000'`,
      sql`update factor_sets set factors_csv = factors_csv || ' ' where version = '2026.1'`,
      sql`update factor_sets set content_sha256 = repeat('0', 64) where version = '2026.1'`,
      sql`update factor_sets set status = 'draft', published_at = null where version = '2026.1'`,
      sql`delete from factor_sets where version = '2026.1'`,
    ]
    for (const attempt of attempts) {
      const error = await attempt.execute(t.db).then(() => null, (e: unknown) => e)
      expect(isFrozenSetError(error), String(error)).toBe(true)
    }
    const value = await t.db.selectFrom('emission_factors').select('value').where('factor_set_version', '=', '2026.1').where('id', '=', 'grid.central.2022').executeTakeFirstOrThrow()
    expect(value.value).toBe('0.5395')
  })

  it('a draft may still be edited in the database, and a retired set cannot come back', async () => {
    const files = await derivedSetFiles('2099.3', { status: 'draft' })
    await importFactorSet(t.db, files, { actor: null, as: 'draft', now })
    await sql`update emission_factors set note = 'checked again' where factor_set_version = '2099.3' and id = 'grid.central.2022'`.execute(t.db)
    await sql`update factor_sets set status = 'published', published_at = now() where version = '2099.3'`.execute(t.db)
    await sql`update factor_sets set status = 'retired', retired_at = now() where version = '2099.3'`.execute(t.db)
    const back = await sql`update factor_sets set status = 'published', retired_at = null where version = '2099.3'`.execute(t.db).then(() => null, (e: unknown) => e)
    expect(isFrozenSetError(back)).toBe(true)
  })
})

describe('costing records with the published set', () => {
  let henan: number
  let yunnan: number

  beforeAll(async () => {
    henan = await addOutlet(t.db, 'EMIS-410105-T1', '410105')
    yunnan = await addOutlet(t.db, 'EMIS-530102-T1', '530102')
  })

  it('1000 kWh in Yunnan in 2022 is 107.3 kg at the provincial factor', async () => {
    const id = await addRecord(t.db, 'facility_electricity', yunnan, { month: '2022-05-01', electricity_kwh: '1000' })
    const result = await costRecords(t.db, 'facility_electricity', [id])
    // 1000 kWh × 0.1073 kgCO2/kWh (云南 2022) = 107.3 kg
    expect(result.results).toEqual([
      {
        recordId: id,
        ok: true,
        status: 'current',
        figures: expect.objectContaining({ co2eKg: '107.3', category: 'facility', method: 'electricity', month: '2022-05-01', factorSetVersion: '2026.1', dataQuality: 1 }),
      },
    ])
    expect(result.touched).toEqual([{ outletId: yunnan, month: '2022-05-01' }])
    const [stored] = await listResultsForRecords(t.db, 'facility_electricity', [id])
    expect(stored).toMatchObject({ co2eKg: '107.3', avoidedCo2eKg: '0', status: 'current', category: 'facility' })
    // stored provenance: the inputs and the factor; no fallback was needed, so none is listed
    expect(stored!.provenance).toEqual({ inputs: { electricityKwh: '1000', regionCode: '530102', year: 2022 }, factorIds: ['grid.province.530000.2022'] })
  })

  it('1000 kWh in Henan in 2022 falls back to the Central grid, 539.5 kg, and the fallback is stored', async () => {
    const id = await addRecord(t.db, 'facility_electricity', henan, { month: '2022-05-01', electricity_kwh: '1000' })
    await costRecords(t.db, 'facility_electricity', [id])
    const [stored] = await listResultsForRecords(t.db, 'facility_electricity', [id])
    // Henan has no provincial factor in 2026.1: 1000 × 0.5395 (华中 2022) = 539.5
    expect(stored?.co2eKg).toBe('539.5')
    expect(stored?.provenance).toEqual({
      inputs: { electricityKwh: '1000', regionCode: '410105', year: 2022 },
      factorIds: ['grid.central.2022'],
      fallbacks: [{ factorId: 'grid.central.2022', kinds: ['region'], level: 'grid', year: 2022 }],
    })
  })

  it('a diesel van with litres gets tank-to-wheel and well-to-tank apart', async () => {
    const vehicle = await addVehicle(t.db, henan, { plate: '豫A00001', vehicle_class: 'light_van', energy: 'diesel' })
    const id = await addRecord(t.db, 'vehicle_use', henan, { vehicle_id: vehicle, month: '2022-05-01', distance_km: '1500', fuel_litres: '100' })
    const { results } = await costRecords(t.db, 'vehicle_use', [id])
    // TTW 100 L × 2.676492 = 267.6492; WTT 100 L × 0.611 = 61.1; total 328.7492 kg
    expect(results[0]).toMatchObject({ ok: true, figures: { co2eKg: '328.7492', ttwKg: '267.6492', wttKg: '61.1', electricityKg: null, method: 'fuel', category: 'fleet', dataQuality: 3 } })
    const [stored] = await listResultsForRecords(t.db, 'vehicle_use', [id])
    expect(stored).toMatchObject({ ttwKg: '267.6492', wttKg: '61.1', co2eKg: '328.7492' })
    expect(stored!.provenance).toMatchObject({ factorIds: ['fuel.diesel.ttw.l', 'fuel.diesel.wtt.l'] })
  })

  it('a BEV van uses its kWh at the outlet province; with distance only it takes the default and says so', async () => {
    const bev = await addVehicle(t.db, yunnan, { plate: '云A00001', vehicle_class: 'light_van', energy: 'BEV' })
    const withKwh = await addRecord(t.db, 'vehicle_use', yunnan, { vehicle_id: bev, month: '2022-06-01', distance_km: '2000', electricity_kwh: '400', fuel_litres: '0' })
    const diesel = await addVehicle(t.db, yunnan, { plate: '云A00002', vehicle_class: 'light_van', energy: 'diesel' })
    const distanceOnly = await addRecord(t.db, 'vehicle_use', yunnan, { vehicle_id: diesel, month: '2022-06-01', distance_km: '1000' })
    const { results } = await costRecords(t.db, 'vehicle_use', [withKwh, distanceOnly])
    // 400 kWh × 0.1073 = 42.92; the zero in the fuel column of a BEV is not fuel
    expect(results[0]).toMatchObject({ ok: true, figures: { co2eKg: '42.92', method: 'electricity', ttwKg: null } })
    // 1000 km × 0.25023 kgCO2e/vkm (van, diesel, default) = 250.23, tier 3
    expect(results[1]).toMatchObject({ ok: true, figures: { co2eKg: '250.23', method: 'distance_default', dataQuality: 3 } })
  })

  it('a record the engine cannot cost comes back with a message key and nothing is stored', async () => {
    const trike = await addVehicle(t.db, henan, { plate: '豫A00002', vehicle_class: 'electric_tricycle', energy: 'BEV' })
    const id = await addRecord(t.db, 'vehicle_use', henan, { vehicle_id: trike, month: '2022-05-01', distance_km: '800' })
    const { results } = await costRecords(t.db, 'vehicle_use', [id, '999999999'])
    expect(results).toEqual([
      { recordId: id, ok: false, error: { key: 'emissions.error.noDefaultIntensity', params: { vehicleClass: 'electric_tricycle', energy: 'bev' } } },
      { recordId: '999999999', ok: false, error: { key: 'emissions.error.recordNotFound', params: { recordType: 'vehicle_use', recordId: '999999999' } } },
    ])
    expect(await listResultsForRecords(t.db, 'vehicle_use', [id])).toEqual([])
  })

  it('packaging: items × unit mass × material factor; a reusable box spread over its design life', async () => {
    const boxes = await addRecord(t.db, 'packaging_consumption', henan, { period_start: '2022-05-01', period_kind: 'month', item_id: await itemId(t.db, 'box_04'), item_count: 10 })
    const reusable = await addRecord(t.db, 'packaging_consumption', henan, { period_start: '2022-05-01', period_kind: 'month', item_id: await itemId(t.db, 'pp_box_432'), item_count: 50 })
    const { results } = await costRecords(t.db, 'packaging_consumption', [boxes, reusable])
    // 10 × 0.215 kg × 1.200 = 2.58
    expect(results[0]).toMatchObject({ ok: true, figures: { co2eKg: '2.58', method: 'mass', category: 'packaging' } })
    // 50 uses × 0.650 kg × 2.578 ÷ 50 uses = 1.6757
    expect(results[1]).toMatchObject({ ok: true, figures: { co2eKg: '1.6757', method: 'mass_reusable' } })
  })

  it('avoided emissions are stored apart from emissions', async () => {
    const ship = await addRecord(t.db, 'shipment_stats', henan, {
      stat_date: '2022-05-03', parcels: 1000, e_waybill_parcels: 1000, paper_waybill_parcels: 0,
      ecommerce_parcels: 600, ecommerce_original_parcels: 300, box_parcels: 500, narrow_tape_box_parcels: 400,
    })
    const coll = await addRecord(t.db, 'recovery_collections', henan, { collection_date: '2022-05-03', cartons_collected: 250, cartons_reused: 200 })
    const trips = await addRecord(t.db, 'reusable_assets', henan, { month: '2022-05-01', asset_type: 'box', in_circulation: 40, trips_completed: 120, returns: 118, losses: 2 })
    const bags = await addRecord(t.db, 'reusable_assets', henan, { month: '2022-05-01', asset_type: 'transit_bag', in_circulation: 40, trips_completed: 300, returns: 300, losses: 0 })
    const s = await costRecords(t.db, 'shipment_stats', [ship])
    // 1000 × 0.004842 + 400 × 0.00174015 + 300 × 0.3717606 = 4.842 + 0.69606 + 111.52818 = 117.06624
    expect(s.results[0]).toMatchObject({ ok: true, figures: { co2eKg: '0', avoidedCo2eKg: '117.06624', category: 'avoided' } })
    const c = await costRecords(t.db, 'recovery_collections', [coll])
    // 200 × 0.037 = 7.4
    expect(c.results[0]).toMatchObject({ ok: true, figures: { avoidedCo2eKg: '7.4' } })
    const r = await costRecords(t.db, 'reusable_assets', [trips, bags])
    // 120 trips × 0.3648 = 43.776; transit-bag trips have no reference yet: 0, with the omission stored
    expect(r.results[0]).toMatchObject({ ok: true, figures: { avoidedCo2eKg: '43.776' } })
    expect(r.results[1]).toMatchObject({ ok: true, figures: { avoidedCo2eKg: '0' } })
    const [bagResult] = await listResultsForRecords(t.db, 'reusable_assets', [bags])
    expect(bagResult!.provenance).toMatchObject({ omissions: [{ part: 'avoided', quantity: 'avoided:transit_bag_trip' }] })
  })

  it('costing the same record again replaces its current result in an open month', async () => {
    const id = await addRecord(t.db, 'facility_electricity', henan, { month: '2022-07-01', electricity_kwh: '1000' })
    await costRecords(t.db, 'facility_electricity', [id])
    await t.db.updateTable('facility_electricity').set({ electricity_kwh: '2000' }).where('id', '=', id).execute()
    const again = await costRecords(t.db, 'facility_electricity', [id])
    expect(again.results[0]).toMatchObject({ ok: true, status: 'current', figures: { co2eKg: '1079' } })
    const stored = await listResultsForRecords(t.db, 'facility_electricity', [id])
    expect(stored.map((r) => [r.factorSetVersion, r.status, r.co2eKg])).toEqual([['2026.1', 'current', '1079']])
  })

  it('report rounding: the parts shown add up to the total shown', async () => {
    // The outlet's May 2022 emissions by category, as a report sums them from current results:
    // facility 539.5; fleet 328.7492; packaging 2.58 + 1.6757 = 4.2557 → exact total 872.5049
    const rows = await t.db
      .selectFrom('emission_results')
      .select(['category', sql<string>`sum(co2e_kg)`.as('co2eKg')])
      .where('outlet_id', '=', henan)
      .where('month', '=', '2022-05-01')
      .where('status', '=', 'current')
      .where('category', '<>', 'avoided')
      .groupBy('category')
      .orderBy('category')
      .execute()
    expect(rows).toEqual([
      { category: 'facility', co2eKg: '539.5' },
      { category: 'fleet', co2eKg: '328.7492' },
      { category: 'packaging', co2eKg: '4.2557' },
    ])
    // In tonnes to one decimal: 0.5395 + 0.3287492 + 0.0042557 = 0.8725049 t → 0.9 t.
    // Rounded down to tenths the parts give 0.5 + 0.3 + 0.0 = 0.8; the one missing
    // step goes to the largest remainder (in tenths: facility .395, fleet .287, packaging .043).
    const tonnes = rows.map((r) => new Decimal(r.co2eKg).dividedBy(1000))
    const shown = roundParts(tonnes, 1)
    expect(shown.total.toFixed(1)).toBe('0.9')
    expect(shown.parts.map((p) => p.toFixed(1))).toEqual(['0.6', '0.3', '0.0'])
    expect(shown.parts.reduce((a, b) => a.plus(b), new Decimal(0)).toFixed(1)).toBe(shown.total.toFixed(1))
  })
})

describe('batches travel as array literals', () => {
  it('every text survives the trip: commas, quotes, backslashes, braces, spaces, the word NULL, empty and null', async () => {
    const values = ['a,b', 'NULL', 'null', 'x"y', 'back\\slash', '', '{}', ' spaced ', '2022-05-01', '0.5395', null, '{"inputs":{"a":"1"}}']
    const { rows } = await sql<{ v: string | null }>`select unnest(${pgArray(values)}::text[]) as v`.execute(t.db)
    expect(rows.map((r) => r.v)).toEqual(values)
  })
})

describe('seeding factor sets from disk', () => {
  it('a broken factors.csv stops the seed with the loader message naming file, row and field', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'gp-emis-seed-'))
    await mkdir(path.join(root, 'seeds'))
    await cp(path.resolve('seeds/packaging-items.csv'), path.join(root, 'seeds/packaging-items.csv'))
    const dir = path.join(root, 'factors/emission/2026.1')
    await cp(path.resolve('factors/emission/2026.1'), dir, { recursive: true })
    const csv = await readFile(path.join(dir, 'factors.csv'), 'utf8')
    await writeFile(path.join(dir, 'factors.csv'), csv.replace('grid.central.2022,electricity:grid,generation,0.5395,kgCO2/kWh', 'grid.central.2022,electricity:grid,generation,0.5395,kgCO2/MWh'))
    const error = await t.db.transaction().execute((trx) => seedEmissions(trx, path.join(root, 'seeds'))).then(() => null, (e: Error) => e)
    expect(error?.message).toContain('factors/emission/2026.1/factors.csv:8 [unit]')
    // the transaction rolled back: the published set is still there
    expect((await findStoredFactorSet(t.db, '2026.1'))?.status).toBe('published')
  })

  it('an empty database gets the shipped sets from the files, published and in force', async () => {
    const empty = await createTestDatabase()
    try {
      const files = await readFactorSetFiles(path.resolve('factors/emission/2026.1'))
      const result = await importFactorSet(empty.db, files, { actor: null, as: 'file', now })
      expect(result).toMatchObject({ ok: true, status: 'published', unchanged: false })
      const set = await getFactorSet(empty.db, '2026.1')
      expect(set.ok && set.status).toBe('published')
      expect(set.ok && set.set.contentSha256).toBe('54067cc220775f5e2cdb84d62746f052a6929c15c899a95526b634d34cedfff3')
    } finally {
      await empty.close()
    }
  })
})
