// Report latency at national scale, on the database scripts/generate-national.ts builds.
//
//   npx tsx scripts/bench-reports.ts [--runs 50] [--database gp_bench_reports] [--province 410000] [--year 2026] [--month 2026-10]
//
// Times, over repeated requests, the same service calls the report pages make
// (loadReportPage: every metric with numerator, denominator, coverage and
// target status, the drill-down; loadReportCharts: the request the page makes
// for its charts once it is live) for
//   1. a province-year report, as that province's bureau;
//   2. an outlet-month report, as the outlet's operator (with its district and city benchmarks);
// and beside each, the same monthly sums computed straight from the raw rows,
// checked to be the same figures. Prints median and p95 in milliseconds.
// Admin connection: BENCH_DATABASE_URL or DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
import { sql, type Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { loadReportCharts, loadReportPage, type Report } from '#app/services/reports.server.ts'
import { openDatabase } from '#db/client.ts'
import type { Database } from '#db/schema.ts'
import { vehicleUse } from '#app/domain/records/index.ts'
import { runCli } from './lib/cli.ts'

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback)
}

interface Timing {
  median: number
  p95: number
  min: number
  max: number
  runs: number
}

async function measure(runs: number, warmup: number, fn: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  // Nearest-rank percentiles.
  const rank = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!
  return { median: rank(0.5), p95: rank(0.95), min: times[0]!, max: times[times.length - 1]!, runs }
}

const ms = (value: number) => `${value.toFixed(1)} ms`

function line(label: string, timing: Timing): string {
  return `  ${label.padEnd(44)} median ${ms(timing.median).padStart(10)}   p95 ${ms(timing.p95).padStart(10)}   (min ${ms(timing.min)}, max ${ms(timing.max)}, ${timing.runs} runs)`
}

runCli(async () => {
  const runs = Number(option('runs', '50'))
  const name = option('database', 'gp_bench_reports')
  const province = option('province', '410000')
  const year = option('year', '2026')
  const month = option('month', '2026-10')
  const admin = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const url = new URL(admin)
  url.pathname = `/${name}`
  // The app's own pool size (db/client.ts default).
  const handle = openDatabase({ kind: 'postgres', url: url.toString() })
  const db = handle.db
  try {
    const counts = await sql<{ outlets: string; stats: string; rollups: string; province_outlets: string }>`
      select (select count(*) from outlets)::text as outlets,
             (select reltuples::bigint from pg_class where relname = 'shipment_stats')::text as stats,
             (select count(*) from outlet_month_rollups)::text as rollups,
             (select count(*) from outlets where province_code = ${province})::text as province_outlets`.execute(db)
    const c = counts.rows[0]!
    console.log(
      `Database ${name}: ${Number(c.outlets).toLocaleString('en')} outlets, about ${Number(c.stats).toLocaleString('en')} shipment-statistics rows, ` +
        `${Number(c.rollups).toLocaleString('en')} outlet-month rollups; province ${province}: ${Number(c.province_outlets).toLocaleString('en')} outlets`,
    )
    const bureau: Viewer = { userId: 0, role: 'bureau_officer', regionCode: province, outletId: null, brandId: null }
    const outlet = await db.selectFrom('outlets').select(['id', 'region_code']).where('province_code', '=', province).orderBy('id').executeTakeFirstOrThrow()
    const operator: Viewer = { userId: 0, role: 'outlet_operator', regionCode: null, outletId: outlet.id, brandId: null }
    const now = new Date()

    const provinceScope = { kind: 'region', regionCode: province } as const
    const outletScope = { kind: 'outlet', outletId: outlet.id } as const
    const provinceReport = () => page(db, bureau, provinceScope, year, now)
    const provinceCharts = () => charts(db, bureau, provinceScope, year)
    const outletReport = () => page(db, operator, outletScope, month, now)
    const outletCharts = () => charts(db, operator, outletScope, month)

    console.log(`\n1. Province-year report (${province}, ${year}) as the province's bureau`)
    const full = await measure(runs, 3, provinceReport)
    console.log(line('report (metrics, statuses, drill-down)', full))
    console.log(line('its charts (the page’s second request)', await measure(runs, 3, provinceCharts)))
    console.log(line('both at once, as a browser asks', await measure(runs, 3, () => Promise.all([provinceReport(), provinceCharts()]))))
    // The report's months: a running year stops at the last month with data.
    const yearMonths = (await provinceReport()).months
    const raw = await measure(Math.min(runs, 5), 1, () => rawMonthlySums(db, { province }, yearMonths))
    console.log(line('same sums straight from the raw rows', raw))
    await check(await provinceReport(), await rawMonthlySums(db, { province }, yearMonths))

    console.log(`\n2. Outlet-month report (outlet ${outlet.id}, ${month}) as its operator, with benchmarks`)
    console.log(line('report (metrics, statuses, benchmarks)', await measure(runs, 3, outletReport)))
    console.log(line('its charts', await measure(runs, 3, outletCharts)))
    console.log(line('same sums straight from the raw rows', await measure(Math.min(runs, 20), 1, () => rawMonthlySums(db, { outletId: outlet.id }, [month]))))
    await check(await outletReport(), await rawMonthlySums(db, { outletId: outlet.id }, [month]))

    console.log(`\nTarget: p95 under 100 ms for the province-year report: ${full.p95 < 100 ? 'met' : 'NOT met'} (${ms(full.p95)}).`)
  } finally {
    await handle.close()
  }
})

async function page(db: Kysely<Database>, viewer: Viewer, scope: Parameters<typeof loadReportPage>[2], period: string, now: Date): Promise<Report> {
  const result = await loadReportPage(db, viewer, scope, new URLSearchParams({ period }), now)
  if (!result.ok || !result.data.report) throw new Error(`report refused: ${JSON.stringify(result)}`)
  return result.data.report
}

async function charts(db: Kysely<Database>, viewer: Viewer, scope: Parameters<typeof loadReportCharts>[2], period: string) {
  const result = await loadReportCharts(db, viewer, scope, new URLSearchParams({ period }), new Date())
  if (!result.ok) throw new Error(`charts refused: ${JSON.stringify(result)}`)
  return result.charts
}

interface RawSums {
  parcels: string
  e_waybill_parcels: string
  box_parcels: string
  narrow_tape_box_parcels: string
  packaging_mass_kg: string
  distance_km: string
  cartons_reused: string
  outlets: string
  reporting_outlets: string
  vehicles_in_service: string
}

/**
 * The figures of a report computed from the raw activity rows, as a system
 * without rollups would: shipment sums, packaging mass (items × unit mass),
 * collections, distance, vehicles in service and outlet coverage, per month.
 */
async function rawMonthlySums(db: Kysely<Database>, scope: { province?: string; outletId?: number }, monthList: string[]): Promise<RawSums> {
  const from = `${monthList[0]}-01`
  const last = monthList[monthList.length - 1]!
  const outletFilter = scope.outletId !== undefined ? sql`o.id = ${scope.outletId}` : sql`o.province_code = ${scope.province!}`
  const { rows } = await sql<RawSums>`
    with scope_outlets as (select o.id, o.kind, o.opened_on, o.closed_on from outlets o where ${outletFilter}),
    months as (select m::date as month, (m + interval '1 month')::date as next_month
               from generate_series(${from}::date, ${`${last}-01`}::date, interval '1 month') m),
    ship as (
      select s.outlet_id, date_trunc('month', s.stat_date)::date as month, sum(s.parcels) as parcels, sum(s.e_waybill_parcels) as e,
        sum(coalesce(s.box_parcels, 0)) as box, sum(coalesce(s.narrow_tape_box_parcels, 0)) as narrow
      from shipment_stats s join scope_outlets o on o.id = s.outlet_id
      where s.superseded_at is null and s.stat_date >= ${from}::date and s.stat_date < (${`${last}-01`}::date + interval '1 month')
      group by 1, 2),
    pack as (
      select sum(c.item_count * i.unit_mass_kg / coalesce(i.design_life_uses, 1)) as mass
      from packaging_consumption c join packaging_items i on i.id = c.item_id join scope_outlets o on o.id = c.outlet_id
      where c.superseded_at is null and c.period_start >= ${from}::date and c.period_start < (${`${last}-01`}::date + interval '1 month')),
    coll as (
      select sum(rc.cartons_reused) as reused from recovery_collections rc join scope_outlets o on o.id = rc.outlet_id
      where rc.superseded_at is null and rc.collection_date >= ${from}::date and rc.collection_date < (${`${last}-01`}::date + interval '1 month')),
    vuse as (
      select sum(vu.distance_km) as km from ${sql.table(vehicleUse.table)} vu join scope_outlets o on o.id = vu.outlet_id
      where vu.superseded_at is null and vu.month >= ${from}::date and vu.month <= ${`${last}-01`}::date),
    fleet as (
      select count(*) as vehicle_months from vehicles v join scope_outlets o on o.id = v.outlet_id
      join months m on v.in_service_from < m.next_month and (v.in_service_to is null or v.in_service_to >= m.month)
      where v.superseded_at is null),
    coverage as (
      select count(*) filter (where o.kind = 'outlet') as outlet_months,
             count(*) filter (where o.kind = 'outlet' and exists (select 1 from ship where ship.outlet_id = o.id and ship.month = m.month)) as reporting
      from scope_outlets o join months m on o.opened_on < m.next_month and (o.closed_on is null or o.closed_on >= m.month))
    select (select sum(parcels) from ship)::text as parcels, (select sum(e) from ship)::text as e_waybill_parcels,
      (select sum(box) from ship)::text as box_parcels, (select sum(narrow) from ship)::text as narrow_tape_box_parcels,
      (select mass from pack)::text as packaging_mass_kg, (select km from vuse)::text as distance_km,
      (select reused from coll)::text as cartons_reused, (select outlet_months from coverage)::text as outlets,
      (select reporting from coverage)::text as reporting_outlets, (select vehicle_months from fleet)::text as vehicles_in_service`.execute(db)
  return rows[0]!
}

/** The report's numerators and denominators must be the raw rows' sums. */
async function check(report: Report, raw: RawSums): Promise<void> {
  const metric = (code: string) => report.metrics.find((m) => m.code === code)!
  const pairs: [string, string | null, string][] = [
    ['parcels', metric('e_waybill_rate').denominator, raw.parcels],
    ['e-waybill parcels', metric('e_waybill_rate').numerator, raw.e_waybill_parcels],
    ['box parcels', metric('narrow_tape_rate').denominator, raw.box_parcels],
    ['narrow-tape box parcels', metric('narrow_tape_rate').numerator, raw.narrow_tape_box_parcels],
    ['packaging mass (kg)', metric('standard_packaging_rate').denominator, raw.packaging_mass_kg],
    ['distance (km)', metric('nev_fleet_distance_share').denominator, raw.distance_km],
    ['cartons reused', metric('cartons_reused').numerator, raw.cartons_reused],
    ['vehicle-months', metric('nev_fleet_share').denominator, raw.vehicles_in_service],
    ['outlet-months', report.outletMonths, raw.outlets],
    ['reporting outlet-months', report.reportingOutlets, raw.reporting_outlets],
  ]
  const same = (a: string | null, b: string) => a !== null && Number(a) === Number(b) && a.replace(/\.?0+$/, '') === b.replace(/\.?0+$/, '')
  const differing = pairs.filter(([, a, b]) => !same(a, b))
  console.log(
    differing.length === 0
      ? `  same figures from rollups and raw rows: ${pairs.map(([label, a]) => `${label} ${a}`).join(', ')}`
      : `  DIFFERENT: ${differing.map(([label, a, b]) => `${label} report ${a} vs raw ${b}`).join('; ')}`,
  )
}
