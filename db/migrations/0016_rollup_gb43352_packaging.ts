import { sql, type Kysely } from 'kysely'

// Frozen in time. The mass of each outlet-month's packaging whose item is
// marked as meeting GB 43352-2023 (the mandatory limits on heavy metals and
// specific substances in express packaging, in force 2024-06-01), so that the
// standard can be reported as the requirement it is: on its own, not only
// inside "standard-compliant" (which also asks for GB/T 16606, a recommended
// standard). Named to sort after 0016_rollup_fallback_co2e. Existing rows are
// filled from the packaging records, as the rollup refresh does from now on.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table outlet_month_rollups add column gb43352_packaging_mass_kg numeric not null default 0`.execute(db)
  await sql`
    update outlet_month_rollups r set gb43352_packaging_mass_kg = f.kg
    from (
      select c.outlet_id, date_trunc('month', c.period_start)::date as month, sum(c.item_count * i.unit_mass_kg / coalesce(i.design_life_uses, 1)) as kg
      from packaging_consumption c
      join packaging_items i on i.id = c.item_id
      where c.superseded_at is null and i.meets_gb_43352
      group by 1, 2
    ) f
    where r.outlet_id = f.outlet_id and r.month = f.month`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table outlet_month_rollups drop column gb43352_packaging_mass_kg`.execute(db)
}
