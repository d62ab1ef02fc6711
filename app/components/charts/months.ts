/**
 * Months on a chart's axis. Pure, so that it can be tested without a browser.
 */

/** Every month from the first row's to the last row's, rows in order; a month with no row gets `missing`. */
export function fillMonths<R extends { month: string }>(rows: readonly R[], missing: (month: string) => R): R[] {
  if (rows.length === 0) return []
  const byMonth = new Map(rows.map((r) => [r.month, r]))
  const sorted = [...byMonth.keys()].sort()
  const out: R[] = []
  for (let month = sorted[0]!; month <= sorted[sorted.length - 1]!; month = nextMonth(month)) {
    out.push(byMonth.get(month) ?? missing(month))
  }
  return out
}

function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`
}

/** The span a monthly chart covers, for its caption: "2024-11 – 2026-10". */
export function monthSpan(months: readonly string[]): string | null {
  if (months.length === 0) return null
  const sorted = [...months].sort()
  return sorted[0] === sorted[sorted.length - 1] ? sorted[0]! : `${sorted[0]} – ${sorted[sorted.length - 1]}`
}

/**
 * Decimals for axis ticks so that neighbouring ticks never read the same
 * ("0 1 2 2 3" for 0, 0.6, 1.2, 1.8, 2.4): enough to tell a tenth of the
 * largest value apart.
 */
export function tickDecimals(max: number): number {
  if (!(max > 0)) return 0
  if (max >= 50) return 0
  if (max >= 5) return 1
  if (max >= 0.5) return 2
  return 3
}

/**
 * A value axis that holds every value and the target with room around them,
 * bounded at round steps: with the axis fitted to the values alone, a target
 * below them lay on the axis line itself and its label ran into the month
 * labels. Values are in the plotted unit (percent points for a ratio).
 */
export function axisDomain(values: readonly (number | null)[], target: number | null): [number, number] | null {
  const all = values.filter((v): v is number => v !== null && Number.isFinite(v))
  if (target !== null && Number.isFinite(target)) all.push(target)
  if (all.length === 0) return null
  const lo = Math.min(...all)
  const hi = Math.max(...all)
  const spread = hi - lo || Math.abs(hi) || 1
  const step = niceStep(spread / 4)
  const low = Math.floor((lo - spread * 0.1) / step) * step
  const high = Math.ceil((hi + spread * 0.1) / step) * step
  // A share of zero or more never gets a negative axis.
  return [lo >= 0 && low < 0 ? 0 : round(low, step), round(high, step)]
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power
  return 10 * power
}

/** Floating steps (0.1 × 3) printed as 0.30000000000000004 otherwise. */
function round(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)))
  return Number(value.toFixed(decimals))
}
