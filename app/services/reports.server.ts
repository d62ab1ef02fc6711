import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import type { Role, Viewer } from '#app/domain/access.ts'
import { addSums, computeCoverage, computeMetric, type RollupSums } from '#app/domain/metrics/compute.ts'
import { getMetric, isMetricCode, metricCodes, rollupFields, type MetricCode } from '#app/domain/metrics/definitions.ts'
import { applicableTargets, type ApplicableTarget } from '#app/domain/metrics/inheritance.ts'
import { evaluateTarget, type SeriesPoint, type StatusReason, type TargetStatus } from '#app/domain/metrics/status.ts'
import { benchmarkCell } from '#app/domain/metrics/suppression.ts'
import { nationalRegionCode, type TargetSet } from '#app/domain/metrics/targets.ts'
import {
  addMonths,
  daysInMonth,
  formatPeriod,
  monthOf,
  monthsBetween,
  monthsInPeriod,
  parsePeriod,
  periodEnd,
  type Month,
  type Period,
} from '#app/domain/periods/period.ts'
import { isWithinRegion, regionAncestry, regionLevel } from '#app/domain/regions.ts'
import { toCsv, type CsvCell, type CsvColumn } from '#app/domain/export/csv.ts'
import { fallbackShareView, type FallbackShareView } from '#app/domain/factors/fallbacks.ts'
import { translator, type MessageKey } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { findVisibleOutlet } from '#db/models/outlets.ts'
import { findBrand, findRegion } from '#db/models/reference.ts'
import {
  baselineSums,
  brandNames,
  crossBrandBenchmark,
  factorSetVersions,
  groupedMonthlySums,
  mixByMonth,
  monthlySums,
  monthlySumsBy,
  outletNames,
  regionNames,
  rollupMonthRange,
  type GroupKey,
  type GroupedMonthlySums,
  type KeyedScopeMonthlySums,
  type MonthRange,
  type ScopeMonthlySums,
  type NamedRow,
  type ReportScope,
  type ScopeFilter,
} from '#db/models/reports.ts'
import { listTargetSets } from '#db/models/target-sets.ts'
import type { Database } from '#db/schema.ts'

/**
 * Compliance reports: one scope (the nation, a region subtree or an outlet,
 * for a brand admin always its own brand) and one period, every metric with
 * its numerator, denominator and coverage, the status against the target in
 * force, a drill-down one level down, charts and, for brands and outlets,
 * the cross-brand benchmark of their region. Everything crossing to the page
 * is a string or plain object: numbers stay exact until formatted there.
 */

export type ScopeRequest = ReportScope

export type ReportLevel = 'nation' | 'province' | 'city' | 'district' | 'outlet'

export type Refusal = { ok: false; status: 403 | 404 }

export interface Named {
  nameZh: string
  nameEn: string
}

export interface ScopeInfo {
  kind: ReportScope['kind']
  level: ReportLevel
  /** Canonical string form, used in links and the export: `nation`, `region:410100`, `outlet:12`. */
  param: string
  regionCode: string | null
  outletId: number | null
  name: Named
  /** The brand the figures are limited to (a brand admin's), or the outlet's brand. */
  brand: (Named & { id: number; code: string }) | null
  /** True when the figures are one brand's only (brand admin), not the whole region. */
  brandFiltered: boolean
  /** Scopes above this one that the viewer may open, outermost first. */
  breadcrumbs: (Named & { param: string })[]
}

export interface TargetView {
  setId: string
  setName: { zh: string; en: string }
  sourceTitle: string
  sourceIssuer: string
  sourceNumber: string | null
  region: string
  brand: string | null
  metric: MetricCode
  comparison: '>=' | '<=' | '=='
  value: string
  deadline: string
  kind: 'rate' | 'national_count' | 'relative_to_baseline'
  note: string | null
  deadlinePassed: boolean
}

export type EvaluationView =
  | {
      kind: 'status'
      status: TargetStatus
      reason: StatusReason
      params: Record<string, string | number>
      latest: string | null
      projected: string | null
      /** relative_to_baseline: the baseline value and its first month. */
      baseline: string | null
      baselineFrom: string | null
    }
  | {
      kind: 'contribution'
      total: string
      contribution: string
      lowCoverage: boolean
      /** No month of the target's year lies in the data: the contribution is unknown, not zero. */
      noData: boolean
      targetYear: number
    }

export interface BenchmarkView {
  regionCode: string
  level: 'province' | 'city' | 'district'
  name: Named
  suppressed: boolean
  /** Catalog key and parameters explaining the suppression. */
  reason: { key: 'metrics.benchmark.suppressed'; params: { minimum: number } } | null
  coverage: string | null
  values: Partial<Record<MetricCode, string | null>>
}

export interface MetricRow {
  code: MetricCode
  value: string | null
  numerator: string
  denominator: string | null
  coverage: string | null
  target: TargetView | null
  evaluation: EvaluationView | null
}

export interface ChildRow {
  key: string
  /** Where the row links: a region or outlet scope param, null when the viewer may not open it. */
  param: string | null
  name: Named
  metric: MetricRow
  coverage: string | null
  parcels: string
  outlets: string
}

export interface ChartData {
  months: Month[]
  /** Per metric, its monthly values over `months` (null: no data). */
  series: Partial<Record<MetricCode, (string | null)[]>>
  emissions: { month: Month; packagingT: string; fleetT: string; facilityT: string }[]
  avoided: { month: Month; ownT: string; consumerT: string }[]
  energyMix: { month: Month; vehicleMonths: Record<string, string> }[]
  energies: string[]
  materials: { material: string; massKg: string }[]
}

export interface Report {
  scope: ScopeInfo
  period: string
  periodEnd: string
  /** The last month the figures reach (a running period stops at the data horizon). */
  dataThrough: Month
  months: Month[]
  coverage: string | null
  reportingOutlets: string
  outletMonths: string
  metrics: MetricRow[]
  /**
   * Avoided CO2e in tonnes: computed by the engine (gross), credited to
   * consumers, and the outlets' own claim (gross minus consumer credits,
   * the value of the avoided_co2e_t metric).
   */
  avoided: { grossT: string; consumerT: string; ownT: string }
  /** The metric shown in the drill-down table. */
  metric: MetricCode
  childLevel: ReportLevel | null
  children: ChildRow[]
  benchmarks: BenchmarkView[]
  factorSetVersions: string[]
  /** The share of the period's CO2e computed with fallback factors (issue 13.4). */
  fallback: FallbackShareView
  generatedAt: string
}

export interface ReportOptions {
  /** The metric of the drill-down table; defaults to the first with a target. */
  metric?: MetricCode
  /** Generation time shown on the printed report. */
  now: Date
}

const trendMonths = 24

export async function buildReport(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  period: Period,
  options: ReportOptions,
): Promise<{ ok: true; report: Report } | Refusal> {
  // Reference reads side by side; nothing of the scope is read before it is allowed.
  const [resolved, end, sets] = await Promise.all([resolveScope(db, viewer, request), effectiveEnd(db, period), listTargetSets(db)])
  if (!resolved.ok) return resolved
  const { scope, filter, targetRegion } = resolved
  const { endDate, endMonth, months, horizon } = end
  const targetBrand = scope.brand?.code ?? null
  const targets = applicableTargets(targetRegion, sets, endDate, { brand: targetBrand })

  const seriesRange: MonthRange = {
    from: earliest([addMonths(endMonth, -(trendMonths - 1)), ...countTargetYearStarts(targets)]),
    to: endMonth,
  }
  // When every month of data lies in the fetched range, a baseline (the first
  // 12 months with parcels) is read from the fetched months: no second scan.
  const local = localBaselines(horizon, seriesRange)
  const childLevel = childLevelOf(scope)
  const groupKey = childLevel ? groupKeyOf(childLevel) : null

  // One pass over the scope's rollup rows, grouped by the level below: the
  // drill-down, and the scope's own months as the sum of its groups.
  const periodRange: MonthRange = { from: months[0]!, to: endMonth }
  const [rows, baseline, childBaselines, versions, benchmarks] = await Promise.all([
    monthlySumsBy(db, viewer, filter, seriesRange, groupKey),
    local ? Promise.resolve(null) : baselineSums(db, viewer, filter),
    groupKey && !local ? baselineSums(db, viewer, filter, groupKey) : Promise.resolve(null),
    factorSetVersions(db, viewer, filter, periodRange),
    benchmarksFor(db, viewer, scope, periodRange),
  ])
  const monthly = groupKey ? totalsOfGroups(rows) : rows

  const byMonth = new Map(monthly.map((m) => [m.month, m.sums]))
  const periodSums = sumMonths(byMonth, months)
  const baselineOf = baseline === null ? baselineFromMonths(byMonth) : baseline[0] ? { sums: baseline[0].sums, firstMonth: baseline[0].firstMonth } : null
  const metrics = metricCodes.map((code) => metricRow(code, periodSums, seriesOf(byMonth, seriesRange), endDate, targets, baselineOf))
  const metric = options.metric ?? targets[0]?.metric ?? 'e_waybill_rate'

  const children = childLevel && groupKey
    ? await childRows(db, viewer, scope, childLevel, rows, childBaselines, months, seriesRange, endDate, sets, metric)
    : []

  const coverage = computeCoverage(periodSums)
  const report: Report = {
    scope,
    period: formatPeriod(period),
    periodEnd: endDate,
    dataThrough: endMonth,
    months,
    coverage: coverage?.toFixed() ?? null,
    reportingOutlets: new Decimal(periodSums.reporting_outlets ?? 0).toFixed(),
    outletMonths: new Decimal(periodSums.outlets ?? 0).toFixed(),
    metrics,
    avoided: avoidedOf(monthly, months, periodSums),
    metric,
    childLevel,
    children,
    benchmarks: benchmarks.map((b) => b.view),
    factorSetVersions: versions,
    fallback: fallbackShareView(periodSums.co2e_kg, periodSums.fallback_co2e_kg),
    generatedAt: options.now.toISOString(),
  }
  return { ok: true, report }
}

/**
 * The charts of a report, asked for by the page once it is live (charts are
 * drawn in the browser): the metrics' monthly series, emissions by source,
 * avoided emissions, the fleet's energy mix and the period's materials.
 */
export async function buildReportCharts(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  period: Period,
): Promise<{ ok: true; charts: ChartData } | Refusal> {
  const resolved = await resolveScope(db, viewer, request)
  if (!resolved.ok) return resolved
  const { endMonth, months } = await effectiveEnd(db, period)
  const chartRange: MonthRange = { from: addMonths(endMonth, -(trendMonths - 1)), to: endMonth }
  const [monthly, mix] = await Promise.all([
    monthlySums(db, viewer, resolved.filter, chartRange),
    mixByMonth(db, viewer, resolved.filter, { energy: chartRange, materials: { from: months[0]!, to: endMonth } }),
  ])
  return { ok: true, charts: chartData(new Map(monthly.map((m) => [m.month, m.sums])), chartRange, monthly, mix, months) }
}

/** Each month's total over its groups (the groups partition the scope). */
function totalsOfGroups(rows: readonly KeyedScopeMonthlySums[]): ScopeMonthlySums[] {
  const byMonth = new Map<string, KeyedScopeMonthlySums[]>()
  for (const row of rows) byMonth.set(row.month, [...(byMonth.get(row.month) ?? []), row])
  const add = (parts: KeyedScopeMonthlySums[], pick: (p: KeyedScopeMonthlySums) => string) =>
    parts.reduce((sum, p) => sum.plus(pick(p)), new Decimal(0)).toFixed()
  return [...byMonth.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, parts]) => ({
      month,
      sums: addSums(zeroSums(), ...parts.map((p) => p.sums)),
      grossAvoidedCo2eKg: add(parts, (p) => p.grossAvoidedCo2eKg),
      consumerAvoidedCo2eKg: add(parts, (p) => p.consumerAvoidedCo2eKg),
      packagingCo2eKg: add(parts, (p) => p.packagingCo2eKg),
      fleetCo2eKg: add(parts, (p) => p.fleetCo2eKg),
      facilityCo2eKg: add(parts, (p) => p.facilityCo2eKg),
    }))
}

export interface BrandComparisonRow {
  brand: Named & { id: number; code: string }
  outletMonths: string
  coverage: string | null
  metrics: MetricRow[]
}

export interface BrandComparison {
  scope: ScopeInfo
  period: string
  periodEnd: string
  rows: BrandComparisonRow[]
  generatedAt: string
}

/**
 * Every brand of a region side by side. For regulators only: a brand admin
 * would read its competitors' figures here.
 */
export async function buildBrandComparison(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  period: Period,
  options: { now: Date },
): Promise<{ ok: true; comparison: BrandComparison } | Refusal> {
  if (viewer.role !== 'bureau_officer' && viewer.role !== 'admin') return { ok: false, status: 403 }
  if (request.kind === 'outlet') return { ok: false, status: 404 }
  const resolved = await resolveScope(db, viewer, request)
  if (!resolved.ok) return resolved
  const { scope, filter, targetRegion } = resolved
  const { endDate, endMonth, months, horizon } = await effectiveEnd(db, period)
  const shortRange: MonthRange = { from: earliest([months[0]!, addMonths(endMonth, -5)]), to: endMonth }
  const wide: MonthRange | null = horizon ? { from: earliest([shortRange.from, horizon.from]), to: endMonth } : null
  const local = wide !== null && monthsBetween(wide.from, endMonth) < trendMonths && localBaselines(horizon, wide)
  const range = local ? wide! : shortRange
  const [sets, grouped, baselines, brands] = await Promise.all([
    listTargetSets(db),
    groupedMonthlySums(db, viewer, filter, range, 'brand'),
    local ? Promise.resolve(null) : baselineSums(db, viewer, filter, 'brand'),
    brandNames(db),
  ])
  const byBrand = groupByKey(grouped)
  const rows: BrandComparisonRow[] = []
  for (const brand of brands) {
    const brandMonths = byBrand.get(brand.key)
    if (!brandMonths) continue
    const sums = sumMonths(brandMonths, months)
    const targets = applicableTargets(targetRegion, sets, endDate, { brand: brand.brandCode ?? null })
    const base = baselineFor(baselines, brand.key, brandMonths)
    const series = seriesOf(brandMonths, range)
    rows.push({
      brand: { id: Number(brand.key), code: brand.brandCode!, nameZh: brand.nameZh, nameEn: brand.nameEn },
      outletMonths: String(sums.outlets ?? '0'),
      coverage: computeCoverage(sums)?.toFixed() ?? null,
      metrics: metricCodes.map((code) => metricRow(code, sums, series, endDate, targets, base)),
    })
  }
  return { ok: true, comparison: { scope, period: formatPeriod(period), periodEnd: endDate, rows, generatedAt: options.now.toISOString() } }
}

export interface PeriodChoices {
  latest: string | null
  months: string[]
  quarters: string[]
  years: string[]
}

/** The periods the rollups hold data for, newest first, for the period picker. */
export async function reportPeriods(db: Kysely<Database>): Promise<PeriodChoices> {
  const range = await rollupMonthRange(db)
  if (!range) return { latest: null, months: [], quarters: [], years: [] }
  const months: string[] = []
  for (let m = range.to; monthsBetween(range.from, m) >= 0; m = addMonths(m, -1)) months.push(m)
  const quarters = [...new Set(months.map((m) => `${m.slice(0, 4)}-Q${Math.ceil(Number(m.slice(5, 7)) / 3)}`))]
  const years = [...new Set(months.map((m) => m.slice(0, 4)))]
  return { latest: range.to, months, quarters, years }
}

/** The scope a viewer lands on at /reports. */
export function homeScope(viewer: Viewer): ScopeRequest | null {
  switch (viewer.role) {
    case 'admin':
    case 'carrier_admin':
      return { kind: 'nation' }
    case 'bureau_officer':
      return viewer.regionCode ? { kind: 'region', regionCode: viewer.regionCode } : null
    case 'outlet_operator':
      return viewer.outletId !== null ? { kind: 'outlet', outletId: viewer.outletId } : null
    case 'consumer':
      return null
  }
}

/** `nation`, `region:410100` or `outlet:12`, as links and the export carry it. */
export function parseScopeParam(value: string | null): ScopeRequest | null {
  if (value === null || value === 'nation') return value === null ? null : { kind: 'nation' }
  let match = /^region:(\d{6})$/.exec(value)
  if (match) return { kind: 'region', regionCode: match[1]! }
  match = /^outlet:([1-9]\d{0,9})$/.exec(value)
  if (match) return { kind: 'outlet', outletId: Number(match[1]) }
  return null
}

export function scopeParam(scope: ScopeRequest): string {
  switch (scope.kind) {
    case 'nation':
      return 'nation'
    case 'region':
      return `region:${scope.regionCode}`
    case 'outlet':
      return `outlet:${scope.outletId}`
  }
}

// ---------------------------------------------------------------------------

/**
 * A period still running (this year, this quarter) is judged at the last
 * month the rollups hold, not at its calendar end: otherwise every
 * year-to-date report would read "no data for the last month".
 */
async function effectiveEnd(
  db: Kysely<Database>,
  period: Period,
): Promise<{ endDate: string; endMonth: Month; months: Month[]; horizon: MonthRange | null }> {
  const all = monthsInPeriod(period)
  const horizon = await rollupMonthRange(db)
  const calendarEnd = periodEnd(period)
  if (!horizon || monthsBetween(horizon.to, monthOf(calendarEnd)) <= 0 || monthsBetween(all[0]!, horizon.to) < 0) {
    return { endDate: calendarEnd, endMonth: monthOf(calendarEnd), months: all, horizon }
  }
  const months = all.filter((m) => monthsBetween(m, horizon.to) >= 0)
  const endMonth = horizon.to
  const year = Number(endMonth.slice(0, 4))
  const month = Number(endMonth.slice(5, 7))
  return { endDate: `${endMonth}-${String(daysInMonth(year, month)).padStart(2, '0')}`, endMonth, months, horizon }
}

/** True when no rollup month lies before the range: every scope's first months are in it. */
function localBaselines(horizon: MonthRange | null, range: MonthRange): boolean {
  return horizon !== null && monthsBetween(range.from, horizon.from) >= 0
}

/**
 * The baseline of targets relative to a baseline year, from months already
 * fetched: the first month with parcels and the 11 after it. The same rule
 * as baselineSums in db/models/reports.ts, which serves when older months
 * lie outside what was fetched.
 */
function baselineFromMonths(byMonth: Map<string, RollupSums>): { sums: RollupSums; firstMonth: string } | null {
  const first = [...byMonth.entries()]
    .filter(([, sums]) => new Decimal(sums.parcels ?? 0).gt(0))
    .map(([month]) => month)
    .sort()[0]
  if (!first) return null
  const months = Array.from({ length: 12 }, (_, i) => addMonths(first, i))
  return { sums: sumMonths(byMonth, months), firstMonth: first }
}

function baselineFor(
  fetched: readonly { key: string | null; firstMonth: string; sums: RollupSums }[] | null,
  key: string,
  byMonth: Map<string, RollupSums>,
): { sums: RollupSums; firstMonth: string } | null {
  if (fetched === null) return baselineFromMonths(byMonth)
  const row = fetched.find((b) => b.key === key)
  return row ? { sums: row.sums, firstMonth: row.firstMonth } : null
}

type Resolved = { ok: true; scope: ScopeInfo; filter: ScopeFilter; targetRegion: string }

const nationName: Named = { nameZh: '全国', nameEn: 'China (national)' }

async function resolveScope(db: Kysely<Database>, viewer: Viewer, request: ScopeRequest): Promise<Resolved | Refusal> {
  if (viewer.role === 'consumer') return { ok: false, status: 403 }
  const brandId = viewer.role === 'carrier_admin' ? viewer.brandId : null
  const brandRow = brandId !== null ? await findBrand(db, brandId) : undefined
  const brand = brandRow ? { id: brandRow.id, code: brandRow.code, nameZh: brandRow.name_zh, nameEn: brandRow.name_en } : null

  if (request.kind === 'outlet') {
    const outlet = await findVisibleOutlet(db, viewer, request.outletId)
    if (!outlet) return { ok: false, status: 404 }
    return {
      ok: true,
      scope: {
        kind: 'outlet',
        level: 'outlet',
        param: scopeParam(request),
        regionCode: outlet.regionCode,
        outletId: outlet.id,
        name: { nameZh: outlet.nameZh, nameEn: outlet.nameEn },
        brand: { id: outlet.brandId, code: outlet.brandCode, nameZh: outlet.brandNameZh, nameEn: outlet.brandNameEn },
        brandFiltered: false,
        breadcrumbs: await breadcrumbs(db, viewer, outlet.regionCode, true),
      },
      filter: { scope: request },
      targetRegion: outlet.regionCode,
    }
  }
  // An outlet operator reads its own outlet only.
  if (viewer.role === 'outlet_operator') return { ok: false, status: 403 }

  if (request.kind === 'nation') {
    // A bureau's reach ends at its jurisdiction; the nation is not its to read.
    if (viewer.role === 'bureau_officer') return { ok: false, status: 404 }
    return {
      ok: true,
      scope: { kind: 'nation', level: 'nation', param: 'nation', regionCode: null, outletId: null, name: nationName, brand, brandFiltered: brand !== null, breadcrumbs: [] },
      filter: { scope: request, brandId },
      targetRegion: nationalRegionCode,
    }
  }

  if (!/^\d{6}$/.test(request.regionCode)) return { ok: false, status: 404 }
  if (viewer.role === 'bureau_officer' && !(viewer.regionCode && isWithinRegion(request.regionCode, viewer.regionCode))) {
    return { ok: false, status: 404 }
  }
  const region = await findRegion(db, request.regionCode)
  if (!region) return { ok: false, status: 404 }
  return {
    ok: true,
    scope: {
      kind: 'region',
      level: region.level,
      param: scopeParam(request),
      regionCode: region.code,
      outletId: null,
      name: { nameZh: region.name_zh, nameEn: region.name_en },
      brand,
      brandFiltered: brand !== null,
      breadcrumbs: await breadcrumbs(db, viewer, region.code, false),
    },
    filter: { scope: request, brandId },
    targetRegion: region.code,
  }
}

async function breadcrumbs(db: Kysely<Database>, viewer: Viewer, regionCode: string, includeSelf: boolean) {
  const chain = regionAncestry(regionCode).reverse()
  const codes = includeSelf ? chain : chain.slice(0, -1)
  const reachable = codes.filter((code) => {
    if (viewer.role === 'admin' || viewer.role === 'carrier_admin') return true
    if (viewer.role === 'bureau_officer') return !!viewer.regionCode && isWithinRegion(code, viewer.regionCode)
    return false
  })
  const names = new Map((await regionNames(db, reachable)).map((r) => [r.key, r]))
  const crumbs: (Named & { param: string })[] = []
  if (viewer.role === 'admin' || viewer.role === 'carrier_admin') crumbs.push({ ...nationName, param: 'nation' })
  for (const code of reachable) {
    const name = names.get(code)
    if (name) crumbs.push({ nameZh: name.nameZh, nameEn: name.nameEn, param: `region:${code}` })
  }
  return crumbs
}

function childLevelOf(scope: ScopeInfo): ReportLevel | null {
  switch (scope.level) {
    case 'nation':
      return 'province'
    case 'province':
      return 'city'
    case 'city':
      return 'district'
    case 'district':
      return 'outlet'
    case 'outlet':
      return null
  }
}

function groupKeyOf(level: ReportLevel): GroupKey {
  return level === 'nation' ? 'province' : (level as GroupKey)
}

function zeroSums(): RollupSums {
  return Object.fromEntries(rollupFields.map((field) => [field, '0'])) as RollupSums
}

function sumMonths(byMonth: Map<string, RollupSums>, months: readonly Month[]): RollupSums {
  return addSums(zeroSums(), ...months.map((m) => byMonth.get(m) ?? zeroSums()))
}

function seriesOf(byMonth: Map<string, RollupSums>, range: MonthRange): Map<string, RollupSums> {
  const out = new Map<string, RollupSums>()
  for (let m = range.from; monthsBetween(m, range.to) >= 0; m = addMonths(m, 1)) {
    const sums = byMonth.get(m)
    if (sums) out.set(m, sums)
  }
  return out
}

function groupByKey(rows: readonly { key: string | null; month: string; sums: RollupSums }[]): Map<string, Map<string, RollupSums>> {
  const out = new Map<string, Map<string, RollupSums>>()
  for (const row of rows) {
    const key = String(row.key)
    const months = out.get(key) ?? new Map<string, RollupSums>()
    months.set(row.month, row.sums)
    out.set(key, months)
  }
  return out
}

function earliest(months: readonly Month[]): Month {
  return months.reduce((a, b) => (monthsBetween(a, b) < 0 ? b : a))
}

function countTargetYearStarts(targets: readonly ApplicableTarget[]): Month[] {
  return targets.filter((t) => t.target.kind === 'national_count').map((t) => `${t.target.deadline.slice(0, 4)}-01`)
}

function metricRow(
  code: MetricCode,
  periodSums: RollupSums,
  monthly: Map<string, RollupSums>,
  endDate: string,
  targets: readonly ApplicableTarget[],
  baseline: { sums: RollupSums; firstMonth: string } | null,
): MetricRow {
  const definition = getMetric(code)
  const value = computeMetric(definition, periodSums)
  const coverage = computeCoverage(periodSums)
  const applicable = targets.find((t) => t.metric === code) ?? null
  let evaluation: EvaluationView | null = null
  if (applicable) {
    const series: SeriesPoint[] = [...monthly.entries()].map(([month, sums]) => ({ month, value: computeMetric(definition, sums).value }))
    const baselineValue = baseline ? computeMetric(definition, baseline.sums).value : null
    const result = evaluateTarget(applicable.target, series, { periodEnd: endDate, coverage, baseline: baselineValue })
    if (result.kind === 'status') {
      evaluation = {
        kind: 'status',
        status: result.status,
        reason: result.reason,
        params: result.params,
        latest: result.latest?.toFixed() ?? null,
        projected: result.projected?.toFixed() ?? null,
        baseline: applicable.target.kind === 'relative_to_baseline' ? (baselineValue?.toFixed() ?? null) : null,
        baselineFrom: applicable.target.kind === 'relative_to_baseline' ? (baseline?.firstMonth ?? null) : null,
      }
    } else {
      const year = Number(applicable.target.deadline.slice(0, 4))
      const yearStart = `${year}-01`
      const last = monthsBetween(monthOf(endDate), monthOf(applicable.target.deadline)) < 0 ? monthOf(applicable.target.deadline) : monthOf(endDate)
      const noData = ![...monthly.keys()].some((m) => monthsBetween(yearStart, m) >= 0 && monthsBetween(m, last) >= 0)
      evaluation = {
        kind: 'contribution',
        total: result.total.toFixed(),
        contribution: result.contribution.toFixed(),
        lowCoverage: result.lowCoverage,
        noData,
        targetYear: year,
      }
    }
  }
  return {
    code,
    value: value.value?.toFixed() ?? null,
    numerator: value.numerator.toFixed(),
    denominator: value.denominator?.toFixed() ?? null,
    coverage: coverage?.toFixed() ?? null,
    target: applicable ? targetView(applicable) : null,
    evaluation,
  }
}

function targetView(applicable: ApplicableTarget): TargetView {
  const { target, set } = applicable
  return {
    setId: set.id,
    setName: set.name,
    sourceTitle: set.source.title,
    sourceIssuer: set.source.issuer,
    sourceNumber: set.source.number,
    region: set.region,
    brand: set.brand,
    metric: applicable.metric,
    comparison: target.comparison,
    value: target.value.toFixed(),
    deadline: target.deadline,
    kind: target.kind,
    note: target.note,
    deadlinePassed: applicable.deadlinePassed,
  }
}

async function childRows(
  db: Kysely<Database>,
  viewer: Viewer,
  scope: ScopeInfo,
  level: ReportLevel,
  grouped: readonly { key: string | null; month: string; sums: RollupSums }[],
  baselines: readonly { key: string | null; firstMonth: string; sums: RollupSums }[] | null,
  months: readonly Month[],
  range: MonthRange,
  endDate: string,
  sets: readonly TargetSet[],
  metric: MetricCode,
): Promise<ChildRow[]> {
  const byKey = groupByKey(grouped)
  const keys = [...byKey.keys()]
  const names: NamedRow[] =
    level === 'outlet'
      ? await outletNames(db, viewer, keys.map(Number))
      : await regionNames(db, keys)
  const nameOf = new Map(names.map((n) => [n.key, n]))
  const rows: ChildRow[] = []
  for (const key of keys) {
    const name = nameOf.get(key)
    if (!name) continue
    const monthsOfKey = byKey.get(key)!
    const sums = sumMonths(monthsOfKey, months)
    const targetRegion = level === 'outlet' ? name.regionCode! : key
    const brand = level === 'outlet' ? (name.brandCode ?? null) : (scope.brand?.code ?? null)
    const targets = applicableTargets(targetRegion, sets, endDate, { brand })
    const row = metricRow(metric, sums, seriesOf(monthsOfKey, range), endDate, targets, baselineFor(baselines, key, monthsOfKey))
    rows.push({
      key,
      param: level === 'outlet' ? `outlet:${key}` : `region:${key}`,
      name: { nameZh: name.nameZh, nameEn: name.nameEn },
      metric: row,
      coverage: computeCoverage(sums)?.toFixed() ?? null,
      parcels: String(sums.parcels ?? '0'),
      outlets: String(sums.outlets ?? '0'),
    })
  }
  return rows.sort((a, b) => a.key.localeCompare(b.key))
}

/**
 * Cross-brand benchmarks beside a brand's or an outlet's own figures: the
 * outlet's district and city; for a brand admin, the region it looks at.
 * Suppressed for brands and outlets below the minimum of other brands'
 * outlets; regulators see every cell.
 */
async function benchmarksFor(
  db: Kysely<Database>,
  viewer: Viewer,
  scope: ScopeInfo,
  range: MonthRange,
): Promise<{ view: BenchmarkView }[]> {
  let regions: string[] = []
  if (scope.kind === 'outlet' && scope.regionCode && scope.brand) {
    regions = [...new Set([scope.regionCode, `${scope.regionCode.slice(0, 4)}00`])]
  } else if (scope.kind === 'region' && scope.brandFiltered && scope.regionCode) {
    regions = [scope.regionCode]
  }
  if (regions.length === 0 || !scope.brand) return []
  const brandId = scope.brand.id
  const names = new Map((await regionNames(db, regions)).map((r) => [r.key, r]))
  const months: Month[] = []
  for (let m = range.from; monthsBetween(m, range.to) >= 0; m = addMonths(m, 1)) months.push(m)
  return Promise.all(
    regions.map(async (code) => {
      const data = await crossBrandBenchmark(db, code, brandId, range)
      const sums = sumMonths(new Map(data.monthly.map((m) => [m.month, m.sums])), months)
      const values: Partial<Record<MetricCode, string | null>> = {}
      for (const metricCode of metricCodes) values[metricCode] = computeMetric(getMetric(metricCode), sums).value?.toFixed() ?? null
      const cell = benchmarkCell({
        otherBrandOutlets: data.otherBrandOutlets,
        viewerRole: viewer.role as Role,
        value: { values, coverage: computeCoverage(sums)?.toFixed() ?? null },
      })
      const name = names.get(code)
      return {
        view: {
          regionCode: code,
          level: regionLevel(code),
          name: { nameZh: name?.nameZh ?? code, nameEn: name?.nameEn ?? code },
          suppressed: cell.suppressed,
          reason: cell.suppressed ? cell.reason : null,
          coverage: cell.value?.coverage ?? null,
          values: cell.value?.values ?? {},
        },
      }
    }),
  )
}

function avoidedOf(monthly: readonly ScopeMonthlySums[], months: readonly Month[], periodSums: RollupSums): Report['avoided'] {
  const inPeriod = new Set(months)
  let gross = new Decimal(0)
  let consumer = new Decimal(0)
  for (const m of monthly) {
    if (!inPeriod.has(m.month)) continue
    gross = gross.plus(m.grossAvoidedCo2eKg)
    consumer = consumer.plus(m.consumerAvoidedCo2eKg)
  }
  const toT = (kg: Decimal) => kg.times('0.001').toFixed()
  return { grossT: toT(gross), consumerT: toT(consumer), ownT: toT(new Decimal(periodSums.avoided_co2e_kg ?? 0)) }
}

function emptyCharts(): ChartData {
  return { months: [], series: {}, emissions: [], avoided: [], energyMix: [], energies: [], materials: [] }
}

function chartData(
  byMonth: Map<string, RollupSums>,
  range: MonthRange,
  parts: readonly ScopeMonthlySums[],
  mix: Awaited<ReturnType<typeof mixByMonth>>,
  periodMonths: readonly Month[],
): ChartData {
  const months: Month[] = []
  for (let m = range.from; monthsBetween(m, range.to) >= 0; m = addMonths(m, 1)) months.push(m)
  // Months before the first data are left out so that a short history does not draw a long flat line.
  const first = months.findIndex((m) => byMonth.has(m))
  const shown = first < 0 ? [] : months.slice(first)
  const series: Partial<Record<MetricCode, (string | null)[]>> = {}
  for (const code of metricCodes) {
    const definition = getMetric(code)
    series[code] = shown.map((m) => {
      const sums = byMonth.get(m)
      return sums ? (computeMetric(definition, sums).value?.toFixed() ?? null) : null
    })
  }
  const toT = (kg: string) => new Decimal(kg).times('0.001').toFixed()
  const partsByMonth = new Map(parts.map((p) => [p.month, p]))
  const emissions = shown.map((m) => {
    const p = partsByMonth.get(m)
    return { month: m, packagingT: toT(p?.packagingCo2eKg ?? '0'), fleetT: toT(p?.fleetCo2eKg ?? '0'), facilityT: toT(p?.facilityCo2eKg ?? '0') }
  })
  const avoided = shown.map((m) => {
    const p = partsByMonth.get(m)
    return { month: m, ownT: toT(String(p?.sums.avoided_co2e_kg ?? '0')), consumerT: toT(p?.consumerAvoidedCo2eKg ?? '0') }
  })
  const energies = [...new Set(mix.filter((r) => r.measure === 'vehicle_months').map((r) => r.category))].sort()
  const vehicleMonths = new Map(mix.filter((r) => r.measure === 'vehicle_months').map((r) => [`${r.month}|${r.category}`, r.value]))
  const energyMix = shown.map((m) => ({
    month: m,
    vehicleMonths: Object.fromEntries(energies.map((e) => [e, vehicleMonths.get(`${m}|${e}`) ?? '0'])),
  }))
  const inPeriod = new Set(periodMonths)
  const materialTotals = new Map<string, Decimal>()
  for (const row of mix) {
    if (row.measure !== 'packaging_mass_kg' || !inPeriod.has(row.month)) continue
    materialTotals.set(row.category, (materialTotals.get(row.category) ?? new Decimal(0)).plus(row.value))
  }
  const materials = [...materialTotals.entries()]
    .sort((a, b) => b[1].comparedTo(a[1]))
    .map(([material, mass]) => ({ material, massKg: mass.toFixed() }))
  return { months: shown, series, emissions, avoided, energyMix, energies, materials }
}

// ---------------------------------------------------------------------------
// Page loaders' one call: query parameters in, everything the page shows out.

export interface ReportPageData {
  report: Report | null
  periods: PeriodChoices
  /** The period shown, as written in links (`2026-10`, `2026-Q3`, `2026`). */
  period: string | null
  /** A period parameter that could not be read (the latest period is shown instead). */
  invalidPeriod: string | null
  role: Role
}

export async function loadReportPage(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  query: URLSearchParams,
  now: Date,
): Promise<{ ok: true; data: ReportPageData } | Refusal> {
  const periods = await reportPeriods(db)
  const picked = pickPeriod(query.get('period'), periods)
  if (!picked.period) {
    // No data at all: still refuse what the viewer may not open.
    const resolved = await resolveScope(db, viewer, request)
    if (!resolved.ok) return resolved
    return { ok: true, data: { report: null, periods, period: null, invalidPeriod: picked.invalid, role: viewer.role } }
  }
  const metricParam = query.get('metric')
  const result = await buildReport(db, viewer, request, picked.period, {
    now,
    metric: isMetricCode(metricParam) ? metricParam : undefined,
  })
  if (!result.ok) return result
  return {
    ok: true,
    data: { report: result.report, periods, period: formatPeriod(picked.period), invalidPeriod: picked.invalid, role: viewer.role },
  }
}

/** The chart data of a report page, fetched by the page once it is live. */
export async function loadReportCharts(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  query: URLSearchParams,
): Promise<{ ok: true; charts: ChartData } | Refusal> {
  const picked = pickPeriod(query.get('period'), await reportPeriods(db))
  if (!picked.period) {
    const resolved = await resolveScope(db, viewer, request)
    return resolved.ok ? { ok: true, charts: emptyCharts() } : resolved
  }
  return buildReportCharts(db, viewer, request, picked.period)
}

export interface BrandPageData {
  comparison: BrandComparison | null
  periods: PeriodChoices
  period: string | null
  invalidPeriod: string | null
}

export async function loadBrandComparisonPage(
  db: Kysely<Database>,
  viewer: Viewer,
  query: URLSearchParams,
  now: Date,
): Promise<{ ok: true; data: BrandPageData } | Refusal> {
  if (viewer.role !== 'bureau_officer' && viewer.role !== 'admin') return { ok: false, status: 403 }
  const regionParam = query.get('region')
  const request: ScopeRequest = regionParam
    ? { kind: 'region', regionCode: regionParam }
    : (homeScope(viewer) ?? { kind: 'nation' })
  const periods = await reportPeriods(db)
  const picked = pickPeriod(query.get('period'), periods)
  if (!picked.period) {
    const resolved = await resolveScope(db, viewer, request)
    if (!resolved.ok) return resolved
    return { ok: true, data: { comparison: null, periods, period: null, invalidPeriod: picked.invalid } }
  }
  const result = await buildBrandComparison(db, viewer, request, picked.period, { now })
  if (!result.ok) return result
  return { ok: true, data: { comparison: result.comparison, periods, period: formatPeriod(picked.period), invalidPeriod: picked.invalid } }
}

function pickPeriod(value: string | null, periods: PeriodChoices): { period: Period | null; invalid: string | null } {
  const fallback = periods.latest ? parsePeriod(periods.latest) : null
  const latest = fallback?.ok ? fallback.period : null
  if (value === null || value === '') return { period: latest, invalid: null }
  const parsed = parsePeriod(value)
  return parsed.ok ? { period: parsed.period, invalid: null } : { period: latest, invalid: value.slice(0, 40) }
}

// ---------------------------------------------------------------------------
// CSV export of the report tables.

export type ExportTable = 'metrics' | 'children' | 'brands'

export function isExportTable(value: unknown): value is ExportTable {
  return value === 'metrics' || value === 'children' || value === 'brands'
}

export interface CsvFile {
  /** In the reader's language, may hold Chinese: send it as filename*=UTF-8''. */
  fileName: string
  /** For the rare client that reads only the plain filename parameter. */
  asciiName: string
  text: string
}

type CsvRow = Record<string, CsvCell>

export async function exportReportCsv(
  db: Kysely<Database>,
  viewer: Viewer,
  table: ExportTable,
  request: ScopeRequest,
  query: URLSearchParams,
  locale: Locale,
  now: Date,
): Promise<{ ok: true; file: CsvFile } | Refusal> {
  const t = translator(locale)
  const name = (row: Named) => (locale === 'zh-CN' ? row.nameZh : row.nameEn)
  if (table === 'brands') {
    const page = await loadBrandComparisonPage(db, viewer, withScope(query, request), now)
    if (!page.ok) return page
    const comparison = page.data.comparison
    const rows: CsvRow[] = []
    for (const row of comparison?.rows ?? []) {
      for (const metric of row.metrics) {
        rows.push({ brand: name(row.brand), outletMonths: row.outletMonths, ...metricCsvCells(metric, t) })
      }
    }
    const columns: CsvColumn<CsvRow>[] = [
      { key: 'brand', header: { key: 'reports.csv.brand' }, type: 'text' },
      { key: 'outletMonths', header: { key: 'reports.csv.outletMonths' }, type: 'number' },
      ...metricCsvColumns(),
    ]
    const scopeName = comparison ? name(comparison.scope.name) : ''
    return {
      ok: true,
      file: {
        fileName: `${t('reports.export.fileBrands', { scope: scopeName, period: page.data.period ?? '' })}.csv`,
        asciiName: asciiFileName('brands', request, page.data.period),
        text: toCsv(columns, rows, locale),
      },
    }
  }

  const page = await loadReportPage(db, viewer, request, query, now)
  if (!page.ok) return page
  const report = page.data.report
  const scopeName = report ? name(report.scope.name) : ''
  const period = page.data.period ?? ''
  if (table === 'children') {
    const rows: CsvRow[] = (report?.children ?? []).map((child) => ({
      name: name(child.name),
      parcels: child.parcels,
      outlets: child.outlets,
      ...metricCsvCells(child.metric, t),
    }))
    const columns: CsvColumn<CsvRow>[] = [
      { key: 'name', header: { key: 'reports.drilldown.name' }, type: 'text' },
      { key: 'parcels', header: { key: 'reports.drilldown.parcels' }, type: 'number' },
      { key: 'outlets', header: { key: 'reports.csv.outletMonths' }, type: 'number' },
      ...metricCsvColumns(),
    ]
    const metric = report ? t(`metric.${report.metric}.name` as MessageKey) : ''
    return {
      ok: true,
      file: {
        fileName: `${t('reports.export.fileChildren', { scope: scopeName, period, metric })}.csv`,
        asciiName: asciiFileName('children', request, period),
        text: toCsv(columns, rows, locale),
      },
    }
  }

  const rows: CsvRow[] = (report?.metrics ?? []).map((metric) => {
    const cells: CsvRow = { scope: scopeName, period, ...metricCsvCells(metric, t) }
    // Figures made of CO2e say how much of it rests on fallback factors (issue 13.4).
    cells.fallbackShare = fallbackCsvCell(metric.code, report?.fallback ?? null)
    for (const b of report?.benchmarks ?? []) {
      cells[`benchmark_${b.regionCode}`] = b.suppressed ? t('reports.table.suppressed') : displayValue(metric.code, b.values[metric.code] ?? null)
    }
    return cells
  })
  const columns: CsvColumn<CsvRow>[] = [
    { key: 'scope', header: { key: 'reports.csv.scope' }, type: 'text' },
    { key: 'period', header: { key: 'reports.csv.period' }, type: 'text' },
    ...metricCsvColumns(),
    { key: 'fallbackShare', header: { key: 'fallbacks.csvShare' }, type: 'number', fractionDigits: 2 },
    ...(report?.benchmarks ?? []).map(
      (b): CsvColumn<CsvRow> => ({
        key: `benchmark_${b.regionCode}`,
        header: t('reports.table.benchmark', { region: name(b.name) }),
        type: b.suppressed ? 'text' : 'number',
      }),
    ),
  ]
  return {
    ok: true,
    file: {
      fileName: `${t('reports.export.fileMetrics', { scope: scopeName, period })}.csv`,
      asciiName: asciiFileName('metrics', request, period),
      text: toCsv(columns, rows, locale),
    },
  }
}

/** The fallback share in percent on the rows of metrics computed from CO2e; empty elsewhere and without emissions. */
function fallbackCsvCell(code: MetricCode, fallback: FallbackShareView | null): string | null {
  if (!fallback || fallback.share === null || getMetric(code).numerator !== 'co2e_kg') return null
  return new Decimal(fallback.share).times(100).toFixed()
}

function withScope(query: URLSearchParams, request: ScopeRequest): URLSearchParams {
  const copy = new URLSearchParams(query)
  if (request.kind === 'region') copy.set('region', request.regionCode)
  else copy.delete('region')
  return copy
}

/** A value as the table shows it: percentages in percent, other metrics in their unit, unrounded. */
function displayValue(code: MetricCode, value: string | null): string | null {
  if (value === null) return null
  return getMetric(code).unit === 'percent' ? new Decimal(value).times(100).toFixed() : value
}

function metricCsvColumns(): CsvColumn<CsvRow>[] {
  return [
    { key: 'metricCode', header: { key: 'reports.csv.metricCode' }, type: 'text' },
    { key: 'metric', header: { key: 'reports.table.metric' }, type: 'text' },
    { key: 'unit', header: { key: 'reports.csv.unit' }, type: 'text' },
    { key: 'value', header: { key: 'reports.table.value' }, type: 'number', fractionDigits: 4 },
    { key: 'numerator', header: { key: 'reports.table.numerator' }, type: 'number' },
    { key: 'numeratorField', header: { key: 'reports.csv.numeratorField' }, type: 'text' },
    { key: 'denominator', header: { key: 'reports.table.denominator' }, type: 'number' },
    { key: 'denominatorField', header: { key: 'reports.csv.denominatorField' }, type: 'text' },
    { key: 'coverage', header: { key: 'reports.table.coverage' }, type: 'number', fractionDigits: 4 },
    { key: 'targetSet', header: { key: 'reports.csv.targetSet' }, type: 'text' },
    { key: 'targetValue', header: { key: 'reports.csv.targetValue' }, type: 'text' },
    { key: 'deadline', header: { key: 'reports.csv.deadline' }, type: 'text' },
    { key: 'status', header: { key: 'reports.table.status' }, type: 'text' },
    { key: 'statusReason', header: { key: 'reports.csv.statusReason' }, type: 'text' },
  ]
}

function metricCsvCells(row: MetricRow, t: (key: MessageKey, params?: Record<string, string | number>) => string): CsvRow {
  const definition = getMetric(row.code)
  const evaluation = row.evaluation
  let status = ''
  let reason = ''
  if (evaluation?.kind === 'status') {
    status = t(`metrics.status.${evaluation.status}`)
    reason = t(evaluation.reason as MessageKey, evaluation.params)
  } else if (evaluation?.kind === 'contribution') {
    status = t('metrics.targetKind.national_count')
    reason = evaluation.noData
      ? t('reports.contribution.noData', { year: evaluation.targetYear })
      : t('reports.contribution.total', {
          year: evaluation.targetYear,
          total: evaluation.total,
          share: `${new Decimal(evaluation.contribution).times(100).toFixed()}%`,
        })
  }
  return {
    metricCode: row.code,
    metric: t(`metric.${row.code}.name` as MessageKey),
    unit: t(`metric.unit.${definition.unit}` as MessageKey),
    value: displayValue(row.code, row.value),
    numerator: row.numerator,
    numeratorField: t(`metric.field.${definition.numerator}` as MessageKey),
    denominator: row.denominator,
    denominatorField: definition.denominator ? t(`metric.field.${definition.denominator}` as MessageKey) : '',
    coverage: row.coverage,
    targetSet: row.target ? `${row.target.setId}` : '',
    targetValue: row.target ? `${row.target.comparison} ${row.target.value}` : '',
    deadline: row.target?.deadline ?? '',
    status,
    statusReason: reason,
  }
}

function asciiFileName(table: ExportTable, request: ScopeRequest, period: string | null): string {
  return `greenparcel_${table}_${scopeParam(request).replace(':', '-')}_${period ?? 'none'}.csv`
}

/** `attachment` with an ASCII fallback name and the real one as RFC 5987 UTF-8, which every current browser reads. */
export function contentDisposition(fileName: string, asciiName: string): string {
  const fallback = asciiName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
