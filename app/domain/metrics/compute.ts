import Decimal from 'decimal.js'
import type { MetricDefinition, RollupField } from './definitions.ts'

/**
 * Rollup sums for one scope and period. Kysely returns `numeric` as a string,
 * so strings are welcome; numbers only for small integer counts.
 */
export type RollupSums = Partial<Record<RollupField, Decimal.Value>>

export interface MetricValue {
  /** null when the denominator is 0, or a count nobody reported: "no data", never 0, 0% or a division error. */
  value: Decimal | null
  /** The raw numerator sum, in the rollup field's own unit (kg, parcels). */
  numerator: Decimal
  /** The raw denominator sum; null for a count. */
  denominator: Decimal | null
}

export function computeMetric(definition: MetricDefinition, sums: RollupSums): MetricValue {
  const numerator = readField(sums, definition.numerator)
  const scale = new Decimal(definition.scale)
  if (definition.denominator === null) {
    // Nobody reported the count: no figure, not a reported 0.
    if (readField(sums, definition.reportedBy).isZero()) return { value: null, numerator, denominator: null }
    return { value: numerator.times(scale), numerator, denominator: null }
  }
  const denominator = readField(sums, definition.denominator)
  if (denominator.isZero()) return { value: null, numerator, denominator }
  return { value: numerator.times(scale).dividedBy(denominator), numerator, denominator }
}

/**
 * Share of the scope's outlets that reported in the period (outlet-months),
 * null without outlets. With a metric, the share that reported that metric's
 * data (a blank optional field is not reported).
 */
export function computeCoverage(sums: RollupSums, definition?: Pick<MetricDefinition, 'reportedBy'>): Decimal | null {
  const outlets = readField(sums, 'outlets')
  if (outlets.isZero()) return null
  return readField(sums, definition?.reportedBy ?? 'reporting_outlets').dividedBy(outlets)
}

/** Adds rollup sums field by field, e.g. the months of a quarter or the districts of a city. */
export function addSums(...parts: RollupSums[]): RollupSums {
  const total: Partial<Record<RollupField, Decimal>> = {}
  for (const part of parts) {
    for (const [field, value] of Object.entries(part) as [RollupField, Decimal.Value][]) {
      total[field] = (total[field] ?? new Decimal(0)).plus(value)
    }
  }
  return total
}

function readField(sums: RollupSums, field: RollupField): Decimal {
  const raw = sums[field]
  // A missing field is a bug in the query that built the sums; guessing 0
  // would silently report a wrong figure.
  if (raw === undefined || raw === null) throw new Error(`Rollup sums lack the field "${field}"`)
  const value = new Decimal(raw)
  if (!value.isFinite()) throw new Error(`Rollup field "${field}" is not a finite number: ${raw}`)
  return value
}
