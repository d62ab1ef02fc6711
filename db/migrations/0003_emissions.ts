import { sql, type Kysely } from 'kysely'

// Frozen in time. Emission factor sets (reference tables under Citus: small,
// read by every shard) and the emission results computed from activity
// records (distributed by outlet_id, first in every key).
//
// A published set is never edited: the triggers below refuse any change to a
// published or retired set's content and rows, whatever client writes to the
// database, so the guarantee does not rest on application code alone.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table factor_sets (
      version text primary key check (version ~ '^[0-9]{4}[.][0-9]+$'),
      status text not null check (status in ('draft', 'published', 'retired')),
      release_date date not null,
      title_zh text not null,
      title_en text not null,
      notes_zh text not null default '',
      notes_en text not null default '',
      -- checksum of the canonical content (app/domain/factors/content-hash.ts)
      content_sha256 char(64) not null check (content_sha256 ~ '^[0-9a-f]{64}$'),
      -- the three files as uploaded, so the set can be rebuilt and checked with loadFactorSet
      set_json text not null,
      factors_csv text not null,
      grid_regions_csv text not null,
      factor_count integer not null check (factor_count > 0),
      created_at timestamptz not null default now(),
      created_by integer references users (id),
      published_at timestamptz,
      published_by integer references users (id),
      retired_at timestamptz,
      retired_by integer references users (id),
      check ((status = 'draft') = (published_at is null)),
      check ((status = 'retired') = (retired_at is not null))
    )`.execute(db)

  await sql`
    create table emission_factors (
      factor_set_version text not null references factor_sets (version) on delete cascade,
      id text not null,
      quantity text not null,
      boundary text not null check (boundary in ('ttw', 'wtt', 'wtw', 'generation', 'cradle_to_gate', 'avoided')),
      value numeric not null check (value >= 0),
      unit text not null,
      -- activity unit: the part of the unit after '/'
      per text not null,
      region text not null,
      region_level text not null check (region_level in ('province', 'grid', 'national')),
      valid_from_year smallint not null,
      valid_to_year smallint,
      release_year smallint not null,
      ghg_scope text not null check (ghg_scope in ('1', '2', '3', 'none')),
      data_quality smallint not null check (data_quality between 1 and 3),
      source_document text not null check (source_document <> ''),
      source_table text not null default '',
      source_page text not null default '',
      verified text not null check (verified in ('yes', 'secondary', 'no')),
      verification_note text not null default '',
      note text not null default '',
      -- row in factors.csv (header = row 1)
      file_row integer not null,
      primary key (factor_set_version, id)
    )`.execute(db)
  await sql`create index emission_factors_series_idx on emission_factors (factor_set_version, quantity, boundary, per, region)`.execute(db)

  await sql`
    create table factor_grid_regions (
      factor_set_version text not null references factor_sets (version) on delete cascade,
      code char(6) not null check (code ~ '^[0-9]{6}$'),
      name_zh text not null,
      name_en text not null,
      grid text not null check (grid in ('north', 'northeast', 'east', 'central', 'northwest', 'south', 'southwest')),
      note text not null default '',
      primary key (factor_set_version, code)
    )`.execute(db)

  await sql`
    create function factor_set_frozen() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.status <> 'draft' then
          raise exception 'factor set % is %: a published set is never edited or deleted', old.version, old.status
            using errcode = 'GPF01';
        end if;
        return old;
      end if;
      if old.status <> 'draft' then
        if (new.version, new.release_date, new.title_zh, new.title_en, new.notes_zh, new.notes_en,
            new.content_sha256, new.set_json, new.factors_csv, new.grid_regions_csv, new.factor_count,
            new.created_at, new.created_by, new.published_at, new.published_by)
           is distinct from
           (old.version, old.release_date, old.title_zh, old.title_en, old.notes_zh, old.notes_en,
            old.content_sha256, old.set_json, old.factors_csv, old.grid_regions_csv, old.factor_count,
            old.created_at, old.created_by, old.published_at, old.published_by)
        then
          raise exception 'factor set % is %: a published set is never edited; publish a new version', old.version, old.status
            using errcode = 'GPF01';
        end if;
        -- published → retired is the only move left to a published set
        if new.status <> old.status and not (old.status = 'published' and new.status = 'retired') then
          raise exception 'factor set % cannot go from % to %', old.version, old.status, new.status
            using errcode = 'GPF01';
        end if;
      end if;
      return new;
    end $$`.execute(db)
  await sql`
    create trigger factor_sets_frozen before update or delete on factor_sets
    for each row execute function factor_set_frozen()`.execute(db)

  // Rows of a set may change only while the set is a draft. A cascading delete
  // of a draft finds its parent already gone and passes.
  await sql`
    create function factor_rows_frozen() returns trigger language plpgsql as $$
    declare
      parent_status text;
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        select status into parent_status from factor_sets where version = old.factor_set_version;
        if parent_status is not null and parent_status <> 'draft' then
          raise exception 'factor set % is %: its rows cannot change', old.factor_set_version, parent_status
            using errcode = 'GPF01';
        end if;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        select status into parent_status from factor_sets where version = new.factor_set_version;
        if parent_status is not null and parent_status <> 'draft' then
          raise exception 'factor set % is %: its rows cannot change', new.factor_set_version, parent_status
            using errcode = 'GPF01';
        end if;
        return new;
      end if;
      return old;
    end $$`.execute(db)
  for (const table of ['emission_factors', 'factor_grid_regions']) {
    await sql`
      create trigger ${sql.raw(`${table}_frozen`)} before insert or update or delete on ${sql.table(table)}
      for each row execute function factor_rows_frozen()`.execute(db)
  }

  // One row per activity record and factor set version. A record that yields
  // both emissions and avoided emissions keeps both in the same row
  // (co2e_kg and avoided_co2e_kg); category names the record's kind.
  // No foreign keys: the record is polymorphic (record_type, record_id), and a
  // per-row check against outlets and factor_sets would cost a recompute of
  // millions of rows more than the write itself; the service is the only writer.
  await sql`
    create table emission_results (
      outlet_id integer not null,
      record_type text not null check (record_type in ('shipment_stats', 'packaging_consumption',
        'recovery_collections', 'reusable_assets', 'vehicle_use', 'facility_electricity')),
      record_id bigint not null,
      factor_set_version text not null,
      month date not null check (extract(day from month) = 1),
      category text not null check (category in ('packaging', 'fleet', 'facility', 'avoided')),
      co2e_kg numeric not null default 0 check (co2e_kg >= 0),
      avoided_co2e_kg numeric not null default 0 check (avoided_co2e_kg >= 0),
      ttw_kg numeric,
      wtt_kg numeric,
      electricity_kg numeric,
      method text not null,
      data_quality smallint not null check (data_quality between 1 and 3),
      provenance jsonb not null,
      computed_at timestamptz not null default now(),
      status text not null check (status in ('current', 'restatement', 'superseded')),
      primary key (outlet_id, record_type, record_id, factor_set_version)
    )`.execute(db)
  // At most one result counts per record, and at most one restatement stands beside it.
  // Reports read by outlet (first in both keys); no further index, because every
  // index costs a recompute of millions of rows a write per row.
  await sql`create unique index emission_results_current_key on emission_results (outlet_id, record_type, record_id) where status = 'current'`.execute(db)
  await sql`create unique index emission_results_restatement_key on emission_results (outlet_id, record_type, record_id) where status = 'restatement'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists emission_results`.execute(db)
  await sql`drop table if exists factor_grid_regions`.execute(db)
  await sql`drop table if exists emission_factors`.execute(db)
  await sql`drop table if exists factor_sets`.execute(db)
  await sql`drop function if exists factor_rows_frozen()`.execute(db)
  await sql`drop function if exists factor_set_frozen()`.execute(db)
}
