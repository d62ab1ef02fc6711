import { sql, type Kysely } from 'kysely'

// Frozen in time. The part of each outlet-month's CO2e that comes from
// records costed with a fallback factor (another region level or year than
// the one asked for, issue 13.4), so that a report can state the share of
// its figure that rests on fallbacks without reading the results again.
// Existing rows are filled from the current results, the same rule the
// rollup refresh applies from now on.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table outlet_month_rollups add column fallback_co2e_kg numeric not null default 0`.execute(db)
  await sql`
    update outlet_month_rollups r set fallback_co2e_kg = f.kg
    from (
      select outlet_id, month, sum(co2e_kg) as kg
      from emission_results
      where status = 'current' and category in ('packaging', 'fleet', 'facility') and provenance -> 'fallbacks' is not null
      group by outlet_id, month
    ) f
    where r.outlet_id = f.outlet_id and r.month = f.month`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table outlet_month_rollups drop column fallback_co2e_kg`.execute(db)
}
