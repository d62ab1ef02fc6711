import { sql, type Kysely } from 'kysely'

// Frozen in time. Citus (docs/scale.md): redemptions are sharded by consumer_id,
// and a sharded table can only be unique on keys that include it. A reward code
// stays unique across all consumers through its own table keyed by the code
// (sharded by code), claimed in the same transaction as the redemption; the
// redemption itself is unique per consumer and code.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table redemption_codes (
      code text primary key,
      consumer_id bigint not null
    )`.execute(db)
  await sql`insert into redemption_codes (code, consumer_id) select code, consumer_id from redemptions`.execute(db)
  await sql`alter table redemptions drop constraint redemptions_code_key`.execute(db)
  await sql`alter table redemptions add constraint redemptions_consumer_code_key unique (consumer_id, code)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table redemptions drop constraint redemptions_consumer_code_key`.execute(db)
  await sql`alter table redemptions add constraint redemptions_code_key unique (code)`.execute(db)
  await sql`drop table redemption_codes`.execute(db)
}
