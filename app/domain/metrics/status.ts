import Decimal from 'decimal.js'
import { addMonths, yearMonthOf, monthsBetween, type Month } from '#app/domain/periods/period.ts'
import { minOtherBrandOutlets } from './suppression.ts'
import type { Comparison, Target } from './targets.ts'

/**
 * Status of a scope against one target for one period, from the period's
 * pooled figures (sum of numerators over sum of denominators of its complete
 * months, never an average of monthly ratios nor its last month alone). The
 * rules, in order (also written for people under `metrics.methodology.*`):
 *
 * 1. No month of the period is complete yet -> provisional: the figures are
 *    shown, never met or missed.
 * 2. Coverage of the period (share of the scope's outlet-months that
 *    reported the metric's data) below `minCoverage` (50%) -> insufficient_data.
 * 3. No pooled value (nothing reported behind the numerator or the
 *    denominator) -> insufficient_data.
 * 4. The deadline has passed by the period's end: the target is a standing
 *    requirement, and the pooled value satisfies it -> met, else missed.
 * 5. Before the deadline: the pooled value satisfies it -> met.
 * 6. Otherwise a least-squares straight line through the monthly values of
 *    the last `trendMonths` (6) complete months up to the period end, leaving
 *    out months whose own coverage is below `minCoverage` (they are listed),
 *    needing at least `minTrendPoints` (3), is extended to the deadline's
 *    month: satisfies the comparison -> on_track, else at_risk. Fewer points
 *    -> insufficient_data.
 *
 * `relative_to_baseline` targets run the same rules on the relative change
 * against the baseline, (value - baseline) / baseline. A `national_count`
 * target gives the scope's contribution to the national figure instead.
 */

export type TargetStatus = 'met' | 'on_track' | 'at_risk' | 'missed' | 'insufficient_data' | 'provisional'

export type StatusReason =
  | 'metrics.status.reason.provisional'
  | 'metrics.status.reason.lowCoverage'
  | 'metrics.status.reason.noValue'
  | 'metrics.status.reason.noBaseline'
  | 'metrics.status.reason.standingMet'
  | 'metrics.status.reason.standingMissed'
  | 'metrics.status.reason.pooledMeets'
  | 'metrics.status.reason.trendMeets'
  | 'metrics.status.reason.trendFalls'
  | 'metrics.status.reason.tooFewPoints'

/** One complete month's metric value (null: nothing reported) and its coverage. */
export interface SeriesPoint {
  month: Month
  value: Decimal | null
  /** Share of the scope's outlets that reported the metric's data that month; null without outlets. */
  coverage?: Decimal | null
}

export interface EvaluateOptions {
  /** Last day of the reported period, `YYYY-MM-DD` (or its month, `YYYY-MM`). */
  periodEnd: string
  /** The period's pooled value over its complete months; null when nothing was reported behind it. */
  pooled: Decimal | null
  /** The period's coverage over its complete months, 0..1; null when the scope has no outlets. */
  coverage: Decimal | null
  /** No month of the period is complete yet. */
  provisional?: boolean
  /** The scope's own baseline value, needed by relative_to_baseline targets. */
  baseline?: Decimal | null
  rules?: Partial<StatusRules>
}

export interface StatusRules {
  minCoverage: Decimal
  trendMonths: number
  minTrendPoints: number
}

export const defaultStatusRules: StatusRules = {
  minCoverage: new Decimal('0.5'),
  trendMonths: 6,
  minTrendPoints: 3,
}

export interface StatusEvaluation {
  kind: 'status'
  status: TargetStatus
  /** Catalog key explaining the status; fill it with `params`. */
  reason: StatusReason
  params: RuleParams
  /** The value compared with the target: the pooled value (for relative targets, its relative change). */
  pooled: Decimal | null
  /** The trend's value at the deadline's month, when a trend was fitted. */
  projected: Decimal | null
  /** The trend's change per month, when a trend was fitted. */
  slopePerMonth: Decimal | null
  /** Months of the trend window left out because their coverage was below the floor. */
  lowCoverageMonths: Month[]
}

export interface ContributionEvaluation {
  kind: 'contribution'
  /** Sum of the monthly values from 1 January of the deadline's year to the period end (or the deadline). */
  total: Decimal
  /** total / target value: the scope's share of the national figure. */
  contribution: Decimal
  /** The coverage was below the rule's minimum: the figure is shown, with that warning. */
  lowCoverage: boolean
}

export type TargetEvaluation = StatusEvaluation | ContributionEvaluation

/** The rules' numbers as message parameters, for status reasons and the methodology text. */
export interface RuleParams extends Record<string, string | number> {
  minCoverage: string
  trendMonths: number
  minTrendPoints: number
  minimum: number
}

/** The methodology page's paragraphs, in reading order; fill each with `ruleParams()`. */
export const methodologyKeys = [
  'metrics.methodology.intro',
  'metrics.methodology.provisional',
  'metrics.methodology.coverage',
  'metrics.methodology.latest',
  'metrics.methodology.met',
  'metrics.methodology.missed',
  'metrics.methodology.trend',
  'metrics.methodology.relative',
  'metrics.methodology.nationalCount',
  'metrics.methodology.inheritance',
  'metrics.methodology.suppression',
  'metrics.methodology.rounding',
] as const

export function ruleParams(rules: Partial<StatusRules> = {}): RuleParams {
  const merged = { ...defaultStatusRules, ...rules }
  return {
    minCoverage: `${merged.minCoverage.times(100).toString()}%`,
    trendMonths: merged.trendMonths,
    minTrendPoints: merged.minTrendPoints,
    minimum: minOtherBrandOutlets,
  }
}

export function evaluateTarget(
  target: Target,
  series: readonly SeriesPoint[],
  options: EvaluateOptions,
): TargetEvaluation {
  const rules = { ...defaultStatusRules, ...options.rules }
  const endMonth = yearMonthOf(options.periodEnd)
  const lowCoverage = options.coverage === null || options.coverage.lt(rules.minCoverage)

  if (target.kind === 'national_count') {
    return contributionOf(target, series, endMonth, lowCoverage)
  }

  const status = (
    value: TargetStatus,
    reason: StatusReason,
    extra: Partial<Pick<StatusEvaluation, 'pooled' | 'projected' | 'slopePerMonth' | 'lowCoverageMonths'>> = {},
  ): StatusEvaluation => ({
    kind: 'status',
    status: value,
    reason,
    params: ruleParams(rules),
    pooled: null,
    projected: null,
    slopePerMonth: null,
    lowCoverageMonths: [],
    ...extra,
  })

  if (options.provisional) return status('provisional', 'metrics.status.reason.provisional')
  if (lowCoverage) return status('insufficient_data', 'metrics.status.reason.lowCoverage')

  let relative = (value: Decimal) => value
  if (target.kind === 'relative_to_baseline') {
    const baseline = options.baseline
    if (baseline === undefined || baseline === null || baseline.isZero()) {
      return status('insufficient_data', 'metrics.status.reason.noBaseline')
    }
    relative = (value) => value.minus(baseline).dividedBy(baseline)
  }
  if (options.pooled === null) return status('insufficient_data', 'metrics.status.reason.noValue')
  const pooled = relative(options.pooled)
  const meets = satisfies(pooled, target.comparison, target.value)

  const deadlineMonth = yearMonthOf(target.deadline)
  if (monthsBetween(endMonth, deadlineMonth) <= 0) {
    return meets
      ? status('met', 'metrics.status.reason.standingMet', { pooled })
      : status('missed', 'metrics.status.reason.standingMissed', { pooled })
  }
  if (meets) return status('met', 'metrics.status.reason.pooledMeets', { pooled })

  const windowStart = addMonths(endMonth, -(rules.trendMonths - 1))
  const inWindow = series.filter(
    (point) => point.value !== null && monthsBetween(windowStart, point.month) >= 0 && monthsBetween(point.month, endMonth) >= 0,
  )
  const covered = (point: SeriesPoint) => point.coverage === undefined || (point.coverage !== null && point.coverage.gte(rules.minCoverage))
  const lowCoverageMonths = inWindow.filter((point) => !covered(point)).map((point) => point.month)
  const window = inWindow
    .filter(covered)
    .map((point) => ({ month: point.month, value: relative(point.value!) }))
  if (window.length < rules.minTrendPoints) {
    return status('insufficient_data', 'metrics.status.reason.tooFewPoints', { pooled, lowCoverageMonths })
  }
  // x counts months from the period end (0 = its last month), so the
  // deadline sits at x = months until the deadline.
  const line = leastSquares(window.map((point) => ({ x: monthsBetween(endMonth, point.month), y: point.value })))
  const projected = line.intercept.plus(line.slope.times(monthsBetween(endMonth, deadlineMonth)))
  const onTrack = satisfies(projected, target.comparison, target.value)
  return status(onTrack ? 'on_track' : 'at_risk', onTrack ? 'metrics.status.reason.trendMeets' : 'metrics.status.reason.trendFalls', {
    pooled,
    projected,
    slopePerMonth: line.slope,
    lowCoverageMonths,
  })
}

export function satisfies(value: Decimal, comparison: Comparison, targetValue: Decimal): boolean {
  switch (comparison) {
    case '>=':
      return value.gte(targetValue)
    case '<=':
      return value.lte(targetValue)
    case '==':
      return value.eq(targetValue)
  }
}

/** Ordinary least squares y = intercept + slope * x, in Decimal. */
export function leastSquares(points: readonly { x: number; y: Decimal }[]): { slope: Decimal; intercept: Decimal } {
  if (points.length === 0) throw new Error('leastSquares needs at least one point')
  const n = new Decimal(points.length)
  const meanX = points.reduce((sum, p) => sum.plus(p.x), new Decimal(0)).dividedBy(n)
  const meanY = points.reduce((sum, p) => sum.plus(p.y), new Decimal(0)).dividedBy(n)
  let sxy = new Decimal(0)
  let sxx = new Decimal(0)
  for (const p of points) {
    const dx = new Decimal(p.x).minus(meanX)
    sxy = sxy.plus(dx.times(p.y.minus(meanY)))
    sxx = sxx.plus(dx.times(dx))
  }
  // All points in one month: no direction can be read, so the line is flat.
  const slope = sxx.isZero() ? new Decimal(0) : sxy.dividedBy(sxx)
  return { slope, intercept: meanY.minus(slope.times(meanX)) }
}

function contributionOf(
  target: Target,
  series: readonly SeriesPoint[],
  endMonth: Month,
  lowCoverage: boolean,
): ContributionEvaluation {
  // National counts are yearly figures ("1 billion parcels in 2023"): the
  // scope's part is what it did in that year, up to the period end.
  const deadlineMonth = yearMonthOf(target.deadline)
  const yearStart = `${deadlineMonth.slice(0, 4)}-01`
  const lastMonth = monthsBetween(endMonth, deadlineMonth) < 0 ? deadlineMonth : endMonth
  const total = series
    .filter(
      (point) =>
        point.value !== null &&
        monthsBetween(yearStart, point.month) >= 0 &&
        monthsBetween(point.month, lastMonth) >= 0,
    )
    .reduce((sum, point) => sum.plus(point.value ?? 0), new Decimal(0))
  return { kind: 'contribution', total, contribution: total.dividedBy(target.value), lowCoverage }
}
