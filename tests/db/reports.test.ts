import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { parsePeriod, type Period } from '#app/domain/periods/period.ts'
import { buildBrandComparison, buildReport, type MetricRow, type Report } from '#app/services/reports.server.ts'
import { monthlySums } from '#db/models/reports.ts'
import { rebuildRollups, refreshOutletMonths, refreshOutletsFrom } from '#db/models/rollups.ts'
import { insertTargets, insertTargetSet } from '#db/models/target-sets.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'
import { insertShipmentDay, ownerColumns, type ShipmentDay } from '../support/report-fixtures.ts'
import { ensureResultPartition } from '#db/models/result-partitions.ts'

/**
 * A handful of raw rows, rolled up, reported, and every figure compared with
 * arithmetic done by hand in the comments. Outlet A = SF-410105-01 (Jinshui,
 * Zhengzhou), B = ZTO-410105-01, C = YTO-410105-01 (reports nothing).
 */

let t: TestDatabase
let ids: Record<string, number>
let brands: Record<string, number>
let hasEmissionResults = false
const now = new Date('2026-11-22T08:00:00Z')

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  ids = Object.fromEntries((await t.db.selectFrom('outlets').select(['id', 'code']).execute()).map((r) => [r.code, r.id]))
  brands = Object.fromEntries((await t.db.selectFrom('brands').select(['id', 'code']).execute()).map((r) => [r.code, r.id]))
  const { rows } = await sql<{ e: boolean }>`select to_regclass('emission_results') is not null as e`.execute(t.db)
  hasEmissionResults = rows[0]!.e
  await loadFixture()
})
afterAll(() => t?.close())

const viewerFor = (username: string): Promise<Viewer> => viewerOf(t.db, username)

function period(text: string): Period {
  const parsed = parsePeriod(text)
  if (!parsed.ok) throw new Error(text)
  return parsed.period
}

async function report(username: string, scope: Parameters<typeof buildReport>[2], p: string): Promise<Report> {
  const result = await buildReport(t.db, await viewerFor(username), scope, period(p), { now })
  if (!result.ok) throw new Error(`refused ${result.status}`)
  return result.report
}

function metric(r: Report, code: string): MetricRow {
  return r.metrics.find((m) => m.code === code)!
}

const shipment = (code: string, date: string, f: ShipmentDay) => insertShipmentDay(t.db, code, date, f)

async function item(code: string, f: { category: 'box' | 'bag' | 'tape' | 'transit_bag'; material: string; mass: string; plastic?: boolean; degradable?: boolean; standard?: boolean; life?: number }) {
  const row = await t.db
    .insertInto('packaging_items')
    .values({
      code,
      name_zh: code,
      name_en: code,
      category: f.category,
      material: f.material,
      unit_mass_kg: f.mass,
      meets_gb_t_16606: f.standard ?? true,
      meets_gb_43352: true,
      plastic: f.plastic ?? false,
      degradable: f.degradable ?? false,
      reusable: f.life !== undefined,
      design_life_uses: f.life ?? null,
      source: 'test',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

async function loadFixture() {
  // --- Outlet A, 2025-03 -------------------------------------------------
  await shipment('SF-410105-01', '2025-03-01', { parcels: 100, e: 96, ecom: 80, orig: 60, rec: 5, box: 50, narrow: 45, bags: 10, rbags: 8 })
  await shipment('SF-410105-01', '2025-03-02', { parcels: 50, e: 49, ecom: 40, orig: 36, rec: 1, box: 20, narrow: 20, bags: 5, rbags: 5 })
  // Earlier months of A, one day each, for the trend: e-waybill 90, 92, 93, 94, 95 of 100; narrow tape 46 of 50 boxes.
  const earlier = ['2024-10', '2024-11', '2024-12', '2025-01', '2025-02']
  const eWaybill = [90, 92, 93, 94, 95]
  for (const [i, month] of earlier.entries()) {
    await shipment('SF-410105-01', `${month}-15`, { parcels: 100, e: eWaybill[i]!, ecom: 80, orig: 64, box: 50, narrow: 46, bags: 10, rbags: 9 })
  }
  // B reports one day; C nothing.
  await shipment('ZTO-410105-01', '2025-03-05', { parcels: 200, e: 180, ecom: 100, orig: 50, rec: 0, box: 100, narrow: 80, bags: 20, rbags: 10 })

  const box = await item('test-box', { category: 'box', material: 'material:corrugated_virgin', mass: '0.2' })
  const pe = await item('test-bag-pe', { category: 'bag', material: 'material:pe_film', mass: '0.01', plastic: true })
  const pla = await item('test-bag-pla', { category: 'bag', material: 'material:pla', mass: '0.02', plastic: true, degradable: true })
  const tape = await item('test-tape', { category: 'tape', material: 'material:pp_tape', mass: '0.25', plastic: true })
  const woven = await item('test-woven', { category: 'transit_bag', material: 'material:pp_woven', mass: '0.1', plastic: true, standard: false })
  const reusable = await item('test-reusable', { category: 'box', material: 'material:pp_recyclable_box', mass: '0.65', plastic: true, life: 50 })
  const a = await ownerColumns(t.db, 'SF-410105-01')
  const uses: [number, number][] = [[box, 30], [pe, 40], [pla, 10], [tape, 2], [woven, 2], [reusable, 100]]
  for (const [itemId, count] of uses) {
    await t.db.insertInto('packaging_consumption').values({ ...a, period_start: '2025-03-01', period_kind: 'month', item_id: itemId, item_count: count }).execute()
  }
  // A superseded row must not count.
  await t.db
    .insertInto('packaging_consumption')
    .values({ ...a, period_start: '2025-03-01', period_kind: 'month', item_id: box, item_count: 999, superseded_at: new Date('2025-04-01T00:00:00Z') })
    .execute()

  // Bins: A labels its bin in March; B's labelled bin is out of service.
  await t.db.insertInto('recovery_bins').values({ ...a, as_of_date: '2025-01-15', installed_bins: 2, labelled_bins: 0, in_service_bins: 2 }).execute()
  await t.db.insertInto('recovery_bins').values({ ...a, as_of_date: '2025-03-10', installed_bins: 2, labelled_bins: 1, in_service_bins: 2 }).execute()
  const b = await ownerColumns(t.db, 'ZTO-410105-01')
  await t.db.insertInto('recovery_bins').values({ ...b, as_of_date: '2025-02-01', installed_bins: 1, labelled_bins: 1, in_service_bins: 0 }).execute()
  await t.db.insertInto('recovery_collections').values({ ...a, collection_date: '2025-03-31', cartons_collected: 30, cartons_reused: 20 }).execute()

  // Fleet of A: a tricycle (BEV) all along, a diesel van retired on 15 March, its BEV replacement from 16 March.
  const vehicle = async (plate: string, cls: 'electric_tricycle' | 'light_van', energy: 'BEV' | 'diesel', from: string, to: string | null, acquisition: 'existing' | 'replacement') =>
    (await t.db
      .insertInto('vehicles')
      .values({ ...a, plate, vehicle_class: cls, energy, emission_standard: energy === 'BEV' ? 'none' : 'guo6', in_service_from: from, in_service_to: to, acquisition })
      .returning('id')
      .executeTakeFirstOrThrow()).id
  const v1 = await vehicle('豫A00001', 'electric_tricycle', 'BEV', '2024-01-01', null, 'existing')
  const v2 = await vehicle('豫A00002', 'light_van', 'diesel', '2023-05-01', '2025-03-15', 'existing')
  const v3 = await vehicle('豫A00003', 'light_van', 'BEV', '2025-03-16', null, 'replacement')
  const use = (vehicleId: string, km: string, f: { kwh?: string; litres?: string }) =>
    t.db.insertInto('vehicle_use').values({ ...a, vehicle_id: vehicleId, month: '2025-03-01', distance_km: km, electricity_kwh: f.kwh ?? null, fuel_litres: f.litres ?? null }).execute()
  await use(v1, '1000', { kwh: '50' })
  await use(v2, '600', { litres: '60' })
  await use(v3, '400', { kwh: '80' })
  await t.db.insertInto('facility_electricity').values({ ...a, month: '2025-03-01', electricity_kwh: '1000' }).execute()

  // Guancheng (410104): SF, ZTO and J&T outlets, and ZTO's sorting centre. Hebi: one EMS outlet.
  await shipment('SF-410104-01', '2025-03-03', { parcels: 300, e: 297 })
  await shipment('EMS-410611-01', '2025-03-03', { parcels: 500, e: 400 })

  // Emission results: counted only when current.
  if (hasEmissionResults) {
    for (const version of ['2026.1', '2027.1']) await ensureResultPartition(t.db, version)
    const result = (recordId: number, category: string, co2e: string, avoided: string, status: string, version = '2026.1') =>
      sql`insert into emission_results (outlet_id, record_type, record_id, factor_set_version, month, category, co2e_kg, avoided_co2e_kg, method, data_quality, provenance, status)
          values (${a.outlet_id}, 'facility_electricity', ${recordId}, ${version}, '2025-03-01', ${category}, ${co2e}, ${avoided}, 'test', 1, '{}'::jsonb, ${status})`.execute(t.db)
    await result(1, 'packaging', '10', '0', 'current')
    await result(2, 'fleet', '5', '0', 'current')
    await result(3, 'facility', '2', '0', 'current')
    await result(4, 'avoided', '0', '3', 'current')
    await result(5, 'packaging', '100', '100', 'superseded')
    await result(1, 'packaging', '11', '0', 'restatement', '2027.1')
  }
  // A consumer credited 500 g avoided at A in March.
  const consumer = await t.db.selectFrom('consumers').select('id').orderBy('id').executeTakeFirst()
  const ruleSet = await t.db.selectFrom('credit_rule_sets').select('version').orderBy('version').executeTakeFirst()
  if (consumer && ruleSet) {
    await sql`insert into credit_actions (consumer_id, action, waybill_no, quantity, occurred_at, occurred_on, outlet_id, avoided_co2e_g, factor_ids, factor_set_version, rule_set_version, uncapped_points)
      values (${consumer.id}, 'carton_returned', 'TESTWAYBILL0001', 1, '2025-03-20T02:00:00Z', '2025-03-20', ${a.outlet_id}, 500, '[]'::jsonb, '2026.1', ${ruleSet.version}, 500)`.execute(t.db)
  }

  // Targets for Jinshui (410105) that reach into 2025, to see every status.
  await insertTargetSet(
    t.db,
    {
      id: 'test-jinshui-2025',
      nameZh: '测试目标',
      nameEn: 'Test targets',
      sourceTitle: 'test',
      sourceIssuer: 'test',
      sourceNumber: null,
      sourceDate: '2025',
      sourceUrl: null,
      sourceVerification: 'test fixture',
      regionCode: '410105',
      brandCode: null,
    },
    'admin',
  )
  await insertTargets(t.db, 'test-jinshui-2025', [
    { metric: 'e_waybill_rate', comparison: '>=', value: '0.99', deadline: '2025-12-31', kind: 'rate', note: null },
    { metric: 'narrow_tape_rate', comparison: '>=', value: '0.99', deadline: '2025-12-31', kind: 'rate', note: null },
    { metric: 'degradable_bag_share', comparison: '>=', value: '0.2', deadline: '2025-12-31', kind: 'rate', note: null },
    { metric: 'recyclable_transit_bag_rate', comparison: '>=', value: '0.95', deadline: '2025-02-28', kind: 'rate', note: null },
    { metric: 'cartons_reused', comparison: '>=', value: '1000', deadline: '2025-12-31', kind: 'national_count', note: null },
  ])

  const keys = ['2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03'].flatMap((month) =>
    ['SF-410105-01', 'ZTO-410105-01', 'SF-410104-01', 'EMS-410611-01'].map((code) => ({ outletId: ids[code]!, month })),
  )
  await refreshOutletMonths(t.db, keys)
}

describe('rollups', () => {
  it('sum the current rows of an outlet-month (hand-computed)', async () => {
    const row = await t.db
      .selectFrom('outlet_month_rollups')
      .selectAll()
      .where('outlet_id', '=', ids['SF-410105-01']!)
      .where('month', '=', '2025-03-01')
      .executeTakeFirstOrThrow()
    // parcels 100 + 50; e-waybill 96 + 49; e-commerce 80 + 40, original 60 + 36; boxes 50 + 20, narrow 45 + 20
    expect(Number(row.parcels)).toBe(150)
    expect(Number(row.e_waybill_parcels)).toBe(145)
    expect(Number(row.ecommerce_parcels)).toBe(120)
    expect(Number(row.ecommerce_original_parcels)).toBe(96)
    expect(Number(row.box_parcels)).toBe(70)
    expect(Number(row.narrow_tape_box_parcels)).toBe(65)
    expect(Number(row.transit_bags)).toBe(15)
    expect(Number(row.recyclable_transit_bags)).toBe(13)
    // mass: box 30 × 0.2 = 6; PE 40 × 0.01 = 0.4; PLA 10 × 0.02 = 0.2; tape 2 × 0.25 = 0.5; woven 2 × 0.1 = 0.2;
    // reusable 100 uses × 0.65 ÷ 50 = 1.3 → 8.6 kg (the superseded 999 boxes left out); standard: all but woven → 8.4
    expect(Number(row.packaging_mass_kg)).toBeCloseTo(8.6, 10)
    expect(Number(row.standard_packaging_mass_kg)).toBeCloseTo(8.4, 10)
    // plastic bags 40 + 10, degradable 10; non-degradable plastic items: PE bags 40 + tape 2 + woven 2 = 44
    expect(Number(row.plastic_bags)).toBe(50)
    expect(Number(row.degradable_plastic_bags)).toBe(10)
    expect(Number(row.non_degradable_plastic_items)).toBe(44)
    expect(Number(row.cartons_reused)).toBe(20)
    // vehicle-months in March: tricycle, van (to 15 March), replacement (from 16 March) = 3; NEV 2; acquired 1, NEV 1
    expect([row.vehicles_in_service, row.nev_in_service, row.vehicles_acquired, row.nev_acquired].map(Number)).toEqual([3, 2, 1, 1])
    // distance 1000 + 600 + 400 = 2000, NEV 1000 + 400 = 1400
    expect(Number(row.distance_km)).toBe(2000)
    expect(Number(row.nev_distance_km)).toBe(1400)
    expect([row.outlets, row.reporting_outlets, row.outlets_with_bin].map(Number)).toEqual([1, 1, 1])
  })

  it('count every open outlet of the month for coverage, reported or not', async () => {
    const rows = await t.db
      .selectFrom('outlet_month_rollups')
      .select(['outlet_id', 'outlets', 'reporting_outlets', 'outlets_with_bin'])
      .where('region_code', '=', '410105')
      .where('month', '=', '2025-03-01')
      .execute()
    // Jinshui has 8 outlets, all open in March 2025; A and B reported; only A has a labelled bin in service.
    expect(rows).toHaveLength(8)
    expect(rows.reduce((n, r) => n + Number(r.outlets), 0)).toBe(8)
    expect(rows.reduce((n, r) => n + Number(r.reporting_outlets), 0)).toBe(2)
    expect(rows.reduce((n, r) => n + Number(r.outlets_with_bin), 0)).toBe(1)
  })

  it('subtract consumer-credited avoided CO2e from the outlet’s own, and keep only current emission results', async () => {
    const row = await t.db
      .selectFrom('outlet_month_rollups')
      .selectAll()
      .where('outlet_id', '=', ids['SF-410105-01']!)
      .where('month', '=', '2025-03-01')
      .executeTakeFirstOrThrow()
    expect(Number(row.consumer_avoided_co2e_kg)).toBeCloseTo(0.5, 10) // 500 g
    if (!hasEmissionResults) return
    // current: packaging 10 + fleet 5 + facility 2 = 17 kg; avoided 3 kg gross; superseded and restated rows ignored
    expect(Number(row.co2e_kg)).toBe(17)
    expect([row.packaging_co2e_kg, row.fleet_co2e_kg, row.facility_co2e_kg].map(Number)).toEqual([10, 5, 2])
    expect(Number(row.gross_avoided_co2e_kg)).toBe(3)
    // own claim: 3 − 0.5 = 2.5 kg
    expect(Number(row.avoided_co2e_kg)).toBeCloseTo(2.5, 10)
    expect(row.factor_set_versions).toEqual(['2026.1'])
  })

  it('follow a restatement: the superseded row drops out, the new one counts', async () => {
    const a = await ownerColumns(t.db, 'SF-410105-01')
    const old = await t.db
      .selectFrom('shipment_stats')
      .select('id')
      .where('outlet_id', '=', a.outlet_id)
      .where('stat_date', '=', '2025-03-02')
      .executeTakeFirstOrThrow()
    await t.db.transaction().execute(async (trx) => {
      await trx.updateTable('shipment_stats').set({ superseded_at: new Date() }).where('outlet_id', '=', a.outlet_id).where('id', '=', old.id).execute()
      await trx
        .insertInto('shipment_stats')
        .values({ ...a, stat_date: '2025-03-02', parcels: 60, e_waybill_parcels: 59, paper_waybill_parcels: 1, ecommerce_parcels: 40, ecommerce_original_parcels: 36, recyclable_packaging_parcels: 1, box_parcels: 20, narrow_tape_box_parcels: 20, transit_bags: 5, recyclable_transit_bags: 5 })
        .execute()
      await refreshOutletMonths(trx, [{ outletId: a.outlet_id, month: '2025-03-02' }])
    })
    const sums = await monthlySums(t.db, await viewerFor('admin'), { scope: { kind: 'outlet', outletId: a.outlet_id } }, { from: '2025-03', to: '2025-03' })
    // 100 + 60 parcels, 96 + 59 e-waybills
    expect(sums[0]!.sums.parcels).toBe('160')
    expect(sums[0]!.sums.e_waybill_parcels).toBe('155')
    // put the fixture back for the tests below
    await t.db.transaction().execute(async (trx) => {
      await sql`delete from shipment_stats where outlet_id = ${a.outlet_id} and stat_date = '2025-03-02' and superseded_at is null`.execute(trx)
      await trx.updateTable('shipment_stats').set({ superseded_at: null }).where('outlet_id', '=', a.outlet_id).where('id', '=', old.id).execute()
      await refreshOutletMonths(trx, [{ outletId: a.outlet_id, month: '2025-03' }])
    })
  })

  it('a vehicle entering service later reaches the months it served', async () => {
    const a = await ownerColumns(t.db, 'SF-410105-01')
    const feb = async () =>
      (
        await sql<{ v: number; acquired: number }>`
          select vehicles_in_service as v, vehicles_acquired as acquired from outlet_month_rollups
          where outlet_id = ${a.outlet_id} and month = '2025-02-01'`.execute(t.db)
      ).rows[0]!
    const before = await feb()
    await t.db.transaction().execute(async (trx) => {
      await trx.insertInto('vehicles').values({ ...a, plate: '豫A00009', vehicle_class: 'electric_tricycle', energy: 'BEV', emission_standard: 'none', in_service_from: '2025-02-10', in_service_to: '2025-02-20', acquisition: 'new' }).execute()
      await refreshOutletsFrom(trx, [{ outletId: a.outlet_id, fromMonth: '2025-02' }])
    })
    const after = await feb()
    // two vehicles in service in February before (tricycle, diesel van), three now; one bought
    expect(Number(before.v)).toBe(2)
    expect(Number(after.v)).toBe(3)
    expect(Number(after.acquired)).toBe(1)
    await sql`delete from vehicles where plate = '豫A00009'`.execute(t.db)
    await refreshOutletsFrom(t.db, [{ outletId: a.outlet_id, fromMonth: '2025-02' }])
    expect(Number((await feb()).v)).toBe(2)
  })

  it('a full rebuild gives the same rows as the incremental refreshes', async () => {
    const snapshot = async () =>
      (
        await sql<Record<string, unknown>>`select * from outlet_month_rollups where month between '2024-10-01' and '2025-03-01' order by outlet_id, month`.execute(t.db)
      ).rows.map(({ refreshed_at: _ignored, ...rest }) => JSON.stringify(rest))
    const incremental = await snapshot()
    await rebuildRollups(t.db)
    const rebuilt = await snapshot()
    expect(rebuilt).toEqual(incremental)
    // and so does a bulk refresh (one hashed pass, as for a large import) of every outlet-month
    const keys = (await sql<{ o: number; m: string }>`select outlet_id as o, month::text as m from outlet_month_rollups`.execute(t.db)).rows
    await t.db.transaction().execute((trx) => refreshOutletMonths(trx, keys.map((k) => ({ outletId: k.o, month: k.m })), { bulk: true }))
    expect(await snapshot()).toEqual(incremental)
  })
})

describe('metrics of a report, by hand', () => {
  it('outlet A, March 2025', async () => {
    const r = await report('admin', { kind: 'outlet', outletId: ids['SF-410105-01']! }, '2025-03')
    const v = (code: string) => metric(r, code)
    // 145 / 150
    expect(v('e_waybill_rate')).toMatchObject({ numerator: '145', denominator: '150' })
    expect(v('e_waybill_rate').value!.startsWith('0.96666')).toBe(true)
    // 65 / 70 = 0.928571…
    expect(v('narrow_tape_rate').value!.startsWith('0.92857')).toBe(true)
    // 96 / 120 = 0.8
    expect(v('no_repack_rate').value).toBe('0.8')
    // 13 / 15 = 0.8666…
    expect(v('recyclable_transit_bag_rate').value!.startsWith('0.86666')).toBe(true)
    // 1 outlet with a bin / 1 outlet
    expect(v('recovery_bin_coverage').value).toBe('1')
    // 8.4 / 8.6 = 0.976744…
    expect(v('standard_packaging_rate').value!.startsWith('0.97674')).toBe(true)
    // 5 + 1 parcels in recyclable packaging
    expect(v('recyclable_packaging_parcels').value).toBe('6')
    // no same-city parcels recorded: no value, not 0%
    expect(v('same_city_recyclable_packaging_rate').value).toBeNull()
    expect(v('cartons_reused').value).toBe('20')
    // 2 / 3 vehicle-months; 1400 / 2000 km; 1 / 1 acquired
    expect(v('nev_fleet_share').value!.startsWith('0.66666')).toBe(true)
    expect(v('nev_fleet_distance_share').value).toBe('0.7')
    expect(v('nev_new_vehicle_share').value).toBe('1')
    // 8.6 kg × 1000 / 150 parcels = 57.333… g
    expect(v('packaging_per_parcel_g').value!.startsWith('57.3333')).toBe(true)
    // 10 / 50
    expect(v('degradable_bag_share').value).toBe('0.2')
    expect(v('non_degradable_plastic_items').value).toBe('44')
    if (hasEmissionResults) {
      // 17 kg × 1000 / 150 = 113.333… g; 17 kg = 0.017 t; own avoided 2.5 kg = 0.0025 t
      expect(v('co2e_per_parcel_g').value!.startsWith('113.333')).toBe(true)
      expect(v('co2e_t').value).toBe('0.017')
      expect(v('avoided_co2e_t').value).toBe('0.0025')
      expect(r.avoided).toEqual({ grossT: '0.003', consumerT: '0.0005', ownT: '0.0025' })
      expect(r.factorSetVersions).toEqual(['2026.1'])
    }
    expect(r.coverage).toBe('1')
  })

  it('a quarter is the sum of its months, not the mean of monthly ratios', async () => {
    const r = await report('admin', { kind: 'outlet', outletId: ids['SF-410105-01']! }, '2025-Q1')
    // Jan 94/100, Feb 95/100, Mar 145/150 → 334 / 350 = 0.954285…
    expect(metric(r, 'e_waybill_rate')).toMatchObject({ numerator: '334', denominator: '350' })
    expect(metric(r, 'e_waybill_rate').value!.startsWith('0.95428')).toBe(true)
  })

  it('Jinshui district: coverage 2 of 8 outlets, bins at 1 of 8', async () => {
    const r = await report('admin', { kind: 'region', regionCode: '410105' }, '2025-03')
    expect(r.coverage).toBe('0.25')
    expect(metric(r, 'recovery_bin_coverage').value).toBe('0.125')
    // A 150 + B 200 parcels; e-waybills 145 + 180
    expect(metric(r, 'e_waybill_rate')).toMatchObject({ numerator: '325', denominator: '350' })
  })
})

describe('status against targets, end to end', () => {
  it('gives met, on track, at risk and missed from the rules, and a contribution for a national count', async () => {
    const r = await report('admin', { kind: 'outlet', outletId: ids['SF-410105-01']! }, '2025-03')
    const status = (code: string) => {
      const e = metric(r, code).evaluation
      return e?.kind === 'status' ? e.status : e?.kind
    }
    // degradable bags 10/50 = 0.2 ≥ 0.2 → met
    expect(status('degradable_bag_share')).toBe('met')
    // e-waybill .90 .92 .93 .94 .95 .96667: slope 0.2167/17.5 = 0.012381/month, value at March 0.965397,
    // at December (9 months on) 1.0768 ≥ 0.99 → on track
    expect(status('e_waybill_rate')).toBe('on_track')
    const e = metric(r, 'e_waybill_rate').evaluation as { projected: string }
    expect(Number(e.projected)).toBeCloseTo(1.0768, 3)
    // narrow tape .92 ×5 then .92857: slope 0.0012245, at December 0.9355 < 0.99 → at risk
    expect(status('narrow_tape_rate')).toBe('at_risk')
    // recyclable bags 13/15 = 0.867 < 0.95, deadline February 2025 passed → missed
    expect(status('recyclable_transit_bag_rate')).toBe('missed')
    // cartons reused: a national count → the contribution, never a pass or fail: 20 of 1000 = 2%
    const count = metric(r, 'cartons_reused').evaluation
    expect(count).toMatchObject({ kind: 'contribution', total: '20', contribution: '0.02', noData: false, targetYear: 2025 })
    // the 2017 guidance's -10% against the outlet's own first 12 months: the baseline is named
    const relative = metric(r, 'packaging_per_parcel_g')
    expect(relative.target?.kind).toBe('relative_to_baseline')
  })

  it('insufficient data when fewer than half the outlets reported', async () => {
    const r = await report('admin', { kind: 'region', regionCode: '410105' }, '2025-03')
    const e = metric(r, 'e_waybill_rate').evaluation
    expect(e).toMatchObject({ kind: 'status', status: 'insufficient_data', reason: 'metrics.status.reason.lowCoverage' })
  })

  it('an expired national count without data in its year says so instead of 0%', async () => {
    // The seeded 2023 targets (1 billion parcels in recyclable packaging) against 2025 data
    const r = await report('admin', { kind: 'outlet', outletId: ids['SF-410105-01']! }, '2025-03')
    expect(metric(r, 'recyclable_packaging_parcels').evaluation).toMatchObject({ kind: 'contribution', noData: true, targetYear: 2023 })
  })
})

describe('cross-brand benchmark and small-cell suppression', () => {
  it('Guancheng: no outlet of another brand reported in March, so SF’s brand admin sees no benchmark', async () => {
    const r = await report('carrier.sf', { kind: 'region', regionCode: '410104' }, '2025-03')
    expect(r.scope.brandFiltered).toBe(true)
    expect(r.benchmarks).toHaveLength(1)
    expect(r.benchmarks[0]).toMatchObject({ regionCode: '410104', suppressed: true, values: {}, coverage: null })
    expect(r.benchmarks[0]!.reason).toEqual({ key: 'metrics.benchmark.suppressed', params: { minimum: 3 } })
    // its own figures are SF's only: 297 / 300
    expect(metric(r, 'e_waybill_rate')).toMatchObject({ numerator: '297', denominator: '300' })
  })

  it('a bureau sees the cell unsuppressed; the benchmark is other brands only, so SF’s own 297 / 300 is not in it', async () => {
    const r = await report('bureau.zhengzhou', { kind: 'outlet', outletId: ids['SF-410104-01']! }, '2025-03')
    const district = r.benchmarks.find((b) => b.regionCode === '410104')!
    expect(district.suppressed).toBe(false)
    expect(district.values.e_waybill_rate).toBeNull() // only SF reported in Guancheng: no other brand's figure, not 0
  })

  it('an outlet operator’s benchmark counts reporting outlets, not open ones: 7 other-brand outlets in Jinshui, 1 reported', async () => {
    const r = await report('outlet.sf', { kind: 'outlet', outletId: ids['SF-410105-01']! }, '2025-03')
    const district = r.benchmarks.find((b) => b.regionCode === '410105')!
    expect(district.suppressed).toBe(true)
    // The city contains that district-month: hidden as well, or city − other districts would give it.
    expect(r.benchmarks.find((b) => b.regionCode === '410100')!.suppressed).toBe(true)
    // The bureau sees B alone (SF's A left out): 180 / 200 = 0.9
    const bureau = await report('bureau.zhengzhou', { kind: 'outlet', outletId: ids['SF-410105-01']! }, '2025-03')
    expect(bureau.benchmarks.find((b) => b.regionCode === '410105')!.values.e_waybill_rate).toBe('0.9')
  })
})

describe('scope', () => {
  it('a city bureau cannot read another city’s region or outlet report', async () => {
    const zhengzhou = await viewerFor('bureau.zhengzhou')
    expect(await buildReport(t.db, zhengzhou, { kind: 'region', regionCode: '410600' }, period('2025-03'), { now })).toEqual({ ok: false, status: 404 })
    expect(await buildReport(t.db, zhengzhou, { kind: 'outlet', outletId: ids['EMS-410611-01']! }, period('2025-03'), { now })).toEqual({ ok: false, status: 404 })
    expect(await buildReport(t.db, zhengzhou, { kind: 'region', regionCode: '410000' }, period('2025-03'), { now })).toEqual({ ok: false, status: 404 })
    expect(await buildReport(t.db, zhengzhou, { kind: 'nation' }, period('2025-03'), { now })).toEqual({ ok: false, status: 404 })
    expect(await buildBrandComparison(t.db, zhengzhou, { kind: 'region', regionCode: '410600' }, period('2025-03'), { now })).toEqual({ ok: false, status: 404 })
  })

  it('and the queries themselves return nothing outside the viewer’s reach', async () => {
    const zhengzhou = await viewerFor('bureau.zhengzhou')
    const hebi = await monthlySums(t.db, zhengzhou, { scope: { kind: 'region', regionCode: '410600' } }, { from: '2025-03', to: '2025-03' })
    expect(hebi).toEqual([])
    const henan = await monthlySums(t.db, await viewerFor('bureau.henan'), { scope: { kind: 'region', regionCode: '410600' } }, { from: '2025-03', to: '2025-03' })
    expect(henan[0]!.sums.parcels).toBe('500')
  })

  it('a province bureau drills down from province to city to district to outlet', async () => {
    const province = await report('bureau.henan', { kind: 'region', regionCode: '410000' }, '2025-03')
    expect(province.childLevel).toBe('city')
    expect(province.children.map((c) => c.key)).toEqual(['410100', '410500', '410600', '411000'])
    const city = await report('bureau.henan', { kind: 'region', regionCode: '410100' }, '2025-03')
    expect(city.children.map((c) => c.key)).toEqual(['410102', '410104', '410105'])
    const district = await report('bureau.henan', { kind: 'region', regionCode: '410105' }, '2025-03')
    expect(district.childLevel).toBe('outlet')
    expect(district.children).toHaveLength(8)
    expect(district.children.find((c) => c.key === String(ids['SF-410105-01']))!.param).toBe(`outlet:${ids['SF-410105-01']}`)
  })

  it('an outlet operator reads its own outlet only; a brand admin its brand only; brand comparison is for regulators', async () => {
    const operator = await viewerFor('outlet.sf')
    expect(await buildReport(t.db, operator, { kind: 'outlet', outletId: ids['ZTO-410105-01']! }, period('2025-03'), { now })).toEqual({ ok: false, status: 404 })
    expect(await buildReport(t.db, operator, { kind: 'region', regionCode: '410105' }, period('2025-03'), { now })).toEqual({ ok: false, status: 403 })
    const carrier = await viewerFor('carrier.sf')
    expect(await buildReport(t.db, carrier, { kind: 'outlet', outletId: ids['ZTO-410105-01']! }, period('2025-03'), { now })).toEqual({ ok: false, status: 404 })
    const brandView = await report('carrier.sf', { kind: 'region', regionCode: '410105' }, '2025-03')
    expect(metric(brandView, 'e_waybill_rate')).toMatchObject({ numerator: '145', denominator: '150' })
    expect(await buildBrandComparison(t.db, carrier, { kind: 'region', regionCode: '410105' }, period('2025-03'), { now })).toEqual({ ok: false, status: 403 })
  })

  it('brand comparison: each brand’s own figures side by side', async () => {
    const result = await buildBrandComparison(t.db, await viewerFor('bureau.zhengzhou'), { kind: 'region', regionCode: '410105' }, period('2025-03'), { now })
    if (!result.ok) throw new Error('refused')
    const byBrand = Object.fromEntries(result.comparison.rows.map((r) => [r.brand.code, r]))
    expect(byBrand.sf!.metrics.find((m) => m.code === 'e_waybill_rate')).toMatchObject({ numerator: '145', denominator: '150' })
    expect(byBrand.zto!.metrics.find((m) => m.code === 'e_waybill_rate')).toMatchObject({ numerator: '180', denominator: '200', value: '0.9' })
    // YTO (C) is open but sent nothing: coverage 0, no value
    expect(byBrand.yto!.coverage).toBe('0')
    expect(byBrand.yto!.metrics.find((m) => m.code === 'e_waybill_rate')!.value).toBeNull()
    expect(brands.sf).toBe(byBrand.sf!.brand.id)
  })
})
