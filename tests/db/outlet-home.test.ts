import { sql, type KyselyPlugin } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import { recentRecords, saveRecordFromForm } from '#app/services/activity.server.ts'
import { outletHome, recentOnHome } from '#app/services/outlet-home.server.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// The outlet home's data on a seeded database (no demo activity): the recent
// records across types in creation order, the operator's own only; today's
// shipments; and the number of statements a request costs.

let t: TestDatabase
const today = '2026-11-22'
const now = new Date('2026-11-22T04:00:00Z')
const sfOutlet = 'SF-410105-01'
const ztoOutlet = 'ZTO-410105-01'
let operator: Viewer
let zto: Viewer
let brandAdmin: Viewer

async function save(who: Viewer, code: RecordCode, values: Record<string, string>): Promise<string> {
  const result = await saveRecordFromForm(t.db, who, code, values, { today })
  if (!result.ok) throw new Error(`not saved: ${JSON.stringify(result)}`)
  return String(result.id)
}

/** Sets a record's creation time, so that the order across tables is known. */
async function createdAt(table: string, id: string, at: string) {
  await sql`update ${sql.table(table)} set created_at = ${at}::timestamptz where id = ${id}::bigint`.execute(t.db)
}

async function home(who: Viewer, day = today) {
  const result = await outletHome(t.db, who, { today: day, now })
  if (!result.ok) throw new Error(`refused: ${result.status}`)
  return result
}

const shipment = (date: string, outletCode = sfOutlet) => ({ outletCode, date, parcels: '1000', eWaybillParcels: '990', paperWaybillParcels: '10', dataQuality: 'measured' })

const ids: Record<string, string> = {}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  operator = await viewerOf(t.db, 'outlet.sf')
  zto = await viewerOf(t.db, 'outlet.zto')
  brandAdmin = await viewerOf(t.db, 'carrier.sf')
  ids.ship05 = await save(operator, 'shipment_stats', shipment('2026-11-05'))
  ids.ship06 = await save(operator, 'shipment_stats', shipment('2026-11-06'))
  ids.packaging = await save(operator, 'packaging_consumption', { outletCode: sfOutlet, period: '2026-11', itemCode: 'box_03', itemCount: '400', dataQuality: 'measured' })
  ids.bins = await save(operator, 'recovery_bins', { outletCode: sfOutlet, asOfDate: '2026-11-10', installedBins: '3', labelledBins: '3', inServiceBins: '2', dataQuality: 'measured' })
  ids.vehicle = await save(brandAdmin, 'vehicles', { plate: '豫A0E901', outletCode: sfOutlet, vehicleClass: 'electric_tricycle', energy: 'BEV', emissionStandard: 'none', inServiceFrom: '2025-01-01', acquisition: 'new', dataQuality: 'measured' })
  ids.electricity = await save(operator, 'facility_electricity', { siteCode: sfOutlet, month: '2026-10', electricityKwh: '812.5', dataQuality: 'measured' })
  ids.zto = await save(zto, 'shipment_stats', shipment('2026-11-07', ztoOutlet))
  // Creation times out of the types' order; the two shipments and the packaging share one.
  await createdAt('vehicles', ids.vehicle, '2026-11-20T10:00:00Z')
  await createdAt('facility_electricity', ids.electricity, '2026-11-20T09:00:00Z')
  await createdAt('recovery_bins', ids.bins, '2026-11-20T08:00:00.000900Z')
  await createdAt('shipment_stats', ids.ship05, '2026-11-20T08:00:00.000100Z')
  await createdAt('shipment_stats', ids.ship06, '2026-11-20T08:00:00Z')
  await createdAt('packaging_consumption', ids.packaging, '2026-11-20T08:00:00Z')
  await createdAt('shipment_stats', ids.zto, '2026-11-21T08:00:00Z')
}, 120_000)

afterAll(async () => {
  await t?.close()
})

describe('the outlet home', () => {
  it('lists the latest records across types by creation time (to the millisecond), ties in the types’ order and by date, the outlet’s own only', async () => {
    const { recent } = await home(operator)
    expect(recent).toEqual([
      { recordType: 'vehicles', id: ids.vehicle, label: '豫A0E901' },
      { recordType: 'facility_electricity', id: ids.electricity, label: '2026-10' },
      // 08:00:00.000 to the millisecond: shipments (newest date first), then packaging, then bins.
      { recordType: 'shipment_stats', id: ids.ship06, label: '2026-11-06' },
      { recordType: 'shipment_stats', id: ids.ship05, label: '2026-11-05' },
      { recordType: 'packaging_consumption', id: ids.packaging, label: '2026-11' },
      { recordType: 'recovery_bins', id: ids.bins, label: '2026-11-10' },
    ])
    expect(recent).toHaveLength(recentOnHome)
    expect((await home(zto)).recent).toEqual([{ recordType: 'shipment_stats', id: ids.zto, label: '2026-11-07' }])
  })

  it('leaves out superseded records', async () => {
    await sql`update facility_electricity set superseded_at = now() where id = ${ids.electricity}::bigint`.execute(t.db)
    try {
      expect((await home(operator)).recent.map((r) => `${r.recordType}:${r.id}`)).not.toContain(`facility_electricity:${ids.electricity}`)
    } finally {
      await sql`update facility_electricity set superseded_at = null where id = ${ids.electricity}::bigint`.execute(t.db)
    }
  })

  it('shows today’s shipments when the newest of the month is today’s, and counts the month’s records', async () => {
    const before = await home(operator)
    expect(before.glance.todayShipment).toBeNull()
    expect(before.glance.missing.missingDays).not.toContain('2026-11-05')
    const id = await save(operator, 'shipment_stats', { ...shipment(today), parcels: '1200', eWaybillParcels: '1150', paperWaybillParcels: '50' })
    const after = await home(operator)
    expect(after.glance.todayShipment).toEqual({ id, parcels: '1200', eWaybillParcels: '1150' })
    expect(after.glance.thisMonth.records).toBe(before.glance.thisMonth.records + 1)
    expect(after.glance.lastMonth.records).toBe(1) // the October electricity
    expect((await home(operator, '2026-11-23')).glance.todayShipment).toBeNull()
    expect((await home(zto)).glance.todayShipment).toBeNull()
  })

  it('follows a change to either month’s rollup rows, written around the services (its reports are cached)', async () => {
    const parcelsOf = async () => {
      const { glance } = await home(operator)
      return [glance.thisMonth.parcels, glance.lastMonth.parcels]
    }
    const before = await parcelsOf()
    expect(before[0]).not.toBeNull()
    await sql`update outlet_month_rollups set parcels = parcels + 7 where outlet_id = ${operator.outletId} and month = '2026-11-01'`.execute(t.db)
    expect(await parcelsOf()).toEqual([String(Number(before[0]) + 7), before[1]])
    await sql`update outlet_month_rollups set parcels = parcels - 7 where outlet_id = ${operator.outletId} and month = '2026-11-01'`.execute(t.db)
    expect(await parcelsOf()).toEqual(before)
  })

  it('is refused to anyone but an outlet operator', async () => {
    const refused = await outletHome(t.db, brandAdmin, { today, now })
    expect(refused).toEqual({ ok: false, status: 403 })
  })

  it('costs a bounded number of statements: one for the recent records, eight in all once its reports are cached', async () => {
    let statements = 0
    const counter: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements++
        return args.result
      },
    }
    const counted = t.db.withPlugin(counter)
    await outletHome(counted, operator, { today, now })
    statements = 0
    const result = await outletHome(counted, operator, { today, now })
    expect(result.ok).toBe(true)
    // the outlet (once: the card's and the glance's scope check); the recent records; the glance's month
    // range and target sets (with their targets), the fingerprints of both months, the record counts,
    // the shipment days and the submissions
    expect(statements).toBe(8)
    statements = 0
    await recentRecords(counted, operator, recentOnHome)
    expect(statements).toBe(1)
  })
})
