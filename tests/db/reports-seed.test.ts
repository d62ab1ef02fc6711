import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { parsePeriod } from '#app/domain/periods/period.ts'
import { buildReport } from '#app/services/reports.server.ts'
import { generateActivity, parseActivityProfile, type SeedOutlet } from '#seeds/load/activity.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

/** The demo activity: reproducible, shaped as its profile says, and rolled up for the reports. */

let t: TestDatabase
let seedMs = 0

beforeAll(async () => {
  const started = performance.now()
  t = await createTestDatabase({ seed: true, activity: true })
  seedMs = performance.now() - started
})
afterAll(() => t?.close())

const profileText = readFileSync('seeds/activity-profile.json', 'utf8')

describe('demo activity', () => {
  it('is the same every time: a seeded generator, months before the profile’s anchor date', () => {
    const profile = parseActivityProfile(profileText, 'seeds/activity-profile.json')
    const outlets: SeedOutlet[] = [
      { id: 1, code: 'SF-410105-01', brandId: 2, brandCode: 'sf', regionCode: '410105', kind: 'outlet', openedOn: '2016-06-12' },
      { id: 2, code: 'ZTO-410100-SC', brandId: 3, brandCode: 'zto', regionCode: '410104', kind: 'sorting_centre', openedOn: '2016-05-01' },
    ]
    const a = generateActivity(profile, outlets)
    const b = generateActivity(profile, outlets)
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
    // anchor 2026-11-01: 24 months from November 2024 to October 2026
    expect(a.months[0]).toBe('2024-11')
    expect(a.months.at(-1)).toBe('2026-10')
    expect(a.shipments.every((s) => s.e_waybill_parcels + s.paper_waybill_parcels === s.parcels)).toBe(true)
    // a sorting centre sends no shipment statistics of its own
    expect(a.shipments.every((s) => s.outlet_id === 1)).toBe(true)
  })

  it('refuses a profile that names a field it does not know', () => {
    const broken = JSON.stringify({ ...JSON.parse(profileText), unknownKnob: 1 })
    expect(() => parseActivityProfile(broken, 'seeds/activity-profile.json')).toThrow(/activity-profile\.json/)
  })

  it('loads 24 months for every demo outlet within the time budget, and the rollups hold them', async () => {
    // the whole seed (regions to credits, activity and its costing) on the embedded or real database
    expect(seedMs).toBeLessThan(60_000)
    const { rows } = await sql<{ outlets: string; months: string; first: string; last: string }>`
      select count(distinct outlet_id)::text as outlets, count(distinct stat_date)::text as months,
        min(stat_date)::text as first, max(stat_date)::text as last from shipment_stats`.execute(t.db)
    // 51 outlets (the sorting centre sends none); 730 days from 2024-11-01 to 2026-10-31
    expect(rows[0]).toMatchObject({ outlets: '51', first: '2024-11-01', last: '2026-10-31' })
    const rollups = await sql<{ n: string }>`select count(*)::text as n from outlet_month_rollups`.execute(t.db)
    // 52 outlets (with the sorting centre) × 24 months
    expect(rollups.rows[0]!.n).toBe(String(52 * 24))
  })

  it('is shaped after the documents: e-waybills near 95–99%, no-repack and NEV shares rising', async () => {
    const admin: Viewer = { userId: 0, role: 'admin', regionCode: null, outletId: null, brandId: null }
    const year = async (p: string) => {
      const parsed = parsePeriod(p)
      if (!parsed.ok) throw new Error(p)
      const result = await buildReport(t.db, admin, { kind: 'nation' }, parsed.period, { now: new Date() })
      if (!result.ok) throw new Error('refused')
      return Object.fromEntries(result.report.metrics.map((m) => [m.code, Number(m.value)]))
    }
    const first = await year('2024-Q4')
    const last = await year('2026-Q3')
    for (const value of [first.e_waybill_rate!, last.e_waybill_rate!]) {
      expect(value).toBeGreaterThan(0.94)
      expect(value).toBeLessThan(0.995)
    }
    expect(last.no_repack_rate!).toBeGreaterThan(first.no_repack_rate! + 0.05)
    expect(last.nev_fleet_share!).toBeGreaterThan(first.nev_fleet_share!)
    expect(last.degradable_bag_share!).toBeGreaterThan(first.degradable_bag_share!)
    // emissions were computed for the demo activity (costed at seed)
    expect(last.co2e_t!).toBeGreaterThan(0)
  })
})
