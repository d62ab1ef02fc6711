import type { Kysely } from 'kysely'
import type { Database } from '#db/schema.ts'

// Rows written straight into the activity tables for report tests: the owner
// columns an outlet's records copy, and one day of shipment statistics.

/** The columns a record copies from its outlet, as a test writes them. */
export async function ownerColumns(db: Kysely<Database>, code: string) {
  const o = await db.selectFrom('outlets').select(['id', 'brand_id', 'region_code']).where('code', '=', code).executeTakeFirstOrThrow()
  return { outlet_id: o.id, brand_id: o.brand_id, region_code: o.region_code, data_quality: 'measured' as const, source: 'form' as const }
}

/** One day's counts; the optional ones left out are blank (not reported), never zero. */
export type ShipmentDay = { parcels: number; e: number; ecom?: number; orig?: number; rec?: number; box?: number; narrow?: number; bags?: number; rbags?: number }

/** Inserts one day of shipment statistics for an outlet (paper waybills: the rest); returns its id. */
export async function insertShipmentDay(db: Kysely<Database>, code: string, date: string, f: ShipmentDay) {
  const row = await db
    .insertInto('shipment_stats')
    .values({
      ...(await ownerColumns(db, code)),
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
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
