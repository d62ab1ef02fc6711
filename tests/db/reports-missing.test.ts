import Decimal from 'decimal.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePeriod } from '#app/domain/periods/period.ts'
import { buildReport, type MetricRow, type Report } from '#app/services/reports.server.ts'
import { refreshOutletMonths } from '#db/models/rollups.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

/**
 * Missing is not zero (issue 13.3), through the rollups and the report, on a
 * month no demo data touches (2030-01). X = SF-410105-01 and Y = ZTO-410105-01,
 * both in Jinshui (410105). Every figure is worked out by hand in the comments.
 */

let t: TestDatabase
let x: number
let y: number
let jinshuiOutlets: number
const now = new Date('2030-03-01T08:00:00Z')

async function owner(code: string) {
  const o = await t.db.selectFrom('outlets').select(['id', 'brand_id', 'region_code']).where('code', '=', code).executeTakeFirstOrThrow()
  return { outlet_id: o.id, brand_id: o.brand_id, region_code: o.region_code, data_quality: 'measured' as const, source: 'form' as const }
}

type Day = { parcels: number; e: number; ecom?: number; orig?: number; rec?: number; box?: number; narrow?: number; bags?: number; rbags?: number }

async function shipment(code: string, date: string, f: Day) {
  await t.db
    .insertInto('shipment_stats')
    .values({
      ...(await owner(code)),
      stat_date: date,
      parcels: f.parcels,
      e_waybill_parcels: f.e,
      paper_waybill_parcels: f.parcels - f.e,
      ecommerce_parcels: f.ecom ?? null,
      ecommerce_original_parcels: f.orig ?? null,
      recyclable_packaging_parcels: f.rec ?? null,
      box_parcels: f.box ?? null,
      narrow_tape_box_parcels: f.narrow ?? null,
      transit_bags: f.bags ?? null,
      recyclable_transit_bags: f.rbags ?? null,
    })
    .execute()
}

async function report(scope: Parameters<typeof buildReport>[2]): Promise<Report> {
  const parsed = parsePeriod('2030-01')
  if (!parsed.ok) throw new Error('period')
  const result = await buildReport(t.db, await viewerOf(t.db, 'admin'), scope, parsed.period, { now })
  if (!result.ok) throw new Error(`refused ${result.status}`)
  return result.report
}

const metric = (r: Report, code: string): MetricRow => r.metrics.find((m) => m.code === code)!
const statusOf = (row: MetricRow) => (row.evaluation?.kind === 'status' ? row.evaluation.status : null)

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  x = (await owner('SF-410105-01')).outlet_id
  y = (await owner('ZTO-410105-01')).outlet_id
  // Day 1 of X: every field. Day 2: 原包装直发件数, recyclable-packaging parcels, narrow-tape box parcels and transit bags blank.
  await shipment('SF-410105-01', '2030-01-01', { parcels: 100, e: 95, ecom: 80, orig: 60, rec: 5, box: 50, narrow: 40, bags: 10, rbags: 8 })
  await shipment('SF-410105-01', '2030-01-02', { parcels: 100, e: 97, ecom: 70, box: 40, rbags: 6 })
  // Y: the required fields only.
  await shipment('ZTO-410105-01', '2030-01-03', { parcels: 200, e: 190 })
  await refreshOutletMonths(t.db, [{ outletId: x, month: '2030-01' }, { outletId: y, month: '2030-01' }])
  const row = await t.db
    .selectFrom('outlet_month_rollups')
    .select((eb) => eb.fn.sum<string>('outlets').as('n'))
    .where('region_code', '=', '410105')
    .where('month', '=', '2030-01-01')
    .executeTakeFirstOrThrow()
  jinshuiOutlets = Number(row.n)
})
afterAll(() => t?.close())

describe('a blank optional field is "not reported" for the metric that uses it', () => {
  it('the rollup pairs each ratio’s fields day by day', async () => {
    const r = await t.db.selectFrom('outlet_month_rollups').selectAll().where('outlet_id', '=', x).where('month', '=', '2030-01-01').executeTakeFirstOrThrow()
    // Day 2's 70 e-commerce parcels have no 原包装直发件数: they leave the denominator (80, not 150).
    expect([Number(r.ecommerce_original_parcels), Number(r.ecommerce_parcels)]).toEqual([60, 80])
    // Day 2's 40 box parcels have no narrow-tape count: 40 / 50, not 40 / 90.
    expect([Number(r.narrow_tape_box_parcels), Number(r.box_parcels)]).toEqual([40, 50])
    // Day 2's 6 recyclable transit bags have no total: 8 / 10, not 14 / 10.
    expect([Number(r.recyclable_transit_bags), Number(r.transit_bags)]).toEqual([8, 10])
    expect(Number(r.recyclable_packaging_parcels)).toBe(5)
    expect([r.no_repack_reporting_outlets, r.narrow_tape_reporting_outlets, r.transit_bag_reporting_outlets, r.recyclable_packaging_reporting_outlets]).toEqual([1, 1, 1, 1])
    expect([r.packaging_reporting_outlets, r.collection_reporting_outlets, r.emissions_reporting_outlets]).toEqual([0, 0, 0])
  })

  it('原包装直发件数 blank: the outlet’s no-repack rate is 60 / 80 = 75 %, not 60 / 150 = 40 %', async () => {
    const r = await report({ kind: 'outlet', outletId: x })
    const row = metric(r, 'no_repack_rate')
    expect([row.value, row.numerator, row.denominator]).toEqual(['0.75', '60', '80'])
    expect(metric(r, 'narrow_tape_rate').value).toBe('0.8') // 40 / 50
    expect(metric(r, 'recyclable_transit_bag_rate').value).toBe('0.8') // 8 / 10
    expect(metric(r, 'e_waybill_rate').value).toBe('0.96') // (95 + 97) / 200
    // The no-repack target (GB办 2020 115: 100 % by end-2025) is standing in 2030: 75 % misses it.
    expect(statusOf(row)).toBe('missed')
  })

  it('the district pools only outlets that reported the field, and its coverage says so', async () => {
    const r = await report({ kind: 'region', regionCode: '410105' })
    // Y reported shipments with every optional field blank: it stays out of no-repack.
    expect(metric(r, 'no_repack_rate').value).toBe('0.75')
    expect(metric(r, 'recyclable_packaging_parcels').value).toBe('5')
    // Coverage: X and Y reported shipments (2 of the district's outlets), only X the no-repack fields.
    const share = (n: number) => new Decimal(n).dividedBy(jinshuiOutlets).toFixed()
    expect(r.coverage).toBe(share(2))
    expect(metric(r, 'no_repack_rate').coverage).toBe(share(1))
    expect(metric(r, 'e_waybill_rate').coverage).toBe(share(2))
  })
})

describe('missing versus zero', () => {
  it('no packaging, recovery or emissions reported: insufficient data, never 0 or −100 %', async () => {
    const r = await report({ kind: 'outlet', outletId: x })
    for (const code of ['packaging_per_parcel_g', 'non_degradable_plastic_items', 'cartons_reused', 'co2e_t', 'co2e_per_parcel_g', 'standard_packaging_rate']) {
      expect([code, metric(r, code).value]).toEqual([code, null])
      expect([code, metric(r, code).coverage]).toEqual([code, '0'])
    }
    // The phase-out (≤ 0 non-degradable items, standing after 2025) is not "met" for want of data.
    expect(statusOf(metric(r, 'non_degradable_plastic_items'))).toBe('insufficient_data')
    // Packaging per parcel against the 2017 guidance's baseline: no figure, so no −100 %.
    expect(statusOf(metric(r, 'packaging_per_parcel_g'))).not.toBe('met')
  })

  it('a reported month with no plastic item is a real 0, and per parcel counts only outlets with both sides', async () => {
    const item = await t.db
      .insertInto('packaging_items')
      .values({ code: 'test-missing-box', name_zh: '纸箱', name_en: 'Box', category: 'box', material: 'material:corrugated_virgin', unit_mass_kg: '0.2', meets_gb_t_16606: true, meets_gb_43352: true, plastic: false, degradable: false, reusable: false, design_life_uses: null, source: 'test' })
      .returning('id')
      .executeTakeFirstOrThrow()
    await t.db.insertInto('packaging_consumption').values({ ...(await owner('SF-410105-01')), period_start: '2030-01-01', period_kind: 'month', item_id: item.id, item_count: 20 }).execute()
    await refreshOutletMonths(t.db, [{ outletId: x, month: '2030-01' }])
    const outlet = await report({ kind: 'outlet', outletId: x })
    expect(metric(outlet, 'non_degradable_plastic_items').value).toBe('0')
    expect(statusOf(metric(outlet, 'non_degradable_plastic_items'))).toBe('met')
    // 20 boxes × 0.2 kg = 4 kg × 1000 g/kg / 200 parcels = 20 g
    expect(metric(outlet, 'packaging_per_parcel_g').value).toBe('20')
    // In the district Y's 200 parcels came without packaging: still 4000 g / 200 = 20, not 4000 / 400 = 10.
    const district = await report({ kind: 'region', regionCode: '410105' })
    expect(metric(district, 'packaging_per_parcel_g').value).toBe('20')
    expect([metric(district, 'packaging_per_parcel_g').numerator, metric(district, 'packaging_per_parcel_g').denominator]).toEqual(['4', '200'])
  })
})
