import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { isMetricCode } from '#app/domain/metrics/definitions.ts'
import { formatPeriod } from '#app/domain/periods/period.ts'
import type { Database } from '#db/schema.ts'
import { buildBrandComparison } from './brands.ts'
import { buildReportCharts, emptyCharts } from './charts.ts'
import { periodsRange, reportPeriods, pickPeriod } from './periods.ts'
import { buildReport } from './report.ts'
import { homeScope, resolveScope } from './scope.ts'
import { compactMetricRow } from './metric-row.ts'
import type { ScopeRequest, Refusal, ChartData, ReportPageData, BrandPageData, ReportOptions, ReportPageView, ReportView } from './types.ts'

// Page loaders' one call: query parameters in, everything the page shows out.

export async function loadReportPage(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  query: URLSearchParams,
  now: Date,
  /** Parts of the report a page does not show, left out (see ReportOptions). */
  parts: Pick<ReportOptions, 'benchmarks' | 'children'> = {},
): Promise<{ ok: true; data: ReportPageData } | Refusal> {
  const periods = await reportPeriods(db, now)
  const picked = pickPeriod(query.get('period'), periods)
  if (!picked.period) {
    // No data at all: still refuse what the viewer may not open.
    const resolved = await resolveScope(db, viewer, request)
    if (!resolved.ok) return resolved
    return { ok: true, data: { report: null, periods, period: null, invalidPeriod: picked.invalid, role: viewer.role } }
  }
  const metricParam = query.get('metric')
  const result = await buildReport(db, viewer, request, picked.period, {
    ...parts,
    now,
    horizon: periodsRange(periods),
    metric: isMetricCode(metricParam) ? metricParam : undefined,
  })
  if (!result.ok) return result
  return {
    ok: true,
    data: { report: result.report, periods, period: formatPeriod(picked.period), invalidPeriod: picked.invalid, role: viewer.role },
  }
}

/** A report page's data as the page shows it (ReportView): what goes into its HTML and its serialised data. */
export function reportPageView(data: ReportPageData): ReportPageView {
  const { report, ...rest } = data
  return { ...rest, report: report && reportView(report) }
}

function reportView(report: NonNullable<ReportPageData['report']>): ReportView {
  const { generatedAt: _generatedAt, metrics, children, ...rest } = report
  return {
    ...rest,
    metrics: metrics.map(({ target, ...row }) => ({
      ...row,
      target: target && {
        setName: target.setName,
        deadlinePassed: target.deadlinePassed,
        metric: target.metric,
        comparison: target.comparison,
        value: target.value,
        deadline: target.deadline,
        kind: target.kind,
      },
    })),
    children: children.map((child) => ({
      key: child.key,
      param: child.param,
      name: child.name,
      coverage: child.coverage,
      metric: { ...compactMetricRow(child.metric), numerator: child.metric.numerator, denominator: child.metric.denominator },
    })),
  }
}

/** The chart data of a report page, fetched by the page once it is live. */
export async function loadReportCharts(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  query: URLSearchParams,
  now: Date,
): Promise<{ ok: true; charts: ChartData } | Refusal> {
  const picked = pickPeriod(query.get('period'), await reportPeriods(db, now))
  if (!picked.period) {
    const resolved = await resolveScope(db, viewer, request)
    return resolved.ok ? { ok: true, charts: emptyCharts() } : resolved
  }
  return buildReportCharts(db, viewer, request, picked.period, now)
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
  const periods = await reportPeriods(db, now)
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
