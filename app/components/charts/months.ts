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
