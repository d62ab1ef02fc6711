import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { computeCoverage } from '#app/domain/metrics/compute.ts'
import { metricCodes } from '#app/domain/metrics/definitions.ts'
import { applicableTargets } from '#app/domain/metrics/inheritance.ts'
import { addMonths, formatPeriod, monthsBetween, type Period } from '#app/domain/periods/period.ts'
import { baselineSums, brandNames, groupedMonthlySums, type MonthRange } from '#db/models/reports.ts'
import { listTargetSets } from '#db/models/target-sets.ts'
import type { Database } from '#db/schema.ts'
import { metricRow } from './metric-row.ts'
import { effectiveEnd } from './periods.ts'
import { resolveScope } from './scope.ts'
import { trendMonths, localBaselines, baselineFor, sumMonths, seriesOf, groupByKey, earliest } from './sums.ts'
import type { ScopeRequest, Refusal, BrandComparisonRow, BrandComparison } from './types.ts'

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
  const { endDate, endMonth, months, horizon, state } = await effectiveEnd(db, period, options.now)
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
      metrics: metricCodes.map((code) => metricRow(code, sums, series, endDate, targets, base, state === 'provisional')),
    })
  }
  return { ok: true, comparison: { scope, period: formatPeriod(period), periodEnd: endDate, periodState: state, dataThrough: endMonth, rows, generatedAt: options.now.toISOString() } }
}
