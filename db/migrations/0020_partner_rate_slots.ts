import { sql, type Kysely } from 'kysely'

// Frozen in time. A partner's rate limit was one token-bucket row that every
// request of that partner updated, so all of them queued on its lock
// (issue 15). The bucket is now split into slots: each holds burst/slots
// tokens and refills at rate/slots, and a request takes a token from any slot
// that is free (FOR UPDATE SKIP LOCKED), so parallel requests do not wait on
// one another while the total still never exceeds burst + rate × time
// (decision 086). Bucket state is not worth keeping across a migration:
// an empty table means every slot starts full.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table partner_rate_slots (
      partner_id integer not null references partners (id),
      slot smallint not null check (slot >= 0),
      tokens numeric(14, 3) not null,
      refilled_at timestamptz not null,
      primary key (partner_id, slot)
    )`.execute(db)
  await sql`drop table partner_rate_buckets`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create table partner_rate_buckets (
      partner_id integer primary key references partners (id),
      tokens numeric(12, 3) not null,
      refilled_at timestamptz not null
    )`.execute(db)
  await sql`drop table partner_rate_slots`.execute(db)
}
