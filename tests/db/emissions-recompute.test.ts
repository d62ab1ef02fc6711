import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { costRecords, recomputeEmissions } from '#app/services/emissions.server.ts'
import { importFactorSet, publishFactorSet, retireFactorSet } from '#app/services/factor-sets.server.ts'
import { listResultsForRecords } from '#db/models/emissions.ts'
import { listAuditFor } from '#db/models/audit.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'
import { addOutlet, addRecord, derivedSetFiles } from './emissions-support.ts'

let t: TestDatabase
const now = new Date('2026-11-22T08:00:00Z')
let henan: number
let yunnan: number
const ids: Record<string, string> = {}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  henan = await addOutlet(t.db, 'RECO-410105-T1', '410105')
  yunnan = await addOutlet(t.db, 'RECO-530102-T1', '530102')
  // Henan: March 2022 open, April 2022 submitted (locked); Yunnan: March 2022 open
  ids.henanOpen = await addRecord(t.db, 'facility_electricity', henan, { month: '2022-03-01', electricity_kwh: '1000' })
  ids.henanLocked = await addRecord(t.db, 'facility_electricity', henan, { month: '2022-04-01', electricity_kwh: '1000' })
  ids.yunnanOpen = await addRecord(t.db, 'facility_electricity', yunnan, { month: '2022-03-01', electricity_kwh: '1000' })
  for (const outlet of [henan, yunnan]) {
    const r = await recomputeEmissions(t.db, { outletId: outlet })
    expect(r.ok).toBe(true)
  }
  await t.db.insertInto('period_submissions').values({ outlet_id: henan, month: '2022-04-01' }).execute()
})
afterAll(() => t?.close())

const central = 'grid.central.2022,electricity:grid,generation,0.5395,'

async function results(id: string) {
  return (await listResultsForRecords(t.db, 'facility_electricity', [id])).map((r) => ({
    version: r.factorSetVersion,
    status: r.status,
    co2eKg: r.co2eKg,
    computedAt: r.computedAt.toISOString(),
  }))
}

describe('publishing a corrected set', () => {
  let lockedBefore: Awaited<ReturnType<typeof results>>

  it('stores the draft without touching any result', async () => {
    lockedBefore = await results(ids.henanLocked!)
    expect(lockedBefore.map(({ computedAt: _, ...r }) => r)).toEqual([{ version: '2026.1', status: 'current', co2eKg: '539.5' }])
    const files = await derivedSetFiles('2026.2', { status: 'draft', replace: [[central, 'grid.central.2022,electricity:grid,generation,0.5400,']] })
    const stored = await importFactorSet(t.db, files, { actor: null, as: 'draft', now })
    expect(stored).toMatchObject({ ok: true, status: 'draft' })
    expect(await results(ids.henanOpen!)).toHaveLength(1)
  })

  it('recomputes open months, supersedes the old results, and adds a restatement beside the locked month', async () => {
    const admin = await t.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()
    const published = await publishFactorSet(t.db, { userId: admin.id }, '2026.2', { now })
    expect(published.ok).toBe(true)
    if (!published.ok || !published.summary) return
    // Only the Central grid factor changed: the two Henan records' figures change (539.5 → 540),
    // Yunnan's does not (0.1073 in both sets), whatever other records the demo data holds.
    const open = await results(ids.henanOpen!)
    expect(open.map(({ computedAt: _, ...r }) => r)).toEqual([
      { version: '2026.2', status: 'current', co2eKg: '540' },
      { version: '2026.1', status: 'superseded', co2eKg: '539.5' },
    ])
    const yunnanResults = await results(ids.yunnanOpen!)
    expect(yunnanResults.map(({ computedAt: _, ...r }) => r)).toEqual([
      { version: '2026.2', status: 'current', co2eKg: '107.3' },
      { version: '2026.1', status: 'superseded', co2eKg: '107.3' },
    ])
    // the locked month keeps its result, untouched, and gains the restatement beside it
    const locked = await results(ids.henanLocked!)
    expect(locked).toEqual([
      { version: '2026.2', status: 'restatement', co2eKg: '540', computedAt: expect.any(String) },
      lockedBefore[0],
    ])
    expect(published.summary.restatements).toBeGreaterThanOrEqual(1)
    expect(published.summary.failed).toBe(0)
    const audit = await listAuditFor(t.db, 'factor_set', '2026.2')
    expect(audit.map((a) => a.action)).toEqual(['factor_set.import', 'factor_set.publish'])
    expect(audit[1]!.after).toMatchObject({ version: '2026.2', recompute: { examined: published.summary.examined, restatements: published.summary.restatements } })
  })

  it('counts only changed figures as changed: a recompute of one outlet with the set in force changes nothing', async () => {
    const again = await recomputeEmissions(t.db, { outletId: henan, skipRollups: true })
    expect(again.ok && again.summary).toMatchObject({ factorSetVersion: '2026.2', examined: 2, changed: 0, written: 0, superseded: 0, unchanged: 2, restatements: 0 })
  })

  it('a newer set replaces the older restatement; the locked result still stands', async () => {
    const files = await derivedSetFiles('2026.3', { status: 'draft', replace: [[central, 'grid.central.2022,electricity:grid,generation,0.5410,']] })
    expect(await importFactorSet(t.db, files, { actor: null, as: 'draft', now })).toMatchObject({ ok: true })
    expect((await publishFactorSet(t.db, null, '2026.3', { now })).ok).toBe(true)
    const locked = await results(ids.henanLocked!)
    expect(locked.map(({ computedAt: _, ...r }) => r)).toEqual([
      { version: '2026.3', status: 'restatement', co2eKg: '541' },
      { version: '2026.2', status: 'superseded', co2eKg: '540' },
      { version: '2026.1', status: 'current', co2eKg: '539.5' },
    ])
    expect(locked[2]).toEqual(lockedBefore[0])
  })

  it('new records are costed with the set in force; an older published set can still be asked for and retired', async () => {
    const id = await addRecord(t.db, 'facility_electricity', henan, { month: '2022-06-01', electricity_kwh: '1000' })
    const inForce = await costRecords(t.db, 'facility_electricity', [id])
    expect(inForce.factorSetVersion).toBe('2026.3')
    expect(inForce.results[0]).toMatchObject({ ok: true, figures: { co2eKg: '541' } })
    // an older published set's results would not count: refused with a message, nothing written
    const older = await costRecords(t.db, 'facility_electricity', [id], { factorSet: '2026.2' })
    expect(older.results[0]).toEqual({ recordId: id, ok: false, error: { key: 'emissions.error.setNotInForce', params: { version: '2026.2', inForce: '2026.3' } } })
    const olderRecompute = await recomputeEmissions(t.db, { version: '2026.2', outletId: henan, skipRollups: true })
    expect(olderRecompute).toEqual({ ok: false, error: { key: 'emissions.error.setNotInForce', params: { version: '2026.2', inForce: '2026.3' } } })
    expect(await retireFactorSet(t.db, null, '2026.2', { now })).toEqual({ ok: true })
    const retired = await costRecords(t.db, 'facility_electricity', [id], { factorSet: '2026.2' })
    expect(retired.results[0]).toEqual({ recordId: id, ok: false, error: { key: 'emissions.error.setNotPublished', params: { version: '2026.2', status: 'retired' } } })
  })

  it('a recompute from a month on leaves earlier months alone', async () => {
    const id = await addRecord(t.db, 'facility_electricity', yunnan, { month: '2021-12-01', electricity_kwh: '500' })
    const r = await recomputeEmissions(t.db, { outletId: yunnan, fromMonth: '2022-01-01', skipRollups: true })
    expect(r.ok && r.summary.examined).toBe(1)
    expect(await results(id)).toEqual([])
  })
})

describe('the COPY path of the recompute scripts (PostgreSQL only)', () => {
  it('stores the same rows as the insert path; a COPY that meets a stored result fails as a whole instead of hanging', async (ctx) => {
    if (t.kind !== 'postgres' || !process.env.DATABASE_URL) return ctx.skip()
    const { default: postgres } = await import('postgres')
    const { copyResults } = await import('#db/models/emission-results.ts')
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db)
    const url = new URL(process.env.DATABASE_URL)
    url.pathname = `/${rows[0]!.name}`
    const pg = postgres(url.toString(), { max: 1, onnotice: () => {} })
    try {
      const outlet = await addOutlet(t.db, 'COPY-530102-T1', '530102')
      const a = await addRecord(t.db, 'facility_electricity', outlet, { month: '2022-07-01', electricity_kwh: '1000' })
      const b = await addRecord(t.db, 'facility_electricity', outlet, { month: '2022-08-01', electricity_kwh: '2000.5' })
      const r = await recomputeEmissions(t.db, { outletId: outlet, skipRollups: true, bulkWriter: (type, v, list) => copyResults(pg, type, v, list) })
      expect(r.ok && r.summary).toMatchObject({ examined: 2, written: 2, changed: 2 })
      const stored = await listResultsForRecords(t.db, 'facility_electricity', [a, b])
      // 1000 × 0.1073 = 107.3; 2000.5 × 0.1073 = 214.65365 (set 2026.3 keeps Yunnan's factor)
      expect(stored.map((s) => [s.co2eKg, s.status, s.provenance])).toEqual([
        ['107.3', 'current', { inputs: { electricityKwh: '1000', regionCode: '530102', year: 2022 }, factorIds: ['grid.province.530000.2022'] }],
        ['214.65365', 'current', { inputs: { electricityKwh: '2000.5', regionCode: '530102', year: 2022 }, factorIds: ['grid.province.530000.2022'] }],
      ])
      // a COPY that meets a stored result fails as a whole and says so (no hang)
      const row = { outletId: outlet, recordId: a, month: '2022-07-01', category: 'facility' as const, co2eKg: '1', avoidedCo2eKg: '0', ttwKg: null, wttKg: null, electricityKg: null, method: 'electricity', dataQuality: 1, provenance: '{}', status: 'current' as const }
      await expect(copyResults(pg, 'facility_electricity', stored[0]!.factorSetVersion, [row])).rejects.toThrow()
    } finally {
      await pg.end()
    }
  })
})
