import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { rollupFields, type RollupField } from '#app/domain/metrics/definitions.ts'
import type { RollupSums } from '#app/domain/metrics/compute.ts'
import { isWithinRegion, regionLevel, regionPrefix } from '#app/domain/regions.ts'
import type { Database } from '../schema.ts'
import type { MixMeasure } from '../tables/reports.ts'
import { outletVisibleTo } from './scope.ts'

/**
 * Report queries. They read the monthly rollups only, never the raw activity
 * rows, and every one is limited in SQL to what the viewer may see (the same
 * rule as `outletVisibleTo` in scope.ts, on the rollups' copied columns):
 * a bureau its region subtree, a brand admin its brand, an operator its
 * outlet, an admin everything. A forbidden row is never summed.
 *
 * The one exception is `crossBrandBenchmark`, which sums every brand of a
 * region on purpose and returns only totals and the count of other brands'
 * outlets behind them, for small-cell suppression by the caller.
 */

/** What is being reported on: the nation, a region subtree or one outlet, optionally one brand only. */
export type ReportScope = { kind: 'nation' } | { kind: 'region'; regionCode: string } | { kind: 'outlet'; outletId: number }

export interface ScopeFilter {
  scope: ReportScope
  brandId?: number | null
}

/** The level a report drills down to from its scope. */
export type GroupKey = 'province' | 'city' | 'district' | 'outlet' | 'brand'

/** Months as `YYYY-MM`, inclusive. */
export interface MonthRange {
  from: string
  to: string
}

export interface MonthlySums {
  month: string
  sums: RollupSums
}

export interface ScopeMonthlySums extends MonthlySums {
  /** Avoided CO2e before consumer credits, and the part credited to consumers (kg). */
  grossAvoidedCo2eKg: string
  consumerAvoidedCo2eKg: string
  /** Emissions by source (kg), for the chart. */
  packagingCo2eKg: string
  fleetCo2eKg: string
  facilityCo2eKg: string
}

export interface GroupedMonthlySums extends MonthlySums {
  key: string
}

const sumColumns = sql.raw(rollupFields.map((field) => `sum(r.${field})::text as ${field}`).join(', '))

/**
 * The viewer's reach and the report's scope as one condition on the rollup
 * rows. Where one implies the other (a city inside the bureau's province,
 * the brand admin's own brand) it is written once: the planner multiplies
 * the selectivities of repeated conditions on correlated columns and, under
 * such an estimate, would read a whole month index instead of a province's rows.
 */
function scoped(viewer: Viewer, filter: ScopeFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = []
  const scope = filter.scope
  switch (viewer.role) {
    case 'admin':
      break
    case 'bureau_officer': {
      const reach = viewer.regionCode
      if (!reach) return sql`false`
      if (scope.kind === 'region') {
        // Within the jurisdiction: the scope's own condition; wider: the jurisdiction; elsewhere: nothing.
        if (isWithinRegion(scope.regionCode, reach)) parts.push(regionCondition(scope.regionCode))
        else if (isWithinRegion(reach, scope.regionCode)) parts.push(regionCondition(reach))
        else return sql`false`
      } else {
        parts.push(regionCondition(reach))
      }
      break
    }
    case 'carrier_admin':
      if (viewer.brandId === null) return sql`false`
      if (filter.brandId !== undefined && filter.brandId !== null && filter.brandId !== viewer.brandId) return sql`false`
      parts.push(sql`r.brand_id = ${viewer.brandId}`)
      break
    case 'outlet_operator':
      if (viewer.outletId === null) return sql`false`
      if (scope.kind === 'outlet' && scope.outletId !== viewer.outletId) return sql`false`
      parts.push(sql`r.outlet_id = ${viewer.outletId}`)
      break
    case 'consumer':
      return sql`false`
  }
  if (scope.kind === 'region' && viewer.role !== 'bureau_officer') parts.push(regionCondition(scope.regionCode))
  if (scope.kind === 'outlet' && viewer.role !== 'outlet_operator') parts.push(sql`r.outlet_id = ${scope.outletId}`)
  if (filter.brandId !== undefined && filter.brandId !== null && viewer.role !== 'carrier_admin') parts.push(sql`r.brand_id = ${filter.brandId}`)
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `)
}

// The copied province/city/district columns each have an index with month.
function regionCondition(regionCode: string): RawBuilder<unknown> {
  switch (regionLevel(regionCode)) {
    case 'province':
      return sql`r.province_code = ${regionCode}`
    case 'city':
      return sql`r.city_code = ${regionCode}`
    case 'district':
      return sql`r.region_code = ${regionCode}`
  }
}

/**
 * The months as literals, not bind parameters: postgres.js prepares each
 * statement, and after five runs PostgreSQL may switch to a generic plan,
 * which cannot see how narrow a parameterised date range is and reads the
 * whole month index (hundreds of milliseconds at national scale instead of
 * tens). The values are checked to be months first.
 */
function monthCondition(range: MonthRange): RawBuilder<unknown> {
  for (const month of [range.from, range.to]) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`Not a month (YYYY-MM): ${month}`)
  }
  return sql`r.month between ${sql.lit(`${range.from}-01`)}::date and ${sql.lit(`${range.to}-01`)}::date`
}

const groupColumns: Record<GroupKey, string> = {
  province: 'r.province_code',
  city: 'r.city_code',
  district: 'r.region_code',
  outlet: 'r.outlet_id::text',
  brand: 'r.brand_id::text',
}

function toSums(row: Record<string, unknown>): RollupSums {
  const sums: Partial<Record<RollupField, string>> = {}
  for (const field of rollupFields) sums[field] = String(row[field] ?? '0')
  return sums
}

/** The scope's sums per month, oldest first. Months without a row are absent. */
export async function monthlySums(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: ScopeFilter,
  range: MonthRange,
): Promise<ScopeMonthlySums[]> {
  return monthlySumsBy(db, viewer, filter, range, null)
}

export interface KeyedScopeMonthlySums extends ScopeMonthlySums {
  /** The group (child region, outlet, brand); null without grouping. */
  key: string | null
}

/**
 * The scope's sums per month, and per group when asked: one pass over the
 * scope's rollup rows gives a report its drill-down and its totals (the sum
 * of its groups).
 */
export async function monthlySumsBy(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: ScopeFilter,
  range: MonthRange,
  groupBy: GroupKey | null,
): Promise<KeyedScopeMonthlySums[]> {
  const key = groupBy ? sql.raw(groupColumns[groupBy]) : sql`null::text`
  const { rows } = await sql<Record<string, string>>`
    select ${key} as key, to_char(r.month, 'YYYY-MM') as month, ${sumColumns},
      sum(r.gross_avoided_co2e_kg)::text as gross_avoided, sum(r.consumer_avoided_co2e_kg)::text as consumer_avoided,
      sum(r.packaging_co2e_kg)::text as packaging_co2e, sum(r.fleet_co2e_kg)::text as fleet_co2e, sum(r.facility_co2e_kg)::text as facility_co2e
    from outlet_month_rollups r
    where ${scoped(viewer, filter)} and ${monthCondition(range)}
    group by 1, r.month
    order by 1, r.month`.execute(db)
  return rows.map((row) => ({
    key: row.key ?? null,
    month: row.month!,
    sums: toSums(row),
    grossAvoidedCo2eKg: row.gross_avoided ?? '0',
    consumerAvoidedCo2eKg: row.consumer_avoided ?? '0',
    packagingCo2eKg: row.packaging_co2e ?? '0',
    fleetCo2eKg: row.fleet_co2e ?? '0',
    facilityCo2eKg: row.facility_co2e ?? '0',
  }))
}

/** The scope's sums per group (child region, outlet or brand) and month. */
export async function groupedMonthlySums(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: ScopeFilter,
  range: MonthRange,
  groupBy: GroupKey,
): Promise<GroupedMonthlySums[]> {
  const key = sql.raw(groupColumns[groupBy])
  const { rows } = await sql<Record<string, string>>`
    select ${key} as key, to_char(r.month, 'YYYY-MM') as month, ${sumColumns}
    from outlet_month_rollups r
    where ${scoped(viewer, filter)} and ${monthCondition(range)}
    group by 1, r.month
    order by 1, r.month`.execute(db)
  return rows.map((row) => ({ key: String(row.key), month: row.month!, sums: toSums(row) }))
}

/**
 * Baseline sums for targets relative to a baseline year: the scope's (or each
 * group's) first 12 months from the first month it reported parcels.
 */
export async function baselineSums(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: ScopeFilter,
  groupBy?: GroupKey,
): Promise<{ key: string | null; firstMonth: string; sums: RollupSums }[]> {
  const key = groupBy ? sql.raw(groupColumns[groupBy]) : sql`null::text`
  const { rows } = await sql<Record<string, string>>`
    with firsts as (
      select ${key} as key, min(r.month) as first
      from outlet_month_rollups r
      where ${scoped(viewer, filter)} and r.parcels > 0
      group by 1
    )
    select f.key, to_char(f.first, 'YYYY-MM') as first_month, ${sumColumns}
    from firsts f
    join outlet_month_rollups r on ${groupBy ? sql`${key} = f.key` : sql`true`}
      and r.month >= f.first and r.month < (f.first + interval '12 months')
    where ${scoped(viewer, filter)}
    group by f.key, f.first`.execute(db)
  return rows.map((row) => ({ key: row.key ?? null, firstMonth: row.first_month!, sums: toSums(row) }))
}

export interface CrossBrandBenchmark {
  /** Other brands' sums per month (the viewer's brand left out). */
  monthly: MonthlySums[]
  /**
   * Other brands' outlets that reported (shipment statistics), per month and
   * district of the region: the cells a benchmark is built of, for
   * small-cell suppression that holds across districts and months.
   */
  cells: { month: string; district: string; outlets: number }[]
}

/**
 * A region's figures across every brand but one (the viewer's), beside that
 * brand's or an outlet's own: deliberately not limited to the viewer, so the
 * caller must pass the cells through `benchmarkCell` before showing anything.
 */
export async function crossBrandBenchmark(
  db: Kysely<Database>,
  regionCode: string,
  brandId: number,
  range: MonthRange,
): Promise<CrossBrandBenchmark> {
  const [{ rows }, { rows: counts }] = await Promise.all([
    sql<Record<string, string>>`
      select to_char(r.month, 'YYYY-MM') as month, ${sumColumns}
      from outlet_month_rollups r
      where ${regionCondition(regionCode)} and ${monthCondition(range)} and r.brand_id <> ${brandId}
      group by r.month
      order by r.month`.execute(db),
    sql<{ month: string; district: string; n: string }>`
      select to_char(r.month, 'YYYY-MM') as month, r.region_code as district, count(*)::text as n
      from outlet_month_rollups r
      where ${regionCondition(regionCode)} and ${monthCondition(range)} and r.brand_id <> ${brandId} and r.reporting_outlets > 0
      group by r.month, r.region_code
      order by 1, 2`.execute(db),
  ])
  return {
    monthly: rows.map((row) => ({ month: row.month!, sums: toSums(row) })),
    cells: counts.map((c) => ({ month: c.month, district: c.district, outlets: Number(c.n) })),
  }
}

export interface MixRow {
  month: string
  measure: MixMeasure
  category: string
  value: string
}

/**
 * The charts' breakdowns: vehicle-months by energy per month over one range,
 * packaging mass by material per month over another (the period).
 */
export async function mixByMonth(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: ScopeFilter,
  ranges: { energy: MonthRange; materials: MonthRange },
): Promise<MixRow[]> {
  const { rows } = await sql<MixRow>`
    select to_char(r.month, 'YYYY-MM') as month, r.measure, r.category, sum(r.value)::text as value
    from outlet_month_mix r
    where ${scoped(viewer, filter)}
      and ((r.measure = 'vehicle_months' and ${monthCondition(ranges.energy)})
        or (r.measure = 'packaging_mass_kg' and ${monthCondition(ranges.materials)}))
    group by r.month, r.measure, r.category
    order by r.month, r.measure, r.category`.execute(db)
  return rows
}

/** The factor set versions behind the scope's emission figures in the range. */
export async function factorSetVersions(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: ScopeFilter,
  range: MonthRange,
): Promise<string[]> {
  // Distinct arrays first (a hash over few values), their elements after.
  const { rows } = await sql<{ versions: string[] | string }>`
    select distinct r.factor_set_versions as versions
    from outlet_month_rollups r
    where ${scoped(viewer, filter)} and ${monthCondition(range)}`.execute(db)
  const all = rows.flatMap((r) => (Array.isArray(r.versions) ? r.versions : parseTextArray(r.versions)))
  return [...new Set(all)].sort()
}

// The embedded driver may hand a text[] back in its literal form, {2026.1,2027.1}.
function parseTextArray(value: string): string[] {
  return value.replace(/^\{|\}$/g, '').split(',').map((v) => v.replace(/^"|"$/g, '')).filter((v) => v !== '')
}

/** First and last month any rollup holds (`YYYY-MM`), for the period picker. */
export async function rollupMonthRange(db: Kysely<Database>): Promise<MonthRange | null> {
  const { rows } = await sql<{ from: string | null; to: string | null }>`
    select to_char(min(month), 'YYYY-MM') as "from", to_char(max(month), 'YYYY-MM') as "to" from outlet_month_rollups`.execute(db)
  const row = rows[0]
  return row?.from && row.to ? { from: row.from, to: row.to } : null
}

/** rollupMonthRange and lastRollupMonthBefore(month) in one statement: the period picker's reads. */
export async function rollupMonths(db: Kysely<Database>, month: string): Promise<{ range: MonthRange | null; lastBefore: string | null }> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`Not a month (YYYY-MM): ${month}`)
  const { rows } = await sql<{ from: string | null; to: string | null; before: string | null }>`
    select to_char(min(month), 'YYYY-MM') as "from", to_char(max(month), 'YYYY-MM') as "to",
      to_char(max(month) filter (where month < ${`${month}-01`}::date), 'YYYY-MM') as before
    from outlet_month_rollups`.execute(db)
  const row = rows[0]
  return { range: row?.from && row.to ? { from: row.from, to: row.to } : null, lastBefore: row?.before ?? null }
}

export interface NamedRow {
  key: string
  nameZh: string
  nameEn: string
  /** outlets: region and brand of the outlet; brands: the brand code. */
  regionCode?: string
  brandCode?: string
}

/** Names of regions by code. Regions are reference data every viewer may read. */
export async function regionNames(db: Kysely<Database>, codes: readonly string[]): Promise<NamedRow[]> {
  if (codes.length === 0) return []
  const rows = await db.selectFrom('regions').select(['code', 'name_zh', 'name_en']).where('code', 'in', [...codes]).execute()
  return rows.map((r) => ({ key: r.code, nameZh: r.name_zh, nameEn: r.name_en, regionCode: r.code }))
}

/** Names of outlets by id, only those the viewer may see. */
export async function outletNames(db: Kysely<Database>, viewer: Viewer, ids: readonly number[]): Promise<NamedRow[]> {
  if (ids.length === 0) return []
  const rows = await db
    .selectFrom('outlets')
    .innerJoin('brands', 'brands.id', 'outlets.brand_id')
    .select(['outlets.id', 'outlets.name_zh', 'outlets.name_en', 'outlets.region_code', 'brands.code as brand_code'])
    .where('outlets.id', 'in', [...ids])
    .where((eb) => outletVisibleTo(eb, viewer))
    .execute()
  return rows.map((r) => ({
    key: String(r.id),
    nameZh: r.name_zh,
    nameEn: r.name_en,
    regionCode: r.region_code,
    brandCode: r.brand_code,
  }))
}

/** Every brand (reference data). */
export async function brandNames(db: Kysely<Database>): Promise<NamedRow[]> {
  const rows = await db.selectFrom('brands').select(['id', 'code', 'name_zh', 'name_en']).orderBy('code').execute()
  return rows.map((r) => ({ key: String(r.id), nameZh: r.name_zh, nameEn: r.name_en, brandCode: r.code }))
}

/** What a report reads, for its fingerprint (`reportFingerprints`). */
export interface ReportReads {
  /** The months of the scope's rollup rows it reads; null: every month (a baseline read from the first). */
  range: MonthRange | null
  /** Regions whose other brands' rollup rows it reads for benchmarks, with the brand left out. */
  benchmarks: { regionCode: string; brandId: number; range: MonthRange }[]
  /** Whether it reads the names of the scope's outlets (a drill-down to outlets). */
  outletNames: boolean
}

/** count and an order-free hash of the row versions a condition selects: any insert, update or delete changes it. */
function versionsOf(table: string, alias: string, condition: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`(select count(*)::text || ':' || coalesce(sum(hashtextextended(${sql.raw(alias)}.ctid::text || ':' || ${sql.raw(alias)}.xmin::text, 0)), 0)::text
    from ${sql.raw(table)} ${sql.raw(alias)} where ${condition})`
}

/**
 * A fingerprint of every row a report reads: the viewer's rollup rows of the
 * scope (the months read), the other brands' rows behind its benchmarks, the
 * names of its outlets, and the reference tables (regions, brands, target sets
 * and targets). Each part is the count of rows and the sum of a hash of each
 * row version's physical place and creating transaction, so any committed
 * insert, update or delete of a row read changes it; no writer has to
 * announce a change. Two reads with the same fingerprint read the same rows.
 * The conditions are the report queries' own (`scoped`), so the fingerprint,
 * like them, counts nothing the viewer may not see. Several reports of one
 * scope (one per `reads`, in their order) take one statement, the reference
 * tables' part read once for all.
 */
export async function reportFingerprints(db: Kysely<Database>, viewer: Viewer, filter: ScopeFilter, reads: readonly ReportReads[]): Promise<string[]> {
  if (reads.length === 0) return []
  const columns = reads.map((read, i) => {
    const own = read.range ? sql`${scoped(viewer, filter)} and ${monthCondition(read.range)}` : scoped(viewer, filter)
    const parts: RawBuilder<unknown>[] = [versionsOf('outlet_month_rollups', 'r', own)]
    for (const b of read.benchmarks) {
      parts.push(versionsOf('outlet_month_rollups', 'r', sql`${regionCondition(b.regionCode)} and ${monthCondition(b.range)} and r.brand_id <> ${b.brandId}`))
    }
    if (read.outletNames) parts.push(versionsOf('outlets', 'o', outletsOfScope(viewer, filter)))
    return sql`concat_ws('|', ${sql.join(parts)}, reference.part) as ${sql.ref(`f${i}`)}`
  })
  const reference = [
    versionsOf('regions', 'g', sql`true`),
    versionsOf('brands', 'b', sql`true`),
    versionsOf('target_sets', 's', sql`true`),
    versionsOf('targets', 't', sql`true`),
  ]
  const { rows } = await sql<Record<string, string>>`
    select ${sql.join(columns)} from (select concat_ws('|', ${sql.join(reference)}) as part) reference`.execute(db)
  return reads.map((_, i) => rows[0]![`f${i}`]!)
}

/** The outlets of a scope that the viewer may see: a superset of the outlets a drill-down names. */
function outletsOfScope(viewer: Viewer, filter: ScopeFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = []
  switch (viewer.role) {
    case 'admin':
      break
    case 'bureau_officer':
      if (!viewer.regionCode) return sql`false`
      parts.push(sql`o.region_code like ${`${regionPrefix(viewer.regionCode)}%`}`)
      break
    case 'carrier_admin':
      if (viewer.brandId === null) return sql`false`
      parts.push(sql`o.brand_id = ${viewer.brandId}`)
      break
    case 'outlet_operator':
      if (viewer.outletId === null) return sql`false`
      parts.push(sql`o.id = ${viewer.outletId}`)
      break
    case 'consumer':
      return sql`false`
  }
  const scope = filter.scope
  if (scope.kind === 'region') parts.push(sql`o.region_code like ${`${regionPrefix(scope.regionCode)}%`}`)
  if (scope.kind === 'outlet') parts.push(sql`o.id = ${scope.outletId}`)
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `)
}
