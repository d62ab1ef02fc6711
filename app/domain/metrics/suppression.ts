/**
 * Small-cell suppression of cross-brand benchmarks (spec, "Users"). A brand
 * or outlet sees its region's figure across the other brands beside its own
 * (its own outlets left out), but only where enough other brands' outlets
 * reported, or it could work out a competitor's figures.
 *
 * The smallest cell is one district in one month, counting only other
 * brands' outlets that reported in it. A benchmark (a district, city or
 * province over a month, quarter or year) is hidden when any of its cells
 * has between 1 and `minOtherBrandOutlets - 1` such outlets, or when none
 * of its cells has any. Because a
 * shown benchmark never contains a hidden cell, no sum or difference of
 * shown benchmarks (province - cities, quarter - months, year - quarters)
 * can isolate a hidden one. Bureau officers and admins regulate every outlet
 * in their reach and see every cell.
 */

export type ViewerRole = 'outlet_operator' | 'carrier_admin' | 'consumer' | 'bureau_officer' | 'admin'

export const minOtherBrandOutlets = 3

export type BenchmarkCell<T> =
  | { suppressed: false; value: T }
  | {
      suppressed: true
      value: null
      reason: { key: 'metrics.benchmark.suppressed'; params: { minimum: number } }
    }

/** One district-month of a benchmark: other brands' outlets that reported in it. */
export interface ReportingCell {
  month: string
  district: string
  outlets: number
}

export function benchmarkCell<T = null>(input: {
  /** The district-months behind the benchmark (cells with no reporting outlet may be left out). */
  cells: readonly ReportingCell[]
  viewerRole: ViewerRole
  /** The figure to show; passed through when shown, dropped when suppressed. */
  value?: T
}): BenchmarkCell<T | null> {
  const { cells, viewerRole } = input
  for (const cell of cells) {
    if (!Number.isInteger(cell.outlets) || cell.outlets < 0) throw new Error(`outlets must be a count, got ${cell.outlets}`)
  }
  // No reporting outlet at all is below the minimum too: there is no benchmark to show.
  const small = cells.every((cell) => cell.outlets === 0) || cells.some((cell) => cell.outlets > 0 && cell.outlets < minOtherBrandOutlets)
  if (isRegulator(viewerRole) || !small) {
    return { suppressed: false, value: input.value ?? null }
  }
  return {
    suppressed: true,
    value: null,
    reason: { key: 'metrics.benchmark.suppressed', params: { minimum: minOtherBrandOutlets } },
  }
}

function isRegulator(role: ViewerRole): boolean {
  return role === 'bureau_officer' || role === 'admin'
}
