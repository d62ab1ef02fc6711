import { sql, type Kysely } from 'kysely'

// Frozen in time. Activity records: every fact table carries the outlet (the
// future Citus distribution column, first in every primary and unique key),
// its brand and region (copied from the outlet so rollups need no join), how
// the figure was obtained, where the row came from, and its restatement chain.

const provenance = sql`
  data_quality text not null check (data_quality in ('measured', 'estimated', 'default')),
  source text not null check (source in ('form', 'csv', 'seed')),
  import_batch_id bigint,
  row_fingerprint char(64),
  created_by integer references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- a change to a submitted month adds a new row and retires this one
  superseded_at timestamptz,
  superseded_by bigint,
  restatement_reason text`

const owner = sql`
  id bigint generated always as identity,
  outlet_id integer not null references outlets (id),
  brand_id integer not null references brands (id),
  region_code char(6) not null references regions (code)`

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table packaging_items (
      id integer generated always as identity primary key,
      code text not null unique,
      name_zh text not null,
      name_en text not null,
      category text not null check (category in ('box', 'bag', 'envelope', 'tape', 'filler', 'waybill', 'transit_bag', 'other')),
      -- the factor quantity of its material, e.g. material:corrugated_virgin
      material text not null,
      unit_mass_kg numeric(12, 6) not null check (unit_mass_kg > 0),
      outer_length_mm integer check (outer_length_mm > 0),
      outer_width_mm integer check (outer_width_mm > 0),
      outer_height_mm integer check (outer_height_mm > 0),
      fits_base_module boolean,
      tape_width_mm integer check (tape_width_mm > 0),
      meets_gb_t_16606 boolean not null default false,
      meets_gb_43352 boolean not null default false,
      plastic boolean not null default false,
      degradable boolean not null default false,
      reusable boolean not null default false,
      design_life_uses integer check (design_life_uses > 0),
      source text not null,
      check (reusable = (design_life_uses is not null))
    )`.execute(db)

  await sql`
    create table import_batches (
      id bigint generated always as identity primary key,
      record_type text not null,
      brand_id integer references brands (id),
      outlet_id integer references outlets (id),
      file_name text not null,
      file_sha256 char(64) not null,
      encoding text not null,
      uploaded_by integer references users (id),
      created_at timestamptz not null default now(),
      committed_at timestamptz,
      rows_total integer not null default 0,
      rows_accepted integer not null default 0,
      rows_rejected integer not null default 0,
      rows_duplicate integer not null default 0,
      rows_replaced integer not null default 0
    )`.execute(db)
  await sql`create index import_batches_file_idx on import_batches (record_type, file_sha256) where committed_at is not null`.execute(db)

  await sql`
    create table shipment_stats (
      ${owner},
      stat_date date not null,
      parcels integer not null check (parcels >= 0),
      e_waybill_parcels integer not null check (e_waybill_parcels >= 0),
      paper_waybill_parcels integer not null check (paper_waybill_parcels >= 0),
      ecommerce_parcels integer check (ecommerce_parcels >= 0),
      ecommerce_original_parcels integer check (ecommerce_original_parcels >= 0),
      recyclable_packaging_parcels integer check (recyclable_packaging_parcels >= 0),
      box_parcels integer check (box_parcels >= 0),
      narrow_tape_box_parcels integer check (narrow_tape_box_parcels >= 0),
      transit_bags integer check (transit_bags >= 0),
      recyclable_transit_bags integer check (recyclable_transit_bags >= 0),
      ${provenance},
      primary key (outlet_id, id),
      check (e_waybill_parcels + paper_waybill_parcels = parcels),
      check (ecommerce_parcels <= parcels),
      check (ecommerce_original_parcels <= ecommerce_parcels),
      check (recyclable_packaging_parcels <= parcels),
      check (box_parcels <= parcels),
      check (narrow_tape_box_parcels <= box_parcels),
      check (recyclable_transit_bags <= transit_bags)
    )`.execute(db)
  await sql`create unique index shipment_stats_current_key on shipment_stats (outlet_id, stat_date) where superseded_at is null`.execute(db)

  await sql`
    create table packaging_consumption (
      ${owner},
      period_start date not null,
      period_kind text not null check (period_kind in ('day', 'month')),
      item_id integer not null references packaging_items (id),
      item_count integer not null check (item_count >= 0),
      ${provenance},
      primary key (outlet_id, id),
      check (period_kind = 'day' or extract(day from period_start) = 1)
    )`.execute(db)
  await sql`create unique index packaging_consumption_current_key on packaging_consumption (outlet_id, period_start, period_kind, item_id) where superseded_at is null`.execute(db)

  await sql`
    create table recovery_bins (
      ${owner},
      as_of_date date not null,
      installed_bins integer not null check (installed_bins >= 0),
      labelled_bins integer not null check (labelled_bins >= 0),
      in_service_bins integer not null check (in_service_bins >= 0),
      ${provenance},
      primary key (outlet_id, id),
      check (labelled_bins <= installed_bins),
      check (in_service_bins <= installed_bins)
    )`.execute(db)
  await sql`create unique index recovery_bins_current_key on recovery_bins (outlet_id, as_of_date) where superseded_at is null`.execute(db)

  await sql`
    create table recovery_collections (
      ${owner},
      collection_date date not null,
      cartons_collected integer not null check (cartons_collected >= 0),
      cartons_reused integer not null check (cartons_reused >= 0),
      recycler_mass_kg numeric(14, 3) check (recycler_mass_kg >= 0),
      recycler_name text,
      ${provenance},
      primary key (outlet_id, id),
      check (cartons_reused <= cartons_collected)
    )`.execute(db)
  await sql`create unique index recovery_collections_current_key on recovery_collections (outlet_id, collection_date) where superseded_at is null`.execute(db)

  await sql`
    create table reusable_assets (
      ${owner},
      month date not null check (extract(day from month) = 1),
      asset_type text not null check (asset_type in ('box', 'transit_bag')),
      in_circulation integer not null check (in_circulation >= 0),
      trips_completed integer not null check (trips_completed >= 0),
      returns integer not null check (returns >= 0),
      losses integer not null check (losses >= 0),
      ${provenance},
      primary key (outlet_id, id)
    )`.execute(db)
  await sql`create unique index reusable_assets_current_key on reusable_assets (outlet_id, month, asset_type) where superseded_at is null`.execute(db)

  await sql`
    create table vehicles (
      ${owner},
      plate text not null,
      vehicle_class text not null check (vehicle_class in ('electric_tricycle', 'light_van', 'light_truck', 'heavy_truck')),
      energy text not null check (energy in ('BEV', 'PHEV', 'FCEV', 'diesel', 'gasoline', 'CNG', 'LNG')),
      emission_standard text not null check (emission_standard in ('guo5', 'guo6', 'none')),
      in_service_from date not null,
      in_service_to date,
      acquisition text not null check (acquisition in ('new', 'replacement', 'existing')),
      ${provenance},
      primary key (outlet_id, id),
      check (in_service_to is null or in_service_to >= in_service_from)
    )`.execute(db)
  // A plate is one vehicle of one brand at a time.
  await sql`create unique index vehicles_current_plate on vehicles (outlet_id, plate) where superseded_at is null`.execute(db)
  await sql`create index vehicles_plate_idx on vehicles (plate)`.execute(db)

  await sql`
    create table vehicle_use (
      ${owner},
      vehicle_id bigint not null,
      month date not null check (extract(day from month) = 1),
      distance_km numeric(12, 2) not null check (distance_km >= 0),
      fuel_litres numeric(12, 3) check (fuel_litres >= 0),
      fuel_kg numeric(12, 3) check (fuel_kg >= 0),
      electricity_kwh numeric(12, 3) check (electricity_kwh >= 0),
      ${provenance},
      primary key (outlet_id, id),
      foreign key (outlet_id, vehicle_id) references vehicles (outlet_id, id)
    )`.execute(db)
  await sql`create unique index vehicle_use_current_key on vehicle_use (outlet_id, vehicle_id, month) where superseded_at is null`.execute(db)

  await sql`
    create table facility_electricity (
      ${owner},
      month date not null check (extract(day from month) = 1),
      electricity_kwh numeric(14, 3) not null check (electricity_kwh >= 0),
      ${provenance},
      primary key (outlet_id, id)
    )`.execute(db)
  await sql`create unique index facility_electricity_current_key on facility_electricity (outlet_id, month) where superseded_at is null`.execute(db)

  // A submitted month is locked: changes to it are restatements with a reason.
  await sql`
    create table period_submissions (
      outlet_id integer not null references outlets (id),
      month date not null check (extract(day from month) = 1),
      submitted_at timestamptz not null default now(),
      submitted_by integer references users (id),
      primary key (outlet_id, month)
    )`.execute(db)

  for (const table of ['shipment_stats', 'packaging_consumption', 'recovery_bins', 'recovery_collections', 'reusable_assets', 'vehicle_use', 'facility_electricity']) {
    await sql`create index ${sql.raw(`${table}_region_idx`)} on ${sql.table(table)} (region_code, brand_id)`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'period_submissions', 'facility_electricity', 'vehicle_use', 'vehicles', 'reusable_assets',
    'recovery_collections', 'recovery_bins', 'packaging_consumption', 'shipment_stats', 'import_batches', 'packaging_items',
  ]) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db)
  }
}
