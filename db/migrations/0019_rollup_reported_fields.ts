import { sql, type Kysely } from 'kysely'

// Frozen in time. Missing is not zero (issue 13.3). A blank optional field of
// a day's shipment statistics means "not reported": that day leaves both the
// numerator and the denominator of the ratio that uses the field, so the
// pairs below are re-summed over the days that carry both of their fields
// (before, a blank numerator entered the denominator only). Each metric also
// gets the count of outlet-months that reported its data, for its coverage
// and so that a count reported by nobody is "insufficient data", not 0. The
// per-parcel intensities pool only outlet-months that reported both sides:
// packaging mass (or CO2e) of outlet-months with shipments over the parcels
// of outlet-months with packaging records (or emission results). Existing
// rows are filled by the same rules the rollup refresh applies from now on.

const reportedCounts = [
  'narrow_tape_reporting_outlets',
  'no_repack_reporting_outlets',
  'recyclable_packaging_reporting_outlets',
  'transit_bag_reporting_outlets',
  'packaging_reporting_outlets',
  'collection_reporting_outlets',
  'emissions_reporting_outlets',
] as const

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of reportedCounts) {
    await sql`alter table outlet_month_rollups add column ${sql.raw(column)} smallint not null default 0`.execute(db)
  }
  await sql`alter table outlet_month_rollups add column per_parcel_packaging_mass_kg numeric not null default 0`.execute(db)
  await sql`alter table outlet_month_rollups add column packaging_parcels bigint not null default 0`.execute(db)
  await sql`alter table outlet_month_rollups add column per_parcel_co2e_kg numeric not null default 0`.execute(db)
  await sql`alter table outlet_month_rollups add column emissions_parcels bigint not null default 0`.execute(db)

  await sql`
    update outlet_month_rollups r set
      box_parcels = s.box_parcels,
      narrow_tape_box_parcels = s.narrow_tape_box_parcels,
      ecommerce_parcels = s.ecommerce_parcels,
      ecommerce_original_parcels = s.ecommerce_original_parcels,
      recyclable_packaging_parcels = s.recyclable_packaging_parcels,
      transit_bags = s.transit_bags,
      recyclable_transit_bags = s.recyclable_transit_bags,
      narrow_tape_reporting_outlets = (r.outlets = 1 and s.narrow_tape)::int,
      no_repack_reporting_outlets = (r.outlets = 1 and s.no_repack)::int,
      recyclable_packaging_reporting_outlets = (r.outlets = 1 and s.recyclable_packaging)::int,
      transit_bag_reporting_outlets = (r.outlets = 1 and s.transit_bag)::int
    from (
      select outlet_id, date_trunc('month', stat_date)::date as month,
        coalesce(sum(case when narrow_tape_box_parcels is not null then box_parcels end), 0) as box_parcels,
        coalesce(sum(case when box_parcels is not null then narrow_tape_box_parcels end), 0) as narrow_tape_box_parcels,
        coalesce(sum(case when ecommerce_original_parcels is not null then ecommerce_parcels end), 0) as ecommerce_parcels,
        coalesce(sum(case when ecommerce_parcels is not null then ecommerce_original_parcels end), 0) as ecommerce_original_parcels,
        coalesce(sum(recyclable_packaging_parcels), 0) as recyclable_packaging_parcels,
        coalesce(sum(case when recyclable_transit_bags is not null then transit_bags end), 0) as transit_bags,
        coalesce(sum(case when transit_bags is not null then recyclable_transit_bags end), 0) as recyclable_transit_bags,
        bool_or(box_parcels is not null and narrow_tape_box_parcels is not null) as narrow_tape,
        bool_or(ecommerce_parcels is not null and ecommerce_original_parcels is not null) as no_repack,
        bool_or(recyclable_packaging_parcels is not null) as recyclable_packaging,
        bool_or(transit_bags is not null and recyclable_transit_bags is not null) as transit_bag
      from shipment_stats
      where superseded_at is null
      group by 1, 2
    ) s
    where r.outlet_id = s.outlet_id and r.month = s.month`.execute(db)

  await sql`
    update outlet_month_rollups r set
      packaging_reporting_outlets = r.outlets,
      packaging_parcels = r.parcels,
      per_parcel_packaging_mass_kg = case when r.reporting_outlets = 1 then r.packaging_mass_kg else 0 end
    where exists (
      select 1 from packaging_consumption c
      where c.outlet_id = r.outlet_id and c.superseded_at is null
        and c.period_start >= r.month and c.period_start < r.month + interval '1 month')`.execute(db)
  await sql`
    update outlet_month_rollups r set collection_reporting_outlets = r.outlets
    where exists (
      select 1 from recovery_collections c
      where c.outlet_id = r.outlet_id and c.superseded_at is null
        and c.collection_date >= r.month and c.collection_date < r.month + interval '1 month')`.execute(db)
  await sql`
    update outlet_month_rollups r set
      emissions_reporting_outlets = r.outlets,
      emissions_parcels = r.parcels,
      per_parcel_co2e_kg = case when r.reporting_outlets = 1 then r.co2e_kg else 0 end
    where exists (
      select 1 from emission_results e
      where e.outlet_id = r.outlet_id and e.month = r.month and e.status = 'current'
        and e.category in ('packaging', 'fleet', 'facility'))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of [...reportedCounts, 'per_parcel_packaging_mass_kg', 'packaging_parcels', 'per_parcel_co2e_kg', 'emissions_parcels']) {
    await sql`alter table outlet_month_rollups drop column ${sql.raw(column)}`.execute(db)
  }
}
