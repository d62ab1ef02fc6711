import Decimal from 'decimal.js'
import { addSums, type RollupSums } from '#app/domain/metrics/compute.ts'
import { sumExact } from '#app/domain/metrics/exact-sum.ts'
import { rollupFields } from '#app/domain/metrics/definitions.ts'
import type { ApplicableTarget } from '#app/domain/metrics/inheritance.ts'
import { addMonths, monthsBetween, type Month } from '#app/domain/periods/period.ts'
import { type KeyedScopeMonthlySums, type MonthRange, type ScopeMonthlySums } from '#db/models/reports.ts'

export const trendMonths = 24

/** Each month's total over its groups (the groups partition the scope). */
export function totalsOfGroups(rows: readonly KeyedScopeMonthlySums[]): ScopeMonthlySums[] {
  const byMonth = new Map<string, KeyedScopeMonthlySums[]>()
  for (const row of rows) {
    const parts = byMonth.get(row.month)
    if (parts) parts.push(row)
    else byMonth.set(row.month, [row])
  }
  const add = (parts: KeyedScopeMonthlySums[], pick: (p: KeyedScopeMonthlySums) => string) => sumExact(parts.map(pick))
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

/** True when no rollup month lies before the range: every scope's first months are in it. */
export function localBaselines(horizon: MonthRange | null, range: MonthRange): boolean {
  return horizon !== null && monthsBetween(range.from, horizon.from) >= 0
}

/**
 * The baseline of targets relative to a baseline year, from months already
 * fetched: the first month with parcels and the 11 after it. The same rule
 * as baselineSums in db/models/reports.ts, which serves when older months
 * lie outside what was fetched.
 */
export function baselineFromMonths(byMonth: Map<string, RollupSums>): { sums: RollupSums; firstMonth: string } | null {
  const first = [...byMonth.entries()]
    .filter(([, sums]) => new Decimal(sums.parcels ?? 0).gt(0))
    .map(([month]) => month)
    .sort()[0]
  if (!first) return null
  const months = Array.from({ length: 12 }, (_, i) => addMonths(first, i))
  return { sums: sumMonths(byMonth, months), firstMonth: first }
}

export function baselineFor(
  fetched: readonly { key: string | null; firstMonth: string; sums: RollupSums }[] | null,
  key: string,
  byMonth: Map<string, RollupSums>,
): { sums: RollupSums; firstMonth: string } | null {
  if (fetched === null) return baselineFromMonths(byMonth)
  const row = fetched.find((b) => b.key === key)
  return row ? { sums: row.sums, firstMonth: row.firstMonth } : null
}

export function zeroSums(): RollupSums {
  return Object.fromEntries(rollupFields.map((field) => [field, '0'])) as RollupSums
}

export function sumMonths(byMonth: Map<string, RollupSums>, months: readonly Month[]): RollupSums {
  return addSums(zeroSums(), ...months.map((m) => byMonth.get(m) ?? zeroSums()))
}

export function seriesOf(byMonth: Map<string, RollupSums>, range: MonthRange): Map<string, RollupSums> {
  const out = new Map<string, RollupSums>()
  for (let m = range.from; monthsBetween(m, range.to) >= 0; m = addMonths(m, 1)) {
    const sums = byMonth.get(m)
    if (sums) out.set(m, sums)
  }
  return out
}

export function groupByKey(rows: readonly { key: string | null; month: string; sums: RollupSums }[]): Map<string, Map<string, RollupSums>> {
  const out = new Map<string, Map<string, RollupSums>>()
  for (const row of rows) {
    const key = String(row.key)
    const months = out.get(key) ?? new Map<string, RollupSums>()
    months.set(row.month, row.sums)
    out.set(key, months)
  }
  return out
}

export function earliest(months: readonly Month[]): Month {
  return months.reduce((a, b) => (monthsBetween(a, b) < 0 ? b : a))
}

export function countTargetYearStarts(targets: readonly ApplicableTarget[]): Month[] {
  return targets.filter((t) => t.target.kind === 'national_count').map((t) => `${t.target.deadline.slice(0, 4)}-01`)
}
