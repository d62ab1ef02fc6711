import Decimal from 'decimal.js'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { parsePeriod, type Period } from '#app/domain/periods/period.ts'
import { buildReport, type Report } from '#app/services/reports.server.ts'
import { addTarget, createTargetSet, targetFormSchema, targetSetFormSchema } from '#app/services/targets.server.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// Reports are reused while the rows they were built from stand unchanged
// (app/services/reports/cache.ts): a write to any of those rows, from this
// process or any other, shows at the next request; one viewer's report is
// never handed to another.

let t: TestDatabase
let bureau: Viewer
let admin: Viewer
const now = new Date('2026-12-07T04:00:00Z')
const october = (parsePeriod('2026-10') as { ok: true; period: Period }).period
const henan = { kind: 'region', regionCode: '410000' } as const

beforeAll(async () => {
  t = await createTestDatabase({ seed: true, activity: true })
  bureau = await viewerOf(t.db, 'bureau.henan')
  admin = await viewerOf(t.db, 'admin')
})
afterAll(() => t?.close())

async function report(viewer: Viewer, request: Parameters<typeof buildReport>[2] = henan): Promise<Report> {
  const result = await buildReport(t.db, viewer, request, october, { now })
  if (!result.ok) throw new Error(`refused: ${result.status}`)
  return result.report
}

const eWaybill = (r: Report) => r.metrics.find((m) => m.code === 'e_waybill_rate')!

describe('the report cache', () => {
  it('reuses a report while its rows stand, with the time of this request', async () => {
    const first = await report(bureau)
    const later = new Date(now.getTime() + 60_000)
    const again = await buildReport(t.db, bureau, henan, october, { now: later })
    if (!again.ok) throw new Error('refused')
    // The same (frozen) figures, not built again; the generation time is this request's.
    expect(again.report.metrics).toBe(first.metrics)
    expect(again.report.generatedAt).toBe(later.toISOString())
    expect(Object.isFrozen(first.metrics)).toBe(true)
  })

  it('shows a write to a rollup row at the next request, whoever wrote it', async () => {
    const before = eWaybill(await report(bureau))
    // As another process would: straight into one Henan outlet's October row.
    await sql`update outlet_month_rollups set parcels = parcels + 1000, e_waybill_parcels = e_waybill_parcels + 1000
      where month = '2026-10-01' and outlet_id = (select min(outlet_id) from outlet_month_rollups where province_code = '410000' and month = '2026-10-01')`.execute(t.db)
    const after = eWaybill(await report(bureau))
    expect(after.numerator).toBe(new Decimal(before.numerator).plus(1000).toFixed())
    expect(after.denominator).toBe(new Decimal(before.denominator!).plus(1000).toFixed())
    expect(after.value).toBe(new Decimal(before.numerator).plus(1000).div(new Decimal(before.denominator!).plus(1000)).toFixed())
  })

  it('shows a deleted rollup row at the next request', async () => {
    const before = await report(bureau)
    await sql`delete from outlet_month_rollups where month = '2026-10-01' and outlet_id = (select max(outlet_id) from outlet_month_rollups where province_code = '410000' and month = '2026-10-01' and outlets > 0)`.execute(t.db)
    const after = await report(bureau)
    expect(after.metrics).not.toBe(before.metrics)
    expect(Number(after.outletMonths)).toBe(Number(before.outletMonths) - 1)
  })

  it('shows a new target at the next request', async () => {
    const before = await report(bureau)
    expect(before.metrics.find((m) => m.code === 'recyclable_transit_bag_rate')?.target?.setId).not.toBe('henan-cache-test')
    const created = await createTargetSet(t.db, admin, targetSetFormSchema.parse({
      id: 'henan-cache-test',
      nameZh: '缓存测试目标',
      nameEn: 'Cache test targets',
      sourceTitle: '示例文件',
      sourceIssuer: '河南省邮政管理局',
      sourceNumber: '',
      sourceDate: '2026-03',
      sourceUrl: '',
      sourceVerification: 'Entered by hand for the test.',
      regionCode: '410000',
      brandCode: '',
    }))
    expect(created, JSON.stringify(created)).toMatchObject({ ok: true })
    const added = await addTarget(t.db, admin, 'henan-cache-test', targetFormSchema.parse({ metric: 'recyclable_transit_bag_rate', comparison: '>=', value: '0.99', deadline: '2027-12-31', kind: 'rate', note: '' }))
    expect(added).toMatchObject({ ok: true })
    const after = await report(bureau)
    expect(after.metrics.find((m) => m.code === 'recyclable_transit_bag_rate')?.target?.setId).toBe('henan-cache-test')
  })

  it('keeps each viewer’s reports apart', async () => {
    const asBureau = await report(bureau)
    const asAdmin = await report(admin)
    expect(asAdmin.metrics).not.toBe(asBureau.metrics)
    // An operator outside Henan is refused the province, cached or not.
    const outsider = await viewerOf(t.db, 'outlet.sf')
    const refused = await buildReport(t.db, outsider, henan, october, { now })
    expect(refused.ok).toBe(false)
  })
})
