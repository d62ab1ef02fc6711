import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordPage } from '#app/services/activity.server.ts'
import { costRecords } from '#app/services/emissions.server.ts'
import { loadFallbackPage } from '#app/services/fallbacks.server.ts'
import { previewImport } from '#app/services/imports.server.ts'
import { exportReportCsv, loadReportPage } from '#app/services/reports.server.ts'
import { refreshOutletMonths } from '#db/models/rollups.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'
import { addRecord, itemId } from './emissions-support.ts'

/**
 * Issue 13.4: a figure computed with a factor other than the one asked for
 * says so wherever it is shown. Shaoxing (Zhejiang, East grid) has no
 * provincial electricity factor in set 2026.1:
 *   2023-03 electricity 1000 kWh × 0.5500 (grid.east.2023)            = 550 kg, region fallback
 *   2023-03 packaging 100 × No.4 carton 0.215 kg × 1.200 kgCO2e/kg    = 25.8 kg, no fallback
 *   2019-03 electricity 1000 kWh × 0.5617 (grid.east.2022)            = 561.7 kg, region and year fallback
 * 2023-03: 550 of 575.8 kg from fallbacks = 95.519…%.
 */

let t: TestDatabase
let outletId: number
let electricity2023: string
let electricity2019: string
const now = new Date('2026-12-07T08:00:00Z')

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  outletId = (await t.db.selectFrom('outlets').select('id').where('code', '=', 'SF-330602-01').executeTakeFirstOrThrow()).id
  electricity2023 = await addRecord(t.db, 'facility_electricity', outletId, { month: '2023-03-01', electricity_kwh: '1000' })
  electricity2019 = await addRecord(t.db, 'facility_electricity', outletId, { month: '2019-03-01', electricity_kwh: '1000' })
  const boxes = await addRecord(t.db, 'packaging_consumption', outletId, { period_start: '2023-03-01', period_kind: 'month', item_id: await itemId(t.db, 'box_04'), item_count: 100 })
  await costRecords(t.db, 'facility_electricity', [electricity2023, electricity2019])
  await costRecords(t.db, 'packaging_consumption', [boxes])
  await refreshOutletMonths(t.db, [
    { outletId, month: '2023-03' },
    { outletId, month: '2019-03' },
  ])
})
afterAll(() => t?.close())

describe('the record page', () => {
  it('says which factor was used instead of the one asked for', async () => {
    const page = await recordPage(t.db, await viewerOf(t.db, 'carrier.sf'), 'facility_electricity', electricity2023)
    expect(page?.results.map((r) => [r.co2eKg, r.fallbacks])).toEqual([
      ['550', [{ factorId: 'grid.east.2023', kinds: ['region'], level: 'grid', usedYear: 2023, requestedRegion: '330602', requestedYear: 2023 }]],
    ])
  })

  it('a 2019 month shows the farther regional year it was computed with', async () => {
    const page = await recordPage(t.db, await viewerOf(t.db, 'admin'), 'facility_electricity', electricity2019)
    expect(page?.results.map((r) => [r.co2eKg, r.fallbacks])).toEqual([
      ['561.7', [{ factorId: 'grid.east.2022', kinds: ['region', 'year'], level: 'grid', usedYear: 2022, requestedRegion: '330602', requestedYear: 2019 }]],
    ])
  })
})

describe('the rollups and reports', () => {
  it('the outlet-month keeps the CO2e from fallback factors apart', async () => {
    const rows = await t.db
      .selectFrom('outlet_month_rollups')
      .select(['month', 'co2e_kg', 'fallback_co2e_kg'])
      .where('outlet_id', '=', outletId)
      .orderBy('month')
      .execute()
    expect(rows.map((r) => [String(r.month).slice(0, 7), String(r.co2e_kg), String(r.fallback_co2e_kg)])).toEqual([
      ['2019-03', '561.7', '561.7'],
      ['2023-03', '575.8', '550'],
    ])
  })

  it('outlet and region reports give the share; a month without fallbacks says none', async () => {
    const admin = await viewerOf(t.db, 'admin')
    for (const scope of [{ kind: 'outlet', outletId } as const, { kind: 'region', regionCode: '330600' } as const]) {
      const page = await loadReportPage(t.db, admin, scope, new URLSearchParams({ period: '2023-03' }), now)
      if (!page.ok || !page.data.report) throw new Error('expected a report')
      expect(page.data.report.fallback.totalKg).toBe('575.8')
      expect(page.data.report.fallback.fallbackKg).toBe('550')
      expect(Number(page.data.report.fallback.share).toFixed(4)).toBe('0.9552')
    }
    const sf = await loadReportPage(t.db, await viewerOf(t.db, 'carrier.sf'), { kind: 'region', regionCode: '330600' }, new URLSearchParams({ period: '2019' }), now)
    expect(sf.ok && sf.data.report?.fallback).toEqual({ share: '1', fallbackKg: '561.7', totalKg: '561.7' })
    // Another brand's report of the same city has no emissions at all: no share, not 0 %.
    const zto = await loadReportPage(t.db, await viewerOf(t.db, 'carrier.zto'), { kind: 'region', regionCode: '330600' }, new URLSearchParams({ period: '2023-03' }), now)
    expect(zto.ok && zto.data.report?.fallback).toEqual({ share: null, fallbackKg: '0', totalKg: '0' })
  })

  it('the details list which factor, which year asked for, how many records and their CO2e', async () => {
    const admin = await viewerOf(t.db, 'admin')
    const year2023 = await loadFallbackPage(t.db, admin, { kind: 'region', regionCode: '330600' }, new URLSearchParams({ period: '2023' }), now)
    expect(year2023.ok && year2023.data.rows).toEqual([
      { factorId: 'grid.east.2023', kinds: ['region'], level: 'grid', usedYear: 2023, requestedYear: 2023, recordType: 'facility_electricity', records: 1, co2eKg: '550', exampleRecordId: electricity2023 },
    ])
    const march2019 = await loadFallbackPage(t.db, admin, { kind: 'outlet', outletId }, new URLSearchParams({ period: '2019-03' }), now)
    expect(march2019.ok && march2019.data.rows).toEqual([
      { factorId: 'grid.east.2022', kinds: ['region', 'year'], level: 'grid', usedYear: 2022, requestedYear: 2019, recordType: 'facility_electricity', records: 1, co2eKg: '561.7', exampleRecordId: electricity2019 },
    ])
  })

  it('the details are limited to what the viewer may see', async () => {
    const zto = await loadFallbackPage(t.db, await viewerOf(t.db, 'carrier.zto'), { kind: 'region', regionCode: '330600' }, new URLSearchParams({ period: '2023' }), now)
    expect(zto.ok && zto.data.rows).toEqual([])
    const henan = await loadFallbackPage(t.db, await viewerOf(t.db, 'bureau.henan'), { kind: 'region', regionCode: '330600' }, new URLSearchParams({ period: '2023' }), now)
    expect(henan).toEqual({ ok: false, status: 404 })
  })

  it('the CSV export carries the share in percent on the CO2e rows, empty on the others', async () => {
    const csv = await exportReportCsv(t.db, await viewerOf(t.db, 'admin'), 'metrics', { kind: 'region', regionCode: '330600' }, new URLSearchParams({ period: '2023-03' }), 'zh-CN', now)
    if (!csv.ok) throw new Error('expected a file')
    const lines = csv.file.text.replace(/^\uFEFF/, '').split('\r\n')
    const header = lines[0]!.split(',')
    const column = header.indexOf('替代因子排放占比（%）')
    expect(column).toBeGreaterThan(0)
    const cell = (code: string) => lines.find((l) => l.includes(`,${code},`))!.split(',')[column]
    // 550 / 575.8 = 95.519…% → 95.52
    expect(cell('co2e_t')).toBe('95.52')
    expect(cell('co2e_per_parcel_g')).toBe('95.52')
    expect(cell('e_waybill_rate')).toBe('')
  })
})

describe('the import preview', () => {
  it('lists the rows that will be costed with fallback factors, by factor and year asked for', async () => {
    const csv = 'siteCode,month,electricityKwh,dataQuality\nSF-330602-01,2023-05,1000,measured\nSF-330602-01,2019-05,2000,measured\n'
    const report = await previewImport(t.db, {
      viewer: await viewerOf(t.db, 'carrier.sf'),
      recordCode: 'facility_electricity',
      source: { bytes: new TextEncoder().encode(csv) },
      fileName: 'electricity.csv',
      today: '2026-12-07',
    })
    expect([report.accepted, report.rejected]).toEqual([2, 0])
    // 1000 × 0.5500 = 550 (East grid 2023, no Zhejiang factor); 2000 × 0.5617 = 1123.4 (East grid 2022 for 2019)
    expect(report.fallbacks).toEqual({
      records: 2,
      co2eKg: '1673.4',
      rows: [
        { factorId: 'grid.east.2022', kinds: ['region', 'year'], level: 'grid', usedYear: 2022, requestedYear: 2019, records: 1, co2eKg: '1123.4' },
        { factorId: 'grid.east.2023', kinds: ['region'], level: 'grid', usedYear: 2023, requestedYear: 2023, records: 1, co2eKg: '550' },
      ],
    })
  })
})
