import type Decimal from 'decimal.js'
import type { FactorFallback, FactorLookupHit } from '#app/domain/factors/factor-set.ts'
import type { DataQualityTier } from '#app/domain/factors/types.ts'
import type { CalculationFailure, Omission } from './types.ts'

export const NO_FALLBACKS: readonly FactorFallback[] = Object.freeze([])
export const NO_OMISSIONS: readonly Omission[] = Object.freeze([])

export function worstTier(a: DataQualityTier, b: DataQualityTier): DataQualityTier {
  return a > b ? a : b
}

/** Fallbacks of the hits used, allocating only when there is one to report. */
export function fallbacksOf(
  a: FactorLookupHit,
  b?: FactorLookupHit,
  c?: FactorLookupHit,
): readonly FactorFallback[] {
  if (a.fallback === null && (b?.fallback ?? null) === null && (c?.fallback ?? null) === null)
    return NO_FALLBACKS
  const out: FactorFallback[] = []
  if (a.fallback) out.push(a.fallback)
  if (b?.fallback) out.push(b.fallback)
  if (c?.fallback) out.push(c.fallback)
  return out
}

export function negativeInput(field: string): CalculationFailure {
  return { ok: false, error: { key: 'emissions.error.negativeInput', params: { field } } }
}

export function isNegative(value: Decimal | null | undefined): boolean {
  return value !== null && value !== undefined && value.isNegative() && !value.isZero()
}
