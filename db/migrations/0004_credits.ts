import { sql, type Kysely } from 'kysely'

// Frozen in time. Consumer green credits: rule sets, consumers, partners and
// their keys, actions, the append-only ledger, rewards and redemptions.
//
// Citus: every consumer-keyed table carries consumer_id first in its primary
// and unique keys (the distribution column), and its foreign keys between
// consumer-keyed tables include consumer_id, so they stay shard-local.
// consumers.member_code / phone_hash and redemptions.code are unique across
// all consumers; on Citus those become small lookup tables keyed by the code.
// Partners, partner keys and rewards are small reference tables.

const actions = sql.raw(
  `'carton_returned', 'recyclable_box_chosen', 'original_packaging_chosen', 'reduced_packaging_chosen', 'recyclable_box_returned'`,
)

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table credit_rule_sets (
      version text primary key check (version ~ '^[0-9]{4}[.][0-9]{1,3}$'),
      status text not null check (status in ('draft', 'published', 'retired')),
      effective_from date not null,
      -- the rule file as published (decimals are JSON strings, so nothing is lost)
      content jsonb not null,
      content_sha256 char(64) not null,
      file_name text not null,
      loaded_at timestamptz not null default now(),
      status_changed_at timestamptz,
      status_changed_by integer references users (id)
    )`.execute(db)

  await sql`
    create table partners (
      id integer generated always as identity primary key,
      name text not null unique check (length(name) between 1 and 100),
      -- token bucket: refills rate_per_second, holds at most burst
      rate_per_second numeric(10, 3) not null default 20 check (rate_per_second > 0),
      burst integer not null default 100 check (burst > 0),
      created_at timestamptz not null default now(),
      created_by integer references users (id)
    )`.execute(db)

  // See docs/decisions/051-partner-keys.md: the secret is sealed, not stored in clear.
  await sql`
    create table partner_keys (
      id integer generated always as identity primary key,
      partner_id integer not null references partners (id),
      key_id text not null unique check (key_id ~ '^gpk_[0-9a-f]{24}$'),
      sealed_secret text not null,
      secret_fingerprint char(64) not null,
      created_at timestamptz not null default now(),
      created_by integer references users (id),
      revoked_at timestamptz,
      revoked_by integer references users (id),
      check (revoked_by is null or revoked_at is not null)
    )`.execute(db)
  await sql`create index partner_keys_partner_idx on partner_keys (partner_id)`.execute(db)

  await sql`
    create table partner_rate_buckets (
      partner_id integer primary key references partners (id),
      tokens numeric(12, 3) not null,
      refilled_at timestamptz not null
    )`.execute(db)

  // Replay guard: a signature is accepted once. Rows older than the timestamp
  // tolerance can be pruned, since such a request is refused as stale anyway.
  await sql`
    create table partner_signatures (
      partner_id integer not null references partners (id),
      signature char(64) not null,
      seen_at timestamptz not null default now(),
      primary key (partner_id, signature)
    )`.execute(db)
  await sql`create index partner_signatures_seen_idx on partner_signatures (seen_at)`.execute(db)

  // One row per Idempotency-Key: the body hash and, once answered, the answer.
  await sql`
    create table partner_requests (
      partner_id integer not null references partners (id),
      id bigint generated always as identity,
      key_id text not null,
      idempotency_key text not null,
      body_sha256 char(64) not null,
      received_at timestamptz not null default now(),
      status_code integer,
      response jsonb,
      completed_at timestamptz,
      primary key (partner_id, id),
      unique (partner_id, idempotency_key),
      check ((status_code is null) = (completed_at is null))
    )`.execute(db)

  // A consumer met at the counter or through a partner gets a users row with a
  // null password_hash: an account they can claim later with code and phone.
  await sql`
    create table consumers (
      id bigint generated always as identity primary key,
      user_id integer not null unique references users (id) on delete cascade,
      member_code char(11) not null unique check (member_code ~ '^GP[0-9]{8}[0-9X]$'),
      -- HMAC-SHA256 of the normalised number under a server-held pepper (PIPL): never the number
      phone_hash char(64) unique,
      phone_masked text check (phone_masked ~ '^1[0-9]{2}[*]{4}[0-9]{4}$'),
      created_at timestamptz not null default now(),
      created_at_outlet_id integer references outlets (id),
      created_by_partner_id integer references partners (id),
      claimed_at timestamptz,
      check ((phone_hash is null) = (phone_masked is null))
    )`.execute(db)

  await sql`
    create table credit_actions (
      consumer_id bigint not null references consumers (id),
      id bigint generated always as identity,
      action text not null check (action in (${actions})),
      waybill_no text not null check (waybill_no ~ '^[A-Z0-9]{8,30}$'),
      quantity integer not null check (quantity between 1 and 1000),
      occurred_at timestamptz not null,
      -- China calendar day: picks the rule set, the daily cap and the expiry
      occurred_on date not null,
      outlet_id integer references outlets (id),
      partner_id integer references partners (id),
      partner_key_id integer references partner_keys (id),
      partner_order_id text,
      recorded_by integer references users (id),
      avoided_co2e_g numeric(18, 6) not null check (avoided_co2e_g >= 0),
      factor_ids jsonb not null,
      factor_set_version text not null,
      rule_set_version text not null references credit_rule_sets (version),
      uncapped_points numeric not null check (uncapped_points >= 0 and uncapped_points = trunc(uncapped_points)),
      created_at timestamptz not null default now(),
      primary key (consumer_id, id),
      -- one award per waybill and action, whoever asks and however often
      unique (consumer_id, waybill_no, action),
      check ((outlet_id is null) <> (partner_id is null)),
      check ((partner_id is null) = (partner_key_id is null))
    )`.execute(db)
  await sql`create index credit_actions_day_idx on credit_actions (consumer_id, action, occurred_on)`.execute(db)
  await sql`create index credit_actions_outlet_idx on credit_actions (outlet_id, occurred_on) where outlet_id is not null`.execute(db)

  await sql`
    create table rewards (
      id integer generated always as identity primary key,
      code text not null unique check (code ~ '^[a-z0-9_-]{2,40}$'),
      name_zh text not null,
      name_en text not null,
      cost_points integer not null check (cost_points > 0),
      -- null: no stock limit
      stock integer check (stock >= 0),
      active boolean not null default true,
      created_at timestamptz not null default now()
    )`.execute(db)

  await sql`
    create table redemptions (
      consumer_id bigint not null references consumers (id),
      id bigint generated always as identity,
      reward_id integer not null references rewards (id),
      cost_points integer not null check (cost_points > 0),
      code text not null unique,
      redeemed_on date not null,
      created_at timestamptz not null default now(),
      primary key (consumer_id, id)
    )`.execute(db)

  await sql`
    create table credit_ledger (
      consumer_id bigint not null references consumers (id),
      id bigint generated always as identity,
      kind text not null check (kind in ('earn', 'redeem', 'expire', 'reverse')),
      points numeric not null check (points = trunc(points)),
      balance_after numeric not null check (balance_after >= 0),
      occurred_on date not null,
      created_at timestamptz not null default now(),
      rule_set_version text references credit_rule_sets (version),
      action_id bigint,
      redemption_id bigint,
      reverses_entry_id bigint,
      expires_on date,
      created_by integer references users (id),
      detail jsonb,
      primary key (consumer_id, id),
      foreign key (consumer_id, action_id) references credit_actions (consumer_id, id),
      foreign key (consumer_id, redemption_id) references redemptions (consumer_id, id),
      foreign key (consumer_id, reverses_entry_id) references credit_ledger (consumer_id, id),
      -- an entry is reversed at most once
      unique (consumer_id, reverses_entry_id),
      check (
        (kind = 'earn' and points >= 0 and action_id is not null and rule_set_version is not null and expires_on is not null
          and redemption_id is null and reverses_entry_id is null) or
        (kind = 'redeem' and points < 0 and redemption_id is not null and action_id is null and reverses_entry_id is null) or
        (kind = 'expire' and points < 0 and action_id is null and redemption_id is null and reverses_entry_id is null) or
        (kind = 'reverse' and reverses_entry_id is not null and action_id is null and redemption_id is null)
      )
    )`.execute(db)
  await sql`create unique index credit_ledger_one_earn_per_action on credit_ledger (consumer_id, action_id) where kind = 'earn'`.execute(db)

  // balance_after must continue the consumer's chain: previous balance + points.
  // The trigger takes the consumer row lock itself, so even a writer that
  // forgot SELECT … FOR UPDATE cannot interleave two entries; with the CHECK
  // above, the database refuses any balance below zero.
  await sql`
    create function credit_ledger_check_balance() returns trigger language plpgsql as $$
    declare
      previous numeric;
    begin
      perform 1 from consumers where id = new.consumer_id for update;
      select balance_after into previous from credit_ledger
        where consumer_id = new.consumer_id order by id desc limit 1;
      if coalesce(previous, 0) + new.points <> new.balance_after then
        raise exception 'credit_ledger: balance_after % does not follow % + %',
          new.balance_after, coalesce(previous, 0), new.points
          using errcode = 'check_violation';
      end if;
      return new;
    end
    $$`.execute(db)
  await sql`
    create trigger credit_ledger_balance before insert on credit_ledger
    for each row execute function credit_ledger_check_balance()`.execute(db)

  // forbid_change() comes from 0001: history is never rewritten.
  for (const table of ['credit_ledger', 'credit_actions', 'redemptions']) {
    await sql`
      create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function forbid_change()`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'credit_ledger',
    'redemptions',
    'rewards',
    'credit_actions',
    'consumers',
    'partner_requests',
    'partner_signatures',
    'partner_rate_buckets',
    'partner_keys',
    'partners',
    'credit_rule_sets',
  ]) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db)
  }
  await sql`drop function if exists credit_ledger_check_balance()`.execute(db)
}
