import Decimal from 'decimal.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePeriod } from '#app/domain/periods/period.ts'
import { buildReport, type MetricRow, type Report } from '#app/services/reports.server.ts'
import { refreshOutletMonths } from '#db/models/rollups.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'
import { insertShipmentDay, ownerColumns, type ShipmentDay } from '../support/report-fixtures.ts'

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

const shipment = (code: string, date: string, f: ShipmentDay) => insertShipmentDay(t.db, code, date, f)

async function report(scope: Parameters<typeof buildReport>[2], period = '2030-01'): Promise<Report> {
  const parsed = parsePeriod(period)
  if (!parsed.ok) throw new Error('period')
  const result = await buildReport(t.db, await viewerOf(t.db, 'admin'), scope, parsed.period, { now })
  if (!result.ok) throw new Error(`refused ${result.status}`)
  return result.report
}

const metric = (r: Report, code: string): MetricRow => r.metrics.find((m) => m.code === code)!
const statusOf = (row: MetricRow) => (row.evaluation?.kind === 'status' ? row.evaluation.status : null)

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  x = (await ownerColumns(t.db, 'SF-410105-01')).outlet_id
  y = (await ownerColumns(t.db, 'ZTO-410105-01')).outlet_id
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
    await t.db.insertInto('packaging_consumption').values({ ...(await ownerColumns(t.db, 'SF-410105-01')), period_start: '2030-01-01', period_kind: 'month', item_id: item.id, item_count: 20 }).execute()
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

describe('a partial month and a partial year (now: 1 March 2030, 16:00 in Shanghai)', () => {
  it('the month in progress is provisional: figures, never met or missed; the year to date pools complete months only', async () => {
    // X logs the first day of March: 10 of 100 e-commerce parcels not re-packed.
    await shipment('SF-410105-01', '2030-03-01', { parcels: 100, e: 100, ecom: 100, orig: 10 })
    await refreshOutletMonths(t.db, [{ outletId: x, month: '2030-03' }])

    const march = await report({ kind: 'outlet', outletId: x }, '2030-03')
    expect(march.periodState).toBe('provisional')
    expect(metric(march, 'no_repack_rate').value).toBe('0.1') // 10 / 100, shown as it stands
    const statuses = march.metrics.map(statusOf).filter((status) => status !== null)
    expect(statuses.length).toBeGreaterThan(0)
    expect(new Set(statuses)).toEqual(new Set(['provisional']))

    // 2030 to date: January and February are complete, March is not. Pooled over Jan–Feb = January's 60 / 80,
    // not (60 + 10) / (80 + 100); judged at the end of February, against the standing 100 %: missed.
    for (const period of ['2030', '2030-Q1']) {
      const toDate = await report({ kind: 'outlet', outletId: x }, period)
      expect([period, toDate.periodState]).toEqual([period, 'to_date'])
      expect(toDate.months).toEqual(['2030-01', '2030-02'])
      expect(toDate.periodEnd).toBe('2030-02-28')
      const row = metric(toDate, 'no_repack_rate')
      expect([row.value, row.numerator, row.denominator]).toEqual(['0.75', '60', '80'])
      expect(statusOf(row)).toBe('missed')
    }
  })
})
