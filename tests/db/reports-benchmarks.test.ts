import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePeriod, type Period } from '#app/domain/periods/period.ts'
import { buildReport, exportReportCsv, type BenchmarkView } from '#app/services/reports.server.ts'
import { rebuildRollups } from '#db/models/rollups.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

/**
 * The subtraction attack on small-cell suppression, by hand. SF's brand admin
 * looks at Zhengzhou; other brands' outlets report 100 parcels a day as
 * below (e-waybills in brackets), SF's own two outlets 100 of 100 every month:
 *
 *                 April                 May                  June
 *   Jinshui 410105   ZTO 90, YTO 92, STO 94   ZTO, YTO, STO        ZTO, YTO          (2 in June)
 *   Zhongyuan 410102 ZTO, YTO, YUNDA          ZTO, YTO (2 in May)  ZTO, YTO, YUNDA
 *   Guancheng 410104 nobody                   nobody               nobody
 *
 * Without the hierarchy rule, May's city (5 outlets) − Jinshui (3) gives
 * Zhongyuan's 2, and Q2 − April − May gives Jinshui's 2 in June.
 */

let t: TestDatabase
let ids: Record<string, number>
const now = new Date('2026-12-07T02:00:00Z')

const roster: Record<string, string[]> = {
  '2025-04': ['ZTO-410105-01', 'YTO-410105-01', 'STO-410105-01', 'ZTO-410102-01', 'YTO-410102-01', 'YUNDA-410102-01'],
  '2025-05': ['ZTO-410105-01', 'YTO-410105-01', 'STO-410105-01', 'ZTO-410102-01', 'YTO-410102-01'],
  '2025-06': ['ZTO-410105-01', 'YTO-410105-01', 'ZTO-410102-01', 'YTO-410102-01', 'YUNDA-410102-01'],
}
const eWaybills: Record<string, number> = { 'ZTO-410105-01': 90, 'YTO-410105-01': 92, 'STO-410105-01': 94 }

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  ids = Object.fromEntries((await t.db.selectFrom('outlets').select(['id', 'code']).execute()).map((r) => [r.code, r.id]))
  for (const [month, codes] of Object.entries(roster)) {
    for (const code of [...codes, 'SF-410105-01', 'SF-410102-01']) {
      const o = await t.db.selectFrom('outlets').select(['id', 'brand_id', 'region_code']).where('code', '=', code).executeTakeFirstOrThrow()
      const e = code.startsWith('SF-') ? 100 : (eWaybills[code] ?? 95)
      await t.db
        .insertInto('shipment_stats')
        .values({
          outlet_id: o.id,
          brand_id: o.brand_id,
          region_code: o.region_code,
          data_quality: 'measured',
          source: 'form',
          stat_date: `${month}-10`,
          parcels: 100,
          e_waybill_parcels: e,
          paper_waybill_parcels: 100 - e,
        })
        .execute()
    }
  }
  await rebuildRollups(t.db)
})
afterAll(() => t?.close())

function period(text: string): Period {
  const parsed = parsePeriod(text)
  if (!parsed.ok) throw new Error(text)
  return parsed.period
}

async function benchmark(username: string, regionCode: string, p: string): Promise<BenchmarkView> {
  const result = await buildReport(t.db, await viewerOf(t.db, username), { kind: 'region', regionCode }, period(p), { now })
  if (!result.ok) throw new Error(`refused ${result.status}`)
  return result.report.benchmarks.find((b) => b.regionCode === regionCode)!
}

describe('a brand’s benchmark: other brands only, reporting outlets only', () => {
  it('leaves SF’s own outlet out: Jinshui in April is (90 + 92 + 94) / 300 = 0.92, not 376 / 400', async () => {
    const b = await benchmark('carrier.sf', '410105', '2025-04')
    expect(b.suppressed).toBe(false)
    expect(b.values.e_waybill_rate).toBe('0.92')
  })

  it('the city in April: every district-month has 0 or at least 3 → shown, 6 outlets of other brands', async () => {
    // (90 + 92 + 94 + 95 × 3) / 600 = 561 / 600 = 0.935
    const b = await benchmark('carrier.sf', '410100', '2025-04')
    expect(b.suppressed).toBe(false)
    expect(b.values.e_waybill_rate).toBe('0.935')
  })
})

describe('the subtraction attack', () => {
  it('province − city − districts: May’s Zhongyuan (2) is hidden, and so are the city and the province that contain it', async () => {
    expect((await benchmark('carrier.sf', '410102', '2025-05')).suppressed).toBe(true)
    expect((await benchmark('carrier.sf', '410105', '2025-05')).suppressed).toBe(false)
    const city = await benchmark('carrier.sf', '410100', '2025-05')
    expect(city.suppressed).toBe(true)
    expect(city.values).toEqual({})
    expect((await benchmark('carrier.sf', '410000', '2025-05')).suppressed).toBe(true)
  })

  it('quarter − months and year − quarters: June’s Jinshui (2) hides Q2 and 2025 for Jinshui', async () => {
    expect((await benchmark('carrier.sf', '410105', '2025-06')).suppressed).toBe(true)
    expect((await benchmark('carrier.sf', '410105', '2025-Q2')).suppressed).toBe(true)
    expect((await benchmark('carrier.sf', '410105', '2025')).suppressed).toBe(true)
    // April and May stay visible: nothing hidden lies inside them.
    expect((await benchmark('carrier.sf', '410105', '2025-04')).suppressed).toBe(false)
    expect((await benchmark('carrier.sf', '410105', '2025-05')).suppressed).toBe(false)
  })

  it('the CSV export hides the same cells: no number where the page says hidden', async () => {
    const viewer = await viewerOf(t.db, 'carrier.sf')
    const city = await exportReportCsv(t.db, viewer, 'metrics', { kind: 'region', regionCode: '410100' }, new URLSearchParams({ period: '2025-05' }), 'en', now)
    if (!city.ok) throw new Error('refused')
    const cityRow = city.file.text.split('\r\n').find((line) => line.includes('e_waybill_rate'))!
    expect(cityRow.endsWith(',Hidden')).toBe(true)
    const quarter = await exportReportCsv(t.db, viewer, 'metrics', { kind: 'region', regionCode: '410105' }, new URLSearchParams({ period: '2025-Q2' }), 'en', now)
    if (!quarter.ok) throw new Error('refused')
    expect(quarter.file.text.split('\r\n').find((line) => line.includes('e_waybill_rate'))!.endsWith(',Hidden')).toBe(true)
    const april = await exportReportCsv(t.db, viewer, 'metrics', { kind: 'region', regionCode: '410105' }, new URLSearchParams({ period: '2025-04' }), 'en', now)
    if (!april.ok) throw new Error('refused')
    // 0.92 as a percentage, the column's one scale
    expect(april.file.text.split('\r\n').find((line) => line.includes('e_waybill_rate'))!.endsWith(',92')).toBe(true)
  })

  it('a bureau is never suppressed: Zhengzhou’s officer reads May’s city benchmark beside an SF outlet', async () => {
    const result = await buildReport(t.db, await viewerOf(t.db, 'bureau.zhengzhou'), { kind: 'outlet', outletId: ids['SF-410102-01']! }, period('2025-05'), { now })
    if (!result.ok) throw new Error('refused')
    const zhongyuan = result.report.benchmarks.find((b) => b.regionCode === '410102')!
    expect(zhongyuan.suppressed).toBe(false)
    expect(zhongyuan.values.e_waybill_rate).toBe('0.95') // ZTO and YTO: 190 / 200
  })
})
