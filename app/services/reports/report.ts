import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import type { Role, Viewer } from '#app/domain/access.ts'
import { fallbackShareView } from '#app/domain/factors/fallbacks.ts'
import { computeCoverage, computeMetric, type RollupSums } from '#app/domain/metrics/compute.ts'
import { getMetric, metricCodes, type MetricCode } from '#app/domain/metrics/definitions.ts'
import { applicableTargets } from '#app/domain/metrics/inheritance.ts'
import { benchmarkCell } from '#app/domain/metrics/suppression.ts'
import type { TargetSet } from '#app/domain/metrics/targets.ts'
import { addMonths, formatPeriod, monthsBetween, type Month, type Period } from '#app/domain/periods/period.ts'
import { regionLevel } from '#app/domain/regions.ts'
import { baselineSums, crossBrandBenchmark, factorSetVersions, monthlySumsBy, outletNames, regionNames, reportFingerprints, rollupMonthRange, type MonthRange, type ReportReads, type ScopeMonthlySums, type NamedRow } from '#db/models/reports.ts'
import { listTargetSets } from '#db/models/target-sets.ts'
import type { Database } from '#db/schema.ts'
import { FingerprintCache, reportCacheEntries } from './cache.ts'
import { metricRow } from './metric-row.ts'
import { effectiveEnd, type EffectiveEnd } from './periods.ts'
import { resolveScope, childLevelOf, groupKeyOf, type Resolved } from './scope.ts'
import { trendMonths, totalsOfGroups, localBaselines, baselineFromMonths, baselineFor, sumMonths, seriesOf, groupByKey, earliest, countTargetYearStarts } from './sums.ts'
import type { ScopeRequest, ReportLevel, Refusal, ScopeInfo, BenchmarkView, ChildRow, Report, ReportOptions } from './types.ts'

export async function buildReport(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  period: Period,
  options: ReportOptions,
): Promise<{ ok: true; report: Report } | Refusal> {
  const built = await buildReports(db, viewer, request, [period], options)
  return built.ok ? { ok: true, report: built.reports[0]! } : built
}

/**
 * Reports of one scope for several periods (the outlet home's this and last
 * month): the scope, the rollups' month range and the target sets are read
 * once for all of them. Reports in the order of the periods.
 */
export async function buildReports(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  periods: readonly Period[],
  options: ReportOptions,
): Promise<{ ok: true; reports: Report[] } | Refusal> {
  // Reference reads side by side; nothing of the scope is read before it is allowed.
  const [resolved, horizon, sets] = await Promise.all([
    resolveScope(db, viewer, request, options.outlet),
    options.horizon !== undefined ? Promise.resolve(options.horizon) : rollupMonthRange(db),
    listTargetSets(db),
  ])
  if (!resolved.ok) return resolved
  // With the month range known, no period's end reads anything.
  const ends = await Promise.all(periods.map((period) => effectiveEnd(db, period, options.now, horizon)))
  const plans = periods.map((period, i) => planOf(viewer, request, resolved, period, ends[i]!, sets, options))
  // The fingerprints of every period's rows in one statement.
  const fingerprints = await reportFingerprints(db, viewer, resolved.filter, plans.map((plan) => plan.reads))
  const reports = await Promise.all(plans.map((plan, i) => reportOf(db, viewer, plan, fingerprints[i]!, options)))
  return { ok: true, reports }
}

/** What one period's report reads and is cached under, before anything of it is read. */
function planOf(viewer: Viewer, request: ScopeRequest, resolved: Resolved, period: Period, end: EffectiveEnd, sets: readonly TargetSet[], options: ReportOptions) {
  const { scope, targetRegion } = resolved
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
  const withBenchmarks = options.benchmarks !== false
  const withChildren = Boolean(childLevel && groupKey && options.children !== false)

  // A report built from the same rows is reused (cache.ts): the key says who asks
  // for what, the fingerprint which rows stand now.
  const key = JSON.stringify([viewer, request, formatPeriod(period), end, scope, options.metric ?? null, withBenchmarks, withChildren])
  const reads: ReportReads = {
    range: local ? { from: earliest([seriesRange.from, periodRange.from]), to: endMonth } : null,
    benchmarks: withBenchmarks && scope.brand ? benchmarkRegions(scope).map((regionCode) => ({ regionCode, brandId: scope.brand!.id, range: periodRange })) : [],
    outletNames: withChildren && childLevel === 'outlet',
  }
  return { period, end, sets, scope, filter: resolved.filter, targets, seriesRange, local, childLevel, groupKey, periodRange, withBenchmarks, withChildren, key, reads }
}

/** One period's report of a resolved scope, reused from the cache while the rows it reads stand. */
async function reportOf(db: Kysely<Database>, viewer: Viewer, plan: ReturnType<typeof planOf>, fingerprint: string, options: ReportOptions): Promise<Report> {
  const { period, end, sets, scope, filter, targets, seriesRange, local, childLevel, groupKey, periodRange, withBenchmarks, withChildren, key } = plan
  const { endDate, endMonth, months, state } = end
  const provisional = state === 'provisional'
  const cached = reportCache.get(key, fingerprint)
  if (cached) return { ...cached, generatedAt: options.now.toISOString() }

  const [rows, baseline, childBaselines, versions, benchmarks] = await Promise.all([
    monthlySumsBy(db, viewer, filter, seriesRange, groupKey),
    local ? Promise.resolve(null) : baselineSums(db, viewer, filter),
    groupKey && !local ? baselineSums(db, viewer, filter, groupKey) : Promise.resolve(null),
    factorSetVersions(db, viewer, filter, periodRange),
    withBenchmarks ? benchmarksFor(db, viewer, scope, periodRange) : Promise.resolve([]),
  ])
  const monthly = groupKey ? totalsOfGroups(rows) : rows

  const byMonth = new Map(monthly.map((m) => [m.month, m.sums]))
  const periodSums = sumMonths(byMonth, months)
  const baselineOf = baseline === null ? baselineFromMonths(byMonth) : baseline[0] ? { sums: baseline[0].sums, firstMonth: baseline[0].firstMonth } : null
  const metrics = metricCodes.map((code) => metricRow(code, periodSums, seriesOf(byMonth, seriesRange), endDate, targets, baselineOf, provisional))
  const metric = options.metric ?? targets[0]?.metric ?? 'e_waybill_rate'

  const children = withChildren
    ? await childRows(db, viewer, scope, childLevel!, rows, childBaselines, months, seriesRange, endDate, sets, metric, provisional)
    : []

  const coverage = computeCoverage(periodSums)
  const report: Report = {
    scope,
    period: formatPeriod(period),
    periodEnd: endDate,
    periodState: state,
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
  return reportCache.set(key, fingerprint, report)
}

const reportCache = new FingerprintCache<Report>(reportCacheEntries())

export async function childRows(
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
  provisional: boolean,
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
    const row = metricRow(metric, sums, seriesOf(monthsOfKey, range), endDate, targets, baselineFor(baselines, key, monthsOfKey), provisional)
    rows.push({
      key,
      param: level === 'outlet' ? `outlet:${key}` : `region:${key}`,
      name: { nameZh: name.nameZh, nameEn: name.nameEn },
      metric: row,
      coverage: row.coverage,
      parcels: String(sums.parcels ?? '0'),
      outlets: String(sums.outlets ?? '0'),
      fallback: fallbackShareView(sums.co2e_kg, sums.fallback_co2e_kg),
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
export async function benchmarksFor(
  db: Kysely<Database>,
  viewer: Viewer,
  scope: ScopeInfo,
  range: MonthRange,
): Promise<{ view: BenchmarkView }[]> {
  const regions = benchmarkRegions(scope)
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
        cells: data.cells,
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

/** The regions a scope is benchmarked in: an outlet's district and city; a brand's own region. */
function benchmarkRegions(scope: ScopeInfo): string[] {
  if (!scope.brand) return []
  if (scope.kind === 'outlet' && scope.regionCode) return [...new Set([scope.regionCode, `${scope.regionCode.slice(0, 4)}00`])]
  if (scope.kind === 'region' && scope.brandFiltered && scope.regionCode) return [scope.regionCode]
  return []
}

export function avoidedOf(monthly: readonly ScopeMonthlySums[], months: readonly Month[], periodSums: RollupSums): Report['avoided'] {
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
