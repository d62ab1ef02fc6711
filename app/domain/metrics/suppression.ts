/**
 * Small-cell suppression of cross-brand benchmarks (spec, "Users"): a brand
 * or outlet sees its region's figure across all brands beside its own, but
 * not when fewer than 3 outlets of other brands are behind it, or it could
 * work out a competitor's figures. Bureau officers and admins regulate every
 * outlet in their reach and see every cell.
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

export function benchmarkCell<T = null>(input: {
  /** Distinct outlets of brands other than the viewer's that contribute to the cell. */
  otherBrandOutlets: number
  viewerRole: ViewerRole
  /** The figure to show; passed through when shown, dropped when suppressed. */
  value?: T
}): BenchmarkCell<T | null> {
  const { otherBrandOutlets, viewerRole } = input
  if (!Number.isInteger(otherBrandOutlets) || otherBrandOutlets < 0) {
    throw new Error(`otherBrandOutlets must be a count, got ${otherBrandOutlets}`)
  }
  if (isRegulator(viewerRole) || otherBrandOutlets >= minOtherBrandOutlets) {
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
