import { computeCoverage, computeMetric, type RollupSums } from '#app/domain/metrics/compute.ts'
import { getMetric, type MetricCode } from '#app/domain/metrics/definitions.ts'
import type { ApplicableTarget } from '#app/domain/metrics/inheritance.ts'
import { evaluateTarget, type SeriesPoint } from '#app/domain/metrics/status.ts'
import { yearMonthOf, monthsBetween } from '#app/domain/periods/period.ts'
import type { CompactMetricRow, TargetView, EvaluationView, MetricRow } from './types.ts'

export function metricRow(
  code: MetricCode,
  periodSums: RollupSums,
  monthly: Map<string, RollupSums>,
  endDate: string,
  targets: readonly ApplicableTarget[],
  baseline: { sums: RollupSums; firstMonth: string } | null,
  /** No month of the period is complete: figures without a verdict. */
  provisional = false,
): MetricRow {
  const definition = getMetric(code)
  const value = computeMetric(definition, periodSums)
  // The metric's own coverage: outlets that reported its data (a blank optional field is not reported).
  const coverage = computeCoverage(periodSums, definition)
  const applicable = targets.find((t) => t.metric === code) ?? null
  let evaluation: EvaluationView | null = null
  if (applicable) {
    const series: SeriesPoint[] = [...monthly.entries()].map(([month, sums]) => ({
      month,
      value: computeMetric(definition, sums).value,
      coverage: computeCoverage(sums, definition),
    }))
    const baselineValue = baseline ? computeMetric(definition, baseline.sums).value : null
    const result = evaluateTarget(applicable.target, series, {
      periodEnd: endDate,
      pooled: value.value,
      coverage,
      provisional,
      baseline: baselineValue,
    })
    if (result.kind === 'status') {
      evaluation = {
        kind: 'status',
        status: result.status,
        reason: result.reason,
        params: result.params,
        pooled: result.pooled?.toFixed() ?? null,
        projected: result.projected?.toFixed() ?? null,
        lowCoverageMonths: result.lowCoverageMonths,
        baseline: applicable.target.kind === 'relative_to_baseline' ? (baselineValue?.toFixed() ?? null) : null,
        baselineFrom: applicable.target.kind === 'relative_to_baseline' ? (baseline?.firstMonth ?? null) : null,
      }
    } else {
      const year = Number(applicable.target.deadline.slice(0, 4))
      const yearStart = `${year}-01`
      const last = monthsBetween(yearMonthOf(endDate), yearMonthOf(applicable.target.deadline)) < 0 ? yearMonthOf(applicable.target.deadline) : yearMonthOf(endDate)
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

export function targetView(applicable: ApplicableTarget): TargetView {
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

/** A metric row cut to what a compact table shows (CompactMetricRow). */
export function compactMetricRow(row: MetricRow): CompactMetricRow {
  const { target, evaluation } = row
  return {
    code: row.code,
    value: row.value,
    coverage: row.coverage,
    target: target && { metric: target.metric, comparison: target.comparison, value: target.value, deadline: target.deadline, kind: target.kind },
    evaluation:
      evaluation &&
      (evaluation.kind === 'status'
        ? { kind: 'status', status: evaluation.status }
        : { kind: 'contribution', contribution: evaluation.contribution, noData: evaluation.noData, targetYear: evaluation.targetYear }),
  }
}
