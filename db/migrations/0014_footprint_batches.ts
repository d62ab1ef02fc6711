import { sql, type Kysely } from 'kysely'

// Frozen in time. Parcel footprint batches a partner asked for (issue 17):
// the answer as sent, kept so the partner can read it again by its id and a
// retry with the same Idempotency-Key gets the same figures. Distributed by
// partner_id under Citus (first in every key). The answer holds aggregates
// and the partner's own waybill numbers only: nothing about a consumer.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table footprint_batches (
      partner_id integer not null references partners (id),
      -- public id: 'fpb_' + 24 hex characters, drawn at random so that ids cannot be guessed in turn
      id text not null check (id ~ '^fpb_[0-9a-f]{24}$'),
      key_id text not null,
      idempotency_key text not null,
      body_sha256 char(64) not null,
      parcel_count integer not null check (parcel_count > 0),
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (partner_id, id),
      unique (partner_id, idempotency_key)
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists footprint_batches`.execute(db)
}
