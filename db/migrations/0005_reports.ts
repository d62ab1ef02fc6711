import { sql, type Kysely } from 'kysely'

// Frozen in time. Compliance reports: target sets as reference data, and the
// monthly rollups every report reads instead of the raw activity rows.

export async function up(db: Kysely<any>): Promise<void> {
  // Reference tables (Citus: replicated to every node). region_code is a
  // GB/T 2260 code or 000000 for the nation, which is not a row of regions,
  // hence no foreign key.
  await sql`
    create table target_sets (
      id text primary key check (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name_zh text not null,
      name_en text not null,
      source_title text not null,
      source_issuer text not null,
      source_number text,
      source_date text not null,
      source_url text,
      source_verification text not null,
      region_code char(6) not null check (region_code ~ '^[0-9]{6}$'),
      brand_code text,
      -- 'file': loaded from factors/targets; 'admin': added on the admin page
      origin text not null check (origin in ('file', 'admin')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)

  await sql`
    create table targets (
      id integer generated always as identity primary key,
      target_set_id text not null references target_sets (id) on delete cascade,
      metric text not null,
      comparison text not null check (comparison in ('>=', '<=', '==')),
      value numeric not null,
      deadline date not null,
      kind text not null check (kind in ('rate', 'national_count', 'relative_to_baseline')),
      note text
    )`.execute(db)
  await sql`create index targets_set_idx on targets (target_set_id)`.execute(db)

  // One row per outlet and month: the sums of app/domain/metrics rollupFields,
  // plus the parts the charts need. Distributed by outlet_id like the fact
  // tables; brand and regions are copied so that scoped reports need no join.
  await sql`
    create table outlet_month_rollups (
      outlet_id integer not null references outlets (id),
      month date not null check (extract(day from month) = 1),
      brand_id integer not null,
      region_code char(6) not null,
      province_code char(6) not null,
      city_code char(6) not null,
      -- outlet-months: 1 when the outlet (not a sorting centre) was open that month
      outlets smallint not null default 0,
      reporting_outlets smallint not null default 0,
      outlets_with_bin smallint not null default 0,
      parcels bigint not null default 0,
      e_waybill_parcels bigint not null default 0,
      box_parcels bigint not null default 0,
      narrow_tape_box_parcels bigint not null default 0,
      ecommerce_parcels bigint not null default 0,
      ecommerce_original_parcels bigint not null default 0,
      recyclable_packaging_parcels bigint not null default 0,
      same_city_parcels bigint not null default 0,
      same_city_recyclable_packaging_parcels bigint not null default 0,
      transit_bags bigint not null default 0,
      recyclable_transit_bags bigint not null default 0,
      packaging_mass_kg numeric not null default 0,
      standard_packaging_mass_kg numeric not null default 0,
      plastic_bags bigint not null default 0,
      degradable_plastic_bags bigint not null default 0,
      non_degradable_plastic_items bigint not null default 0,
      cartons_reused bigint not null default 0,
      vehicles_in_service integer not null default 0,
      nev_in_service integer not null default 0,
      distance_km numeric not null default 0,
      nev_distance_km numeric not null default 0,
      vehicles_acquired integer not null default 0,
      nev_acquired integer not null default 0,
      co2e_kg numeric not null default 0,
      packaging_co2e_kg numeric not null default 0,
      fleet_co2e_kg numeric not null default 0,
      facility_co2e_kg numeric not null default 0,
      -- what the emissions engine found avoided, before consumer credits
      gross_avoided_co2e_kg numeric not null default 0,
      -- avoided CO2e already credited to consumers at this outlet
      consumer_avoided_co2e_kg numeric not null default 0,
      -- the outlet's own claim: gross minus consumer credits, never below 0
      avoided_co2e_kg numeric not null default 0,
      factor_set_versions text[] not null default '{}',
      refreshed_at timestamptz not null default now(),
      primary key (outlet_id, month)
    )`.execute(db)
  await sql`create index outlet_month_rollups_province_idx on outlet_month_rollups (province_code, month)`.execute(db)
  await sql`create index outlet_month_rollups_city_idx on outlet_month_rollups (city_code, month)`.execute(db)
  await sql`create index outlet_month_rollups_region_idx on outlet_month_rollups (region_code, month)`.execute(db)
  await sql`create index outlet_month_rollups_brand_idx on outlet_month_rollups (brand_id, month)`.execute(db)
  await sql`create index outlet_month_rollups_month_idx on outlet_month_rollups (month)`.execute(db)

  // Breakdowns for the charts: packaging mass by material, vehicle-months and
  // distance by energy, per outlet and month.
  await sql`
    create table outlet_month_mix (
      outlet_id integer not null references outlets (id),
      month date not null check (extract(day from month) = 1),
      brand_id integer not null,
      region_code char(6) not null,
      province_code char(6) not null,
      city_code char(6) not null,
      measure text not null check (measure in ('packaging_mass_kg', 'vehicle_months', 'distance_km')),
      category text not null,
      value numeric not null,
      primary key (outlet_id, month, measure, category)
    )`.execute(db)
  await sql`create index outlet_month_mix_province_idx on outlet_month_mix (province_code, month)`.execute(db)
  await sql`create index outlet_month_mix_city_idx on outlet_month_mix (city_code, month)`.execute(db)
  await sql`create index outlet_month_mix_brand_idx on outlet_month_mix (brand_id, month)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['outlet_month_mix', 'outlet_month_rollups', 'targets', 'target_sets']) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db)
  }
}
