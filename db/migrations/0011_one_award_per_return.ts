import { sql, type Kysely } from 'kysely'

// Frozen in time. One award per waybill for a returned carton or box,
// whoever brings it back and by whichever action (issue 14; decision
// 075-one-award-per-return.md). credit_actions' own key is per consumer, so
// it cannot say this: a small table keyed by the waybill alone records who
// was awarded each return. On Citus it is a lookup table like
// consumers.member_code (keyed by the waybill, not the consumer).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table credit_return_waybills (
      waybill_no text primary key check (waybill_no ~ '^[A-Z0-9]{8,30}$'),
      consumer_id bigint not null references consumers (id),
      action text not null check (action in ('carton_returned', 'recyclable_box_returned')),
      occurred_at timestamptz not null,
      outlet_id integer references outlets (id),
      partner_id integer references partners (id),
      created_at timestamptz not null default now(),
      check ((outlet_id is null) <> (partner_id is null))
    )`.execute(db)
  // Returns awarded before this migration: the first award for each waybill holds it.
  await sql`
    insert into credit_return_waybills (waybill_no, consumer_id, action, occurred_at, outlet_id, partner_id, created_at)
    select distinct on (waybill_no) waybill_no, consumer_id, action, occurred_at, outlet_id, partner_id, created_at
    from credit_actions
    where action in ('carton_returned', 'recyclable_box_returned')
    order by waybill_no, created_at, id`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists credit_return_waybills`.execute(db)
}
