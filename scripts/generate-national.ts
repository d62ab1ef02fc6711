// A national-scale data set for the report benchmark, in a PostgreSQL database of its own.
//
//   npx tsx scripts/generate-national.ts [--outlets 20150] [--days 497] [--database gp_bench_reports]
//
// 31 provinces × 10 cities × 5 districts, the 8 demo brands, 20,150 outlets
// (13 per district) and, for each, daily shipment statistics over 497 days
// ending 2026-10-31 (10,014,550 rows), monthly packaging consumption (4 items),
// recovery bins and collections, 3 vehicles with monthly use, and facility
// electricity. The rows are synthetic (random() with a fixed seed, set-based
// INSERT … SELECT over generate_series); emissions are not computed (the
// emission engine has its own benchmark), so co2e figures are 0. Then the
// report rollups are built with db/models/rollups.ts rebuildRollups, the same
// code the app runs. Run scripts/bench-reports.ts afterwards; drop the
// database with `dropdb -h 127.0.0.1 -U postgres gp_bench_reports`.
//
// Admin connection: BENCH_DATABASE_URL or DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
import { sql, type Kysely } from 'kysely'
import { openDatabase } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { rebuildRollups } from '#db/models/rollups.ts'
import type { Database } from '#db/schema.ts'
import { vehicleUse } from '#app/domain/records/index.ts'
import { runCli } from './lib/cli.ts'
import { createThrowawayDatabase, localServerUrl } from './lib/throwaway-database.ts'

// GB/T 2260 province prefixes of mainland China.
const provinces = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65']
const brands = [
  ['ems', '中国邮政EMS', 'China Post EMS'],
  ['sf', '顺丰速运', 'SF Express'],
  ['zto', '中通快递', 'ZTO Express'],
  ['yto', '圆通速递', 'YTO Express'],
  ['sto', '申通快递', 'STO Express'],
  ['yunda', '韵达速递', 'Yunda Express'],
  ['jd', '京东物流', 'JD Logistics'],
  ['jt', '极兔速递', 'J&T Express'],
]
const lastDay = '2026-10-31'

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const value = Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a whole number above 0`)
  return value
}

function textOption(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback)
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1)

runCli(async () => {
  const outletCount = option('outlets', 20_150)
  const days = option('days', 497)
  const name = textOption('database', 'gp_bench_reports')
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('--database: lower-case letters, digits and _ only')
  const { url } = await createThrowawayDatabase(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? localServerUrl, name)
  const handle = openDatabase({ kind: 'postgres', url, maxConnections: 2 })
  const db = handle.db
  const started = performance.now()
  try {
    await migrateToLatest(db)
    await db.connection().execute(async (conn) => {
      await sql`set synchronous_commit = off`.execute(conn)
      // Foreign-key triggers off for the bulk load (superuser only): every row
      // is built from the outlets table itself, and a per-row check of three
      // keys would triple the load time. Back on before the rollups are built.
      await sql`set session_replication_role = replica`.execute(conn)
      await sql`select setseed(0.20261101)`.execute(conn)
      let t = performance.now()
      await reference(conn, outletCount)
      console.log(`Regions, brands, ${outletCount.toLocaleString('en')} outlets: ${seconds(t)} s`)
      t = performance.now()
      const shipments = await shipmentStats(conn, days)
      console.log(`Shipment statistics: ${shipments.toLocaleString('en')} rows (${days} days to ${lastDay}) in ${seconds(t)} s`)
      t = performance.now()
      const other = await monthlyRecords(conn, days)
      console.log(`Packaging, recovery, fleet, facility: ${other.toLocaleString('en')} rows in ${seconds(t)} s`)
      await sql`set session_replication_role = origin`.execute(conn)
      t = performance.now()
      await sql`analyze`.execute(conn)
      console.log(`analyze: ${seconds(t)} s`)
    })
    let t = performance.now()
    const rollups = await db.connection().execute(async (conn) => {
      // The rollup rows are built from the outlets table itself: their
      // foreign-key checks are skipped for the bulk build, as for the load.
      await sql`set session_replication_role = replica`.execute(conn)
      try {
        return await rebuildRollups(conn)
      } finally {
        await sql`set session_replication_role = origin`.execute(conn)
      }
    })
    console.log(`Rollups (rebuildRollups): ${rollups.outletMonths.toLocaleString('en')} outlet-months in ${seconds(t)} s`)
    t = performance.now()
    await sql`analyze outlet_month_rollups`.execute(db)
    await sql`analyze outlet_month_mix`.execute(db)
    console.log(`Done in ${seconds(started)} s. Database: ${url.replace(/\/\/[^@/]*@/, '//***@')}`)
  } finally {
    await handle.close()
  }
})

async function reference(db: Kysely<Database>, outletCount: number): Promise<void> {
  const list = sql.join(provinces.map((p) => sql`(${p})`))
  await sql`
    insert into regions (code, parent_code, level, name_zh, name_en, grid_region)
    select p || '0000', null, 'province', '省份' || p, 'Province ' || p, 'central' from (values ${list}) v(p)`.execute(db)
  await sql`
    insert into regions (code, parent_code, level, name_zh, name_en, grid_region)
    select p || lpad(c::text, 2, '0') || '00', p || '0000', 'city', '城市' || p || lpad(c::text, 2, '0'), 'City ' || p || lpad(c::text, 2, '0'), 'central'
    from (values ${list}) v(p) cross join generate_series(1, 10) c`.execute(db)
  await sql`
    insert into regions (code, parent_code, level, name_zh, name_en, grid_region)
    select left(r.code, 4) || lpad(d::text, 2, '0'), r.code, 'district', '区县' || left(r.code, 4) || lpad(d::text, 2, '0'), 'District ' || left(r.code, 4) || lpad(d::text, 2, '0'), 'central'
    from regions r cross join generate_series(1, 5) d where r.level = 'city'`.execute(db)
  for (const [code, zh, en] of brands) {
    await sql`insert into brands (code, name_zh, name_en) values (${code}, ${zh}, ${en})`.execute(db)
  }
  // Outlets round-robin over districts and brands; ids are the order of creation.
  await sql`
    insert into outlets (code, brand_id, region_code, kind, name_zh, name_en, opened_on)
    select 'N' || lpad(n::text, 6, '0'), b.ids[1 + n % array_length(b.ids, 1)], d.codes[1 + n % array_length(d.codes, 1)], 'outlet',
      '网点' || n, 'Outlet ' || n, date '2020-01-01'
    from generate_series(0, ${outletCount - 1}) n,
      (select array_agg(id order by id) as ids from brands) b,
      (select array_agg(code order by code) as codes from regions where level = 'district') d`.execute(db)
  await sql`
    insert into packaging_items (code, name_zh, name_en, category, material, unit_mass_kg, meets_gb_t_16606, meets_gb_43352, plastic, degradable, reusable, source) values
      ('bench_box', '纸箱', 'Carton', 'box', 'material:corrugated_virgin', 0.215, true, true, false, false, false, 'benchmark'),
      ('bench_bag', '塑料袋', 'PE bag', 'bag', 'material:pe_film', 0.010, true, true, true, false, false, 'benchmark'),
      ('bench_bag_pla', '可降解袋', 'PLA bag', 'bag', 'material:pla', 0.013, true, true, true, true, false, 'benchmark'),
      ('bench_tape', '胶带', 'Tape', 'tape', 'material:pp_tape', 0.252, true, true, true, false, false, 'benchmark')`.execute(db)
}

/**
 * 10 million rows in chunks of outlets, each chunk one INSERT … SELECT. The
 * table's two secondary indexes are dropped for the load and built again
 * from their own definitions (pg_indexes) afterwards: one sort instead of
 * ten million index insertions.
 */
async function shipmentStats(db: Kysely<Database>, days: number): Promise<number> {
  const { rows: indexes } = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes where tablename = 'shipment_stats' and indexname <> 'shipment_stats_pkey'`.execute(db)
  for (const index of indexes) await sql`drop index ${sql.ref(index.indexname)}`.execute(db)
  const { rows: bounds } = await sql<{ lo: number; hi: number }>`select min(id) as lo, max(id) as hi from outlets`.execute(db)
  const { lo, hi } = bounds[0]!
  const chunk = 2_000
  const first = sql`(${lastDay}::date - ${days - 1}::int)`
  for (let from = lo; from <= hi; from += chunk) {
    const t = performance.now()
    // Each random() in the inner select list is drawn per row.
    await sql`
      insert into shipment_stats (outlet_id, brand_id, region_code, stat_date, parcels, e_waybill_parcels, paper_waybill_parcels,
        ecommerce_parcels, ecommerce_original_parcels, recyclable_packaging_parcels, box_parcels, narrow_tape_box_parcels,
        transit_bags, recyclable_transit_bags, data_quality, source)
      select id, brand_id, region_code, day, p, e, p - e, ec, (ec * (0.78 + 0.2 * r2))::int, (p * 0.03 * r3)::int,
        b, (b * (0.85 + 0.14 * r4))::int, p / 32 + 1, ((p / 32 + 1) * (0.86 + 0.13 * r5))::int, 'measured', 'csv'
      from (
        select id, brand_id, region_code, day, p, (p * (0.95 + 0.045 * r1))::int as e, (p * (0.75 + 0.1 * r2))::int as ec,
          (p * (0.42 + 0.12 * r3))::int as b, r2, r3, r4, r5
        from (
          select o.id, o.brand_id, o.region_code, d.day::date as day, (150 + random() * 1100)::int as p,
            random() as r1, random() as r2, random() as r3, random() as r4, random() as r5
          from outlets o
          cross join generate_series(${first}, ${lastDay}::date, interval '1 day') d(day)
          where o.id between ${from} and ${Math.min(from + chunk - 1, hi)}
        ) raw
      ) x`.execute(db)
    process.stdout.write(`  outlets ${from}–${Math.min(from + chunk - 1, hi)}: ${seconds(t)} s\r`)
  }
  process.stdout.write('\n')
  for (const index of indexes) {
    const t = performance.now()
    await sql.raw(index.indexdef).execute(db)
    console.log(`  index ${index.indexname}: ${seconds(t)} s`)
  }
  const { rows } = await sql<{ n: string }>`select count(*)::text as n from shipment_stats`.execute(db)
  return Number(rows[0]!.n)
}

async function monthlyRecords(db: Kysely<Database>, days: number): Promise<number> {
  const months = sql`generate_series(date_trunc('month', ${lastDay}::date - ${days - 1}::int)::date, ${lastDay}::date, interval '1 month') m(month)`
  let total = 0
  const count = async (statement: ReturnType<typeof sql>) => {
    const result = await statement.execute(db)
    total += Number(result.numAffectedRows ?? 0)
  }
  await count(sql`
    insert into packaging_consumption (outlet_id, brand_id, region_code, period_start, period_kind, item_id, item_count, data_quality, source)
    select o.id, o.brand_id, o.region_code, m.month::date, 'month', i.id, (300 + random() * 3000)::int, 'measured', 'csv'
    from outlets o cross join ${months} cross join packaging_items i`)
  await count(sql`
    insert into recovery_bins (outlet_id, brand_id, region_code, as_of_date, installed_bins, labelled_bins, in_service_bins, data_quality, source)
    select id, brand_id, region_code, date '2024-01-01', 2, case when random() < 0.9 then 2 else 0 end, 2, 'measured', 'csv' from outlets`)
  await count(sql`
    insert into recovery_collections (outlet_id, brand_id, region_code, collection_date, cartons_collected, cartons_reused, recycler_mass_kg, data_quality, source)
    select id, brand_id, region_code, month, c, (c * (0.5 + 0.3 * r))::int, round(c * 0.1, 3), 'measured', 'csv'
    from (select o.id, o.brand_id, o.region_code, (m.month + interval '1 month' - interval '1 day')::date as month, (200 + random() * 800)::int as c, random() as r
          from outlets o cross join ${months}) x`)
  await count(sql`
    insert into vehicles (outlet_id, brand_id, region_code, plate, vehicle_class, energy, emission_standard, in_service_from, acquisition, data_quality, source)
    select id, brand_id, region_code, 'V' || id || '-' || v, cls, energy, case when energy = 'BEV' then 'none' else 'guo6' end,
      case when late then date '2025-06-01' + (r * 480)::int else date '2022-01-01' end, case when late then 'new' else 'existing' end, 'measured', 'csv'
    from (select o.id, o.brand_id, o.region_code, v, case when v = 1 then 'electric_tricycle' else 'light_van' end as cls,
            case when v = 1 or random() < 0.45 then 'BEV' else 'diesel' end as energy, random() < 0.12 as late, random() as r
          from outlets o cross join generate_series(1, 3) v) x`)
  await count(sql`
    insert into ${sql.table(vehicleUse.table)} (outlet_id, brand_id, region_code, vehicle_id, month, distance_km, fuel_litres, electricity_kwh, data_quality, source)
    select outlet_id, brand_id, region_code, id, month, km, case when energy = 'diesel' then round(km * 0.095, 3) end,
      case when energy = 'BEV' then round(km * 0.06, 3) end, 'measured', 'csv'
    from (select v.outlet_id, v.brand_id, v.region_code, v.id, v.energy, m.month::date as month, round((900 + random() * 2100)::numeric, 2) as km
          from vehicles v cross join ${months} where v.in_service_from < m.month + interval '1 month') x`)
  await count(sql`
    insert into facility_electricity (outlet_id, brand_id, region_code, month, electricity_kwh, data_quality, source)
    select o.id, o.brand_id, o.region_code, m.month::date, round((600 + random() * 1500)::numeric, 3), 'measured', 'csv'
    from outlets o cross join ${months}`)
  return total
}
