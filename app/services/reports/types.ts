import type { OutletRow } from '#db/models/outlets.ts'
import type { MonthRange } from '#db/models/reports.ts'
import type { Role } from '#app/domain/access.ts'
import type { FallbackShareView } from '#app/domain/factors/fallbacks.ts'
import type { MetricCode } from '#app/domain/metrics/definitions.ts'
import type { StatusReason, TargetStatus } from '#app/domain/metrics/status.ts'
import type { Month, PeriodState } from '#app/domain/periods/period.ts'
import type { ReportScope } from '#db/models/reports.ts'

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
      /** The period's pooled value that was compared (relative targets: its change against the baseline). */
      pooled: string | null
      projected: string | null
      /** Months of the trend window left out for coverage below the floor. */
      lowCoverageMonths: string[]
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

/**
 * What a table of compact cells shows of a metric row (the bureau overview):
 * the value, the coverage, the target in words and the evaluation's badge or
 * share, not the reasons, sources and notes the full report prints.
 */
export interface CompactMetricRow {
  code: MetricCode
  value: string | null
  coverage: string | null
  target: Pick<TargetView, 'metric' | 'comparison' | 'value' | 'deadline' | 'kind'> | null
  evaluation: CompactEvaluation | null
}

export type CompactEvaluation =
  | Pick<Extract<EvaluationView, { kind: 'status' }>, 'kind' | 'status'>
  | Pick<Extract<EvaluationView, { kind: 'contribution' }>, 'kind' | 'contribution' | 'noData' | 'targetYear'>

export interface ChildRow {
  key: string
  /** Where the row links: a region or outlet scope param, null when the viewer may not open it. */
  param: string | null
  name: Named
  metric: MetricRow
  coverage: string | null
  parcels: string
  outlets: string
  /** The share of the child's CO2e computed with fallback factors (issue 13.4). */
  fallback: FallbackShareView
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
  /** complete, to_date (a quarter or year to date: complete months only) or provisional (no month complete). */
  periodState: PeriodState
  /** The last month the figures reach (a period to date stops at its last complete month with data). */
  dataThrough: Month
  /** The months pooled into the figures. */
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
  /**
   * Whether to compute the cross-brand benchmarks (default true). A caller that
   * shows no benchmarks (the outlet home's glance) skips their queries, the
   * heaviest of an outlet's report.
   */
  benchmarks?: boolean
  /** Whether to build the drill-down rows (default true); the bureau overview shows none. */
  children?: boolean
  /** The rollups' month range when the caller has just read it (the period picker's), saving a statement. */
  horizon?: MonthRange | null
  /**
   * An outlet scope's outlet as the caller reads it for this viewer anyway
   * (findVisibleOutlet; the outlet home's card), saving a statement.
   */
  outlet?: Promise<OutletRow | undefined>
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
  periodState: PeriodState
  dataThrough: Month
  rows: BrandComparisonRow[]
  generatedAt: string
}

export interface PeriodChoices {
  /** The period pages open on: the last complete month with data. */
  latest: string | null
  /** The month in progress (Asia/Shanghai): provisional when chosen. */
  inProgress: string
  months: string[]
  quarters: string[]
  years: string[]
}

export interface ReportPageData {
  report: Report | null
  periods: PeriodChoices
  /** The period shown, as written in links (`2026-10`, `2026-Q3`, `2026`). */
  period: string | null
  /** A period parameter that could not be read (the latest period is shown instead). */
  invalidPeriod: string | null
  role: Role
}

/**
 * A report as the report pages show it (ReportPage): the same figures, without
 * what only the printed report, the CSV export or the admin pages use (a
 * target's source and note, a drill-down row's own totals and fallback share,
 * the generation time), so that the page's serialised data carries what the
 * page renders.
 */
export interface ReportView extends Omit<Report, 'metrics' | 'children' | 'generatedAt'> {
  metrics: MetricRowView[]
  children: ChildRowView[]
}

export interface MetricRowView extends Omit<MetricRow, 'target'> {
  target: Pick<TargetView, 'setName' | 'deadlinePassed' | 'metric' | 'comparison' | 'value' | 'deadline' | 'kind'> | null
}

export interface ChildRowView extends Pick<ChildRow, 'key' | 'param' | 'name' | 'coverage'> {
  metric: CompactMetricRow & Pick<MetricRow, 'numerator' | 'denominator'>
}

export interface ReportPageView extends Omit<ReportPageData, 'report'> {
  report: ReportView | null
}

export interface BrandPageData {
  comparison: BrandComparison | null
  periods: PeriodChoices
  period: string | null
  invalidPeriod: string | null
}
