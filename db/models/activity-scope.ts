import { sql, type Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { VehicleProfile } from '#app/domain/activity/context.ts'
import type { Database } from '../schema.ts'
import { outletVisibleTo } from './scope.ts'

/**
 * The reference data a viewer's forms and uploads are checked against:
 * outlets, catalog items and vehicles in scope, and the locked months.
 */

export interface OutletRef {
  id: number
  code: string
  brandId: number
  regionCode: string
  kind: 'outlet' | 'sorting_centre'
  nameZh: string
  nameEn: string
}

export interface VehicleRef extends VehicleProfile {
  id: string
  plate: string
  outletId: number
  brandId: number
  regionCode: string
}

export interface ItemRef {
  id: number
  code: string
  nameZh: string
  nameEn: string
  category: string
  /** What costing needs: the material's factor quantity, unit mass, design life of a reusable item. */
  material: string
  unitMassKg: string
  designLifeUses: number | null
}

/**
 * What a viewer's records are checked against, read once before a form is
 * validated or a file parsed (validation is synchronous, row by row).
 * `otherOutletCodes` and `otherPlates` exist so that a code of another brand
 * is refused as out of scope rather than as unknown.
 */
export interface ScopeData {
  outlets: Map<string, OutletRef>
  otherOutletCodes: Set<string>
  items: Map<string, ItemRef>
  vehicles: Map<string, VehicleRef>
  otherPlates: Set<string>
  /** `${outletId}|YYYY-MM-01` of submitted months. */
  lockedMonths: Set<string>
}

export async function loadScopeData(
  db: Kysely<Database>,
  viewer: Viewer,
  need: { items?: boolean; vehicles?: boolean } = { items: true, vehicles: true },
): Promise<ScopeData> {
  const visible = await db
    .selectFrom('outlets')
    .where((eb) => outletVisibleTo(eb, viewer))
    .select(['id', 'code', 'brand_id', 'region_code', 'kind', 'name_zh', 'name_en'])
    .orderBy('code')
    .execute()
  const outlets = new Map<string, OutletRef>()
  for (const o of visible) {
    outlets.set(o.code, { id: o.id, code: o.code, brandId: o.brand_id, regionCode: o.region_code, kind: o.kind, nameZh: o.name_zh, nameEn: o.name_en })
  }
  const others =
    viewer.role === 'admin'
      ? []
      : await db
          .selectFrom('outlets')
          .where((eb) => eb.not(outletVisibleTo(eb, viewer)))
          .select('code')
          .execute()
  const items = new Map<string, ItemRef>()
  if (need.items) {
    const rows = await db
      .selectFrom('packaging_items')
      .select(['id', 'code', 'name_zh', 'name_en', 'category', 'material', 'unit_mass_kg', 'design_life_uses'])
      .orderBy('code')
      .execute()
    for (const r of rows) {
      items.set(r.code, {
        id: r.id,
        code: r.code,
        nameZh: r.name_zh,
        nameEn: r.name_en,
        category: r.category,
        material: r.material,
        unitMassKg: String(r.unit_mass_kg),
        designLifeUses: r.design_life_uses,
      })
    }
  }
  const vehicles = new Map<string, VehicleRef>()
  const otherPlates = new Set<string>()
  if (need.vehicles) {
    const rows = await db
      .selectFrom('vehicles')
      .innerJoin('outlets', 'outlets.id', 'vehicles.outlet_id')
      .where('vehicles.superseded_at', 'is', null)
      .select((eb) => [
        'vehicles.id',
        'vehicles.plate',
        'vehicles.outlet_id as outletId',
        'vehicles.brand_id as brandId',
        'vehicles.region_code as regionCode',
        'vehicles.vehicle_class as vehicleClass',
        'vehicles.energy',
        sql<string>`vehicles.in_service_from::text`.as('inServiceFrom'),
        sql<string | null>`vehicles.in_service_to::text`.as('inServiceTo'),
        sql<boolean>`${outletVisibleTo(eb, viewer)}`.as('visible'),
      ])
      .orderBy('vehicles.in_service_from')
      .execute()
    for (const r of rows) {
      if (!r.visible) {
        otherPlates.add(r.plate)
        continue
      }
      // Latest in service wins if a plate is (wrongly) current at two outlets.
      vehicles.set(r.plate, {
        id: String(r.id),
        plate: r.plate,
        outletId: r.outletId,
        brandId: r.brandId,
        regionCode: r.regionCode,
        vehicleClass: r.vehicleClass,
        energy: r.energy,
        inServiceFrom: r.inServiceFrom,
        inServiceTo: r.inServiceTo,
      })
    }
    for (const plate of vehicles.keys()) otherPlates.delete(plate)
  }
  const locked = visible.length === 0 ? [] : await lockedMonthsOf(db, viewer)
  return {
    outlets,
    otherOutletCodes: new Set(others.map((o) => o.code)),
    items,
    vehicles,
    otherPlates,
    lockedMonths: new Set(locked.map((l) => `${l.outletId}|${l.month}`)),
  }
}

async function lockedMonthsOf(db: Kysely<Database>, viewer: Viewer) {
  return db
    .selectFrom('period_submissions')
    .innerJoin('outlets', 'outlets.id', 'period_submissions.outlet_id')
    .where((eb) => outletVisibleTo(eb, viewer))
    .select(['period_submissions.outlet_id as outletId', sql<string>`period_submissions.month::text`.as('month')])
    .execute()
}
