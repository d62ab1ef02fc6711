import { sql, type Kysely } from 'kysely'

// Frozen in time: a migration never changes once it has run anywhere.
// Later schema changes are new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table regions (
      code char(6) primary key check (code ~ '^[0-9]{6}$'),
      parent_code char(6) references regions (code),
      level text not null check (level in ('province', 'city', 'district')),
      name_zh text not null,
      name_en text not null,
      -- regional power grid of the MEE/NBS announcements, for electricity factors
      grid_region text not null check (grid_region in
        ('north', 'northeast', 'east', 'central', 'northwest', 'south', 'southwest')),
      check ((level = 'province') = (parent_code is null))
    )`.execute(db)

  await sql`
    create table brands (
      id integer generated always as identity primary key,
      code text not null unique check (code ~ '^[a-z][a-z0-9_]{1,31}$'),
      name_zh text not null,
      name_en text not null
    )`.execute(db)

  // region_code is the outlet's own district (or city); province and city are
  // derived from the GB/T 2260 code so that subtree scoping is an index lookup.
  await sql`
    create table outlets (
      id integer generated always as identity primary key,
      code text not null unique,
      brand_id integer not null references brands (id),
      region_code char(6) not null references regions (code),
      province_code char(6) generated always as (substr(region_code, 1, 2) || '0000') stored,
      city_code char(6) generated always as (substr(region_code, 1, 4) || '00') stored,
      kind text not null default 'outlet' check (kind in ('outlet', 'sorting_centre')),
      name_zh text not null,
      name_en text not null,
      address_zh text not null default '',
      opened_on date not null,
      closed_on date,
      check (closed_on is null or closed_on >= opened_on)
    )`.execute(db)
  await sql`create index outlets_brand_idx on outlets (brand_id)`.execute(db)
  await sql`create index outlets_region_idx on outlets (province_code, city_code, region_code)`.execute(db)

  await sql`
    create table users (
      id integer generated always as identity primary key,
      username text not null unique check (username = lower(username) and length(username) between 3 and 64),
      -- null until a placeholder account (a consumer met at the counter) is claimed
      password_hash text,
      display_name text not null,
      created_at timestamptz not null default now(),
      disabled_at timestamptz
    )`.execute(db)

  // One membership per user: what the user is, and where.
  await sql`
    create table memberships (
      user_id integer primary key references users (id) on delete cascade,
      role text not null check (role in ('outlet_operator', 'carrier_admin', 'consumer', 'bureau_officer', 'admin')),
      outlet_id integer references outlets (id),
      brand_id integer references brands (id),
      region_code char(6) references regions (code),
      check (
        (role = 'outlet_operator' and outlet_id is not null and brand_id is null and region_code is null) or
        (role = 'carrier_admin' and brand_id is not null and outlet_id is null and region_code is null) or
        (role = 'bureau_officer' and region_code is not null and outlet_id is null and brand_id is null) or
        (role in ('consumer', 'admin') and outlet_id is null and brand_id is null and region_code is null)
      )
    )`.execute(db)

  // The cookie carries a random token; only its SHA-256 is stored, so a leaked
  // table does not hand out live sessions.
  await sql`
    create table sessions (
      id char(64) primary key,
      user_id integer not null references users (id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz,
      ip text,
      user_agent text
    )`.execute(db)
  await sql`create index sessions_user_idx on sessions (user_id)`.execute(db)

  await sql`
    create table login_attempts (
      id bigint generated always as identity primary key,
      username text not null,
      ip text not null,
      attempted_at timestamptz not null default now(),
      succeeded boolean not null
    )`.execute(db)
  await sql`create index login_attempts_username_idx on login_attempts (username, attempted_at)`.execute(db)
  await sql`create index login_attempts_ip_idx on login_attempts (ip, attempted_at)`.execute(db)

  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      occurred_at timestamptz not null default now(),
      actor_user_id integer references users (id),
      action text not null,
      entity_type text not null,
      entity_id text not null,
      outlet_id integer,
      region_code char(6),
      reason text,
      before jsonb,
      after jsonb
    )`.execute(db)
  await sql`create index audit_log_entity_idx on audit_log (entity_type, entity_id, occurred_at)`.execute(db)

  // Append-only: the database itself refuses to rewrite history.
  await sql`
    create function forbid_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % refused', tg_table_name, tg_op
        using errcode = 'raise_exception';
    end
    $$`.execute(db)
  await sql`
    create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function forbid_change()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_log', 'login_attempts', 'sessions', 'memberships', 'users', 'outlets', 'brands', 'regions']) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db)
  }
  await sql`drop function if exists forbid_change()`.execute(db)
}
