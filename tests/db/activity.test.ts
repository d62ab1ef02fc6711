import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'
import { activityWriterRoles, ForbiddenWrite, recordPage, saveRecordFromForm, submitOutletMonth, type SaveResult } from '#app/services/activity.server.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// The form path end to end on a seeded database: each plausibility rule
// reaches the user as a named, translated error through the same function the
// form's action calls; every record type is written, costed and rolled up;
// edits are audited; a submitted month takes restatements with a reason only.

let t: TestDatabase
const today = '2026-11-22'
const sfOutlet = 'SF-410105-01'
const ztoOutlet = 'ZTO-410105-01'

const viewer = (username: string): Promise<Viewer> => viewerOf(t.db, username)

let operator: Viewer
let brandAdmin: Viewer

const save = (who: Viewer, code: RecordCode, values: Record<string, string>, options: { recordId?: string; reason?: string } = {}) =>
  saveRecordFromForm(t.db, who, code, values, { today, ...options })

function failure(result: SaveResult) {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result)}`)
  return result
}

function created(result: SaveResult): string {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`)
  return result.id
}

/** The (field, code, Chinese message) of each issue: what the user sees beside the field. */
function issues(result: SaveResult) {
  return failure(result).issues.map((i) => ({ field: i.field, code: i.code, zh: issueMessage(i, 'zh-CN') }))
}

const shipment = (overrides: Record<string, string> = {}) => ({
  outletCode: sfOutlet,
  date: '2026-11-05',
  parcels: '1000',
  eWaybillParcels: '990',
  paperWaybillParcels: '10',
  dataQuality: 'measured',
  ...overrides,
})

// A diesel van and an electric tricycle registered through the form; their monthly use exercises the fleet rules.
const diesel = { plate: '豫A0D001', outletCode: sfOutlet, vehicleClass: 'light_van', energy: 'diesel', emissionStandard: 'guo6', inServiceFrom: '2025-01-01', acquisition: 'existing', dataQuality: 'measured' }
const tricycle = { plate: '豫A0E001', outletCode: sfOutlet, vehicleClass: 'electric_tricycle', energy: 'BEV', emissionStandard: 'none', inServiceFrom: '2025-01-01', acquisition: 'new', dataQuality: 'measured' }

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  operator = await viewer('outlet.sf')
  brandAdmin = await viewer('carrier.sf')
  created(await save(brandAdmin, 'vehicles', diesel))
  created(await save(operator, 'vehicles', tricycle))
})
afterAll(async () => t?.close())

describe('plausibility rules through the form action', () => {
  it('part exceeds whole: e-waybill parcels above parcels', async () => {
    expect(issues(await save(operator, 'shipment_stats', shipment({ eWaybillParcels: '1100', paperWaybillParcels: '0' })))).toEqual([
      { field: 'eWaybillParcels', code: 'part_exceeds_whole', zh: '“电子运单件数”（1100）不能大于“收寄件数”（1000），请核对这两个数。' },
    ])
  })

  it('parts must add up: e-waybill + paper waybill = parcels (990 + 20 = 1010 ≠ 1000)', async () => {
    expect(issues(await save(operator, 'shipment_stats', shipment({ paperWaybillParcels: '20' })))).toEqual([
      { field: 'eWaybillParcels', code: 'parts_do_not_add_up', zh: '“电子运单件数”、“纸质运单件数”之和（1010）应等于“收寄件数”（1000），请核对。' },
    ])
  })

  it('a part without its whole: recyclable transit bags without transit bags', async () => {
    expect(issues(await save(operator, 'shipment_stats', shipment({ recyclableTransitBags: '5' })))).toMatchObject([
      { field: 'recyclableTransitBags', code: 'part_without_whole', zh: '填写了“循环中转袋数”，也请填写“总包袋数”。' },
    ])
  })

  it('no future dates (tomorrow in China) and no future months', async () => {
    expect(issues(await save(operator, 'shipment_stats', shipment({ date: '2026-11-23' })))).toEqual([
      { field: 'date', code: 'future_date', zh: '“日期”是 2026-11-23，晚于今天（2026-11-22）。不能填写将来的日期。' },
    ])
    expect(issues(await save(operator, 'facility_electricity', { siteCode: sfOutlet, month: '2026-12', electricityKwh: '100', dataQuality: 'measured' }))).toMatchObject([
      { field: 'month', code: 'future_month' },
    ])
  })

  it('reused cartons cannot exceed cartons collected; a recycler mass needs the recycler', async () => {
    const base = { outletCode: sfOutlet, date: '2026-11-05', dataQuality: 'measured' }
    expect(issues(await save(operator, 'recovery_collections', { ...base, cartonsCollected: '10', cartonsReused: '12' }))).toMatchObject([
      { field: 'cartonsReused', code: 'part_exceeds_whole' },
    ])
    expect(issues(await save(operator, 'recovery_collections', { ...base, cartonsCollected: '10', cartonsReused: '8', recyclerMassKg: '12.5' }))).toEqual([
      { field: 'recyclerName', code: 'recycler_name_required', zh: '填写了交售回收企业的重量，请同时填写“回收企业名称”。' },
    ])
  })

  it('vehicle register: in service to before from; a tricycle is electric; a battery vehicle has no emission standard', async () => {
    expect(issues(await save(brandAdmin, 'vehicles', { ...diesel, plate: '豫A0D002', inServiceTo: '2024-12-31' }))).toMatchObject([
      { field: 'inServiceTo', code: 'end_before_start' },
    ])
    expect(issues(await save(brandAdmin, 'vehicles', { ...tricycle, plate: '豫A0E002', energy: 'gasoline', emissionStandard: 'guo6' }))).toMatchObject([
      { field: 'energy', code: 'tricycle_must_be_electric', zh: '电动三轮车的“能源类型”只能是纯电动，请核对车辆类型或能源类型。' },
    ])
    expect(issues(await save(brandAdmin, 'vehicles', { ...tricycle, plate: '豫A0E003', emissionStandard: 'guo6' }))).toMatchObject([
      { field: 'emissionStandard', code: 'electric_has_no_emission_standard' },
    ])
  })

  it('monthly use: fuel in both units, the wrong unit, fuel for a battery vehicle, electricity for a diesel, energy without distance', async () => {
    const use = { month: '2026-10', dataQuality: 'measured' }
    expect(issues(await save(operator, 'vehicle_use', { ...use, plate: diesel.plate, distanceKm: '1000', fuelLitres: '80', fuelKg: '10' }))).toMatchObject([
      { field: 'fuelLitres', code: 'fuel_both_units' },
    ])
    expect(issues(await save(operator, 'vehicle_use', { ...use, plate: diesel.plate, distanceKm: '1000', fuelKg: '80' }))).toEqual([
      { field: 'fuelKg', code: 'fuel_unit_mismatch', zh: '柴油车辆的燃料请填在“燃油（升）”一栏，而不是“燃料（千克）”。' },
    ])
    expect(issues(await save(operator, 'vehicle_use', { ...use, plate: tricycle.plate, distanceKm: '800', fuelLitres: '5' }))).toMatchObject([
      { field: 'fuelLitres', code: 'fuel_for_electric' },
    ])
    expect(issues(await save(operator, 'vehicle_use', { ...use, plate: diesel.plate, distanceKm: '1000', fuelLitres: '80', electricityKwh: '50' }))).toMatchObject([
      { field: 'electricityKwh', code: 'electricity_for_fuel_vehicle' },
    ])
    expect(issues(await save(operator, 'vehicle_use', { ...use, plate: diesel.plate, distanceKm: '0', fuelLitres: '80' }))).toMatchObject([
      { field: 'fuelLitres', code: 'energy_without_distance' },
    ])
  })

  it('the class range: 500 kWh over 1,000 km is 0.5 kWh/km, outside an electric tricycle’s range', async () => {
    const result = issues(await save(operator, 'vehicle_use', { plate: tricycle.plate, month: '2026-10', distanceKm: '1000', electricityKwh: '500', dataQuality: 'measured' }))
    expect(result).toMatchObject([{ field: 'electricityKwh', code: 'outside_vehicle_range' }])
    expect(result[0]!.zh).toContain('折合 0.5 千瓦时/公里，超出电动三轮车（纯电动）的合理范围')
  })

  it('a month outside the vehicle’s service period', async () => {
    expect(issues(await save(operator, 'vehicle_use', { plate: diesel.plate, month: '2024-12', distanceKm: '1000', fuelLitres: '80', dataQuality: 'measured' }))).toMatchObject([
      { field: 'month', code: 'outside_service_period' },
    ])
  })

  it('unknown codes: an outlet, a catalog item, a plate', async () => {
    expect(issues(await save(brandAdmin, 'shipment_stats', shipment({ outletCode: 'SF-NOPE' })))).toMatchObject([{ field: 'outletCode', code: 'unknown_outlet' }])
    expect(issues(await save(operator, 'packaging_consumption', { outletCode: sfOutlet, period: '2026-11', itemCode: 'no_such_item', itemCount: '5', dataQuality: 'measured' }))).toMatchObject([
      { field: 'itemCode', code: 'unknown_packaging_item' },
    ])
    expect(issues(await save(operator, 'vehicle_use', { plate: '豫Z99999', month: '2026-10', distanceKm: '10', dataQuality: 'measured' }))).toMatchObject([
      { field: 'plate', code: 'unknown_vehicle' },
    ])
  })

  it('values as typed: required, not a number, negative, not whole, invalid date, invalid option', async () => {
    const result = issues(await save(operator, 'shipment_stats', { outletCode: sfOutlet, date: '2026/13/01', parcels: 'abc', eWaybillParcels: '-3', paperWaybillParcels: '1.5', dataQuality: 'guess' }))
    expect(result.map((i) => `${i.field}:${i.code}`)).toEqual([
      'date:invalid_date',
      'parcels:not_a_number',
      'eWaybillParcels:negative',
      'paperWaybillParcels:not_whole',
      'dataQuality:invalid_option',
    ])
    expect(issues(await save(operator, 'shipment_stats', { ...shipment(), parcels: '' }))).toContainEqual({ field: 'parcels', code: 'required', zh: '请填写“收寄件数”。' })
  })

  it('full-width digits and thousands separators are read, not refused', async () => {
    const id = created(await save(operator, 'shipment_stats', shipment({ date: '2026-11-01', parcels: '１，２００', eWaybillParcels: '1,150', paperWaybillParcels: '５０' })))
    const row = await t.db.selectFrom('shipment_stats').select(['parcels', 'e_waybill_parcels', 'paper_waybill_parcels']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toEqual({ parcels: 1200, e_waybill_parcels: 1150, paper_waybill_parcels: 50 })
  })
})

describe('scope', () => {
  it('an operator cannot write another brand’s outlet, nor a brand admin another brand’s', async () => {
    expect(issues(await save(operator, 'shipment_stats', shipment({ outletCode: ztoOutlet })))).toEqual([
      { field: 'outletCode', code: 'outlet_out_of_scope', zh: '“ZTO-410105-01”不是您的网点或您品牌的网点，不能为其上报数据。' },
    ])
    expect(issues(await save(brandAdmin, 'shipment_stats', shipment({ outletCode: ztoOutlet })))).toMatchObject([{ code: 'outlet_out_of_scope' }])
    const zto = await viewer('outlet.zto')
    expect(issues(await save(zto, 'vehicle_use', { plate: diesel.plate, month: '2026-10', distanceKm: '10', fuelLitres: '1', dataQuality: 'measured' }))).toMatchObject([
      { field: 'plate', code: 'vehicle_out_of_scope' },
    ])
  })

  it('a brand admin writes for any outlet of its brand; a bureau officer writes nothing', async () => {
    const other = await t.db.selectFrom('outlets').innerJoin('brands', 'brands.id', 'outlets.brand_id').select('outlets.code').where('brands.code', '=', 'sf').where('outlets.code', '<>', sfOutlet).orderBy('outlets.code').executeTakeFirstOrThrow()
    created(await save(brandAdmin, 'shipment_stats', shipment({ outletCode: other.code, date: '2026-11-03' })))
    const bureau = await viewer('bureau.zhengzhou')
    expect(activityWriterRoles).not.toContain('bureau_officer')
    await expect(save(bureau, 'shipment_stats', shipment({ date: '2026-11-04' }))).rejects.toBeInstanceOf(ForbiddenWrite)
  })
})

describe('every record type by form: stored, costed at once, rolled up', () => {
  const forms: [RecordCode, Record<string, string>, 'costed' | 'not costed'][] = [
    ['shipment_stats', shipment({ date: '2026-11-10' }), 'costed'],
    ['packaging_consumption', { outletCode: sfOutlet, period: '2026-11', itemCode: 'box_03', itemCount: '400', dataQuality: 'measured' }, 'costed'],
    ['recovery_bins', { outletCode: sfOutlet, asOfDate: '2026-11-10', installedBins: '3', labelledBins: '3', inServiceBins: '2', dataQuality: 'measured' }, 'not costed'],
    ['recovery_collections', { outletCode: sfOutlet, date: '2026-11-10', cartonsCollected: '120', cartonsReused: '80', recyclerMassKg: '12.5', recyclerName: '郑州再生资源公司', dataQuality: 'measured' }, 'costed'],
    ['reusable_assets', { outletCode: sfOutlet, month: '2026-11', assetType: 'box', assetsInCirculation: '300', tripsCompleted: '900', assetsReturned: '850', assetsLost: '6', dataQuality: 'measured' }, 'costed'],
    ['vehicles', { ...diesel, plate: '豫A0D009' }, 'not costed'],
    ['vehicle_use', { plate: diesel.plate, month: '2026-10', distanceKm: '2150', fuelLitres: '215', dataQuality: 'measured' }, 'costed'],
    ['facility_electricity', { siteCode: sfOutlet, month: '2026-11', electricityKwh: '1860', dataQuality: 'measured' }, 'costed'],
  ]
  for (const [code, values, costed] of forms) {
    it(`${code}: ${costed}`, async () => {
      const id = created(await save(operator, code, values))
      const page = await recordPage(t.db, operator, code, id)
      expect(page?.record.values).toMatchObject(Object.fromEntries(Object.entries(values).filter(([k]) => k !== 'recyclerMassKg')))
      const { rows } = await sql<{ status: string }>`select status from emission_results where record_id = ${id}::bigint and record_type = ${code}`.execute(t.db)
      expect(rows.map((r) => r.status)).toEqual(costed === 'costed' ? ['current'] : [])
    })
  }

  it('the month’s rollup counts a new day at once: 1,000 parcels on 2026-11-05, nothing else that month', async () => {
    created(await save(operator, 'shipment_stats', shipment({ date: '2026-11-05' })))
    const rollup = await t.db
      .selectFrom('outlet_month_rollups')
      .innerJoin('outlets', 'outlets.id', 'outlet_month_rollups.outlet_id')
      .select(['outlet_month_rollups.parcels', 'outlet_month_rollups.e_waybill_parcels'])
      .where('outlets.code', '=', sfOutlet)
      .where('outlet_month_rollups.month', '=', '2026-11-01')
      .executeTakeFirstOrThrow()
    // 2026-11-01: 1,200 (full-width test) + 2026-11-05: 1,000 + 2026-11-10: 1,000 = 3,200; e-waybills 1,150 + 990 + 990 = 3,130
    expect([Number(rollup.parcels), Number(rollup.e_waybill_parcels)]).toEqual([3200, 3130])
  })

  it('the same day twice is refused with a pointer to the record to edit', async () => {
    const result = failure(await save(operator, 'shipment_stats', shipment({ date: '2026-11-05', parcels: '2000', eWaybillParcels: '2000', paperWaybillParcels: '0' })))
    expect(result.formError?.key).toBe('activityPages.error.alreadyRecorded')
  })
})

describe('editing and restating', () => {
  it('an open month is edited in place, with before and after in the audit log, and re-costed', async () => {
    const id = created(await save(operator, 'shipment_stats', shipment({ date: '2026-11-12' })))
    const before = await sql<{ avoided: string }>`select avoided_co2e_kg as avoided from emission_results where record_id = ${id}::bigint and status = 'current'`.execute(t.db)
    const result = await save(operator, 'shipment_stats', shipment({ date: '2026-11-12', parcels: '1200', eWaybillParcels: '1190' }), { recordId: id })
    expect(result).toMatchObject({ ok: true, id, status: 'updated' })
    const audit = await t.db.selectFrom('audit_log').select(['action', 'before', 'after']).where('entity_type', '=', 'shipment_stats').where('entity_id', '=', id).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['activity.create', 'activity.update'])
    expect((audit[1]!.before as { parcels: number }).parcels).toBe(1000)
    expect((audit[1]!.after as { parcels: number }).parcels).toBe(1200)
    const after = await sql<{ avoided: string }>`select avoided_co2e_kg as avoided from emission_results where record_id = ${id}::bigint and status = 'current'`.execute(t.db)
    expect(after.rows).toHaveLength(1)
    expect(after.rows[0]!.avoided).not.toBe(before.rows[0]!.avoided)
  })

  it('a submitted month is locked: a change needs a reason and becomes a restatement shown beside the original', async () => {
    const seeded = { date: '2026-10-31', parcels: 500, e_waybill_parcels: 480, paper_waybill_parcels: 20 }
    const id = created(await save(operator, 'shipment_stats', shipment({ date: seeded.date, parcels: '500', eWaybillParcels: '480', paperWaybillParcels: '20' })))
    expect(await submitOutletMonth(t.db, operator, operator.outletId!, '2026-10', today)).toEqual({ ok: true })
    expect(await submitOutletMonth(t.db, operator, operator.outletId!, '2026-10', today)).toMatchObject({ ok: false, error: { key: 'activityPages.error.alreadySubmitted' } })

    const changed = shipment({
      date: seeded.date,
      parcels: String(seeded.parcels + 20),
      eWaybillParcels: String(seeded.e_waybill_parcels + 20),
      paperWaybillParcels: String(seeded.paper_waybill_parcels),
    })
    const refused = failure(await save(operator, 'shipment_stats', changed, { recordId: id }))
    expect(refused.formError).toEqual({ key: 'activityPages.error.reasonRequired', params: { month: '2026-10' } })

    const restated = await save(operator, 'shipment_stats', changed, { recordId: id, reason: '夜班 20 件漏计' })
    expect(restated).toMatchObject({ ok: true, status: 'restated' })
    const newId = created(restated)
    expect(newId).not.toBe(id)
    const rows = await t.db.selectFrom('shipment_stats').select(['id', 'parcels', 'superseded_at', 'superseded_by', 'restatement_reason']).where('id', 'in', [id, newId]).orderBy('id').execute()
    expect(rows.map((r) => [String(r.id), r.parcels, r.superseded_at !== null, r.superseded_by === null ? null : String(r.superseded_by), r.restatement_reason])).toEqual([
      [id, seeded.parcels, true, newId, null],
      [newId, seeded.parcels + 20, false, null, '夜班 20 件漏计'],
    ])
    const page = await recordPage(t.db, operator, 'shipment_stats', newId)
    expect(page?.replaced.map((r) => [r.id, r.values.parcels])).toEqual([[id, String(seeded.parcels)]])
    expect(page?.record.restatementReason).toBe('夜班 20 件漏计')
    const original = await recordPage(t.db, operator, 'shipment_stats', id)
    expect(original?.replacedBy?.id).toBe(newId)
    // Only the restated figure counts: the original's result is set aside.
    const { rows: results } = await sql<{ record_id: string; status: string }>`
      select record_id::text, status from emission_results where record_type = 'shipment_stats' and record_id in (${id}::bigint, ${newId}::bigint) order by record_id`.execute(t.db)
    expect(results.map((r) => [r.record_id, r.status])).toEqual([
      [id, 'superseded'],
      [newId, 'current'],
    ])
    // A new record in the locked month needs the reason too.
    const added = failure(await save(operator, 'packaging_consumption', { outletCode: sfOutlet, period: '2026-10-15', itemCode: 'box_01', itemCount: '3', dataQuality: 'measured' }))
    expect(added.formError?.key).toBe('activityPages.error.reasonRequired')
  })
})
