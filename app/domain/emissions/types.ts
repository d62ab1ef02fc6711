import type Decimal from 'decimal.js'
import type { FactorFallback } from '#app/domain/factors/factor-set.ts'
import type { DataQualityTier } from '#app/domain/factors/types.ts'
import type { Message } from '#app/i18n/index.ts'

export { costedRecordTypes, type CostedRecordType } from '#app/domain/activity/definitions.ts'

/** What a result counts towards: a scope of emissions, or emissions avoided. */
export type EmissionCategory = 'packaging' | 'fleet' | 'facility' | 'avoided'

export type EmissionMethod =
  | 'mass'
  | 'mass_reusable'
  | 'fuel'
  | 'electricity'
  | 'fuel_and_electricity'
  | 'distance_default'

export type AvoidedMethod = 'avoided_reference' | 'avoided_mass'

/** A part of a figure that could not be computed for want of a factor, shown beside the figure. */
export interface Omission {
  part: 'wtt'
  quantity: string
  message: Message
}

interface ResultProvenance<I> {
  /** The input exactly as given (same object, not a copy), so the figure can be recomputed from what is stored. */
  inputs: I
  /** Ids of every factor used, in the order used. */
  factorIds: string[]
  factorSetVersion: string
  /** Worst (highest) tier among the factors used. */
  dataQuality: DataQualityTier
  /** Every departure from the requested region or year; empty when none. */
  fallbacks: readonly FactorFallback[]
}

export interface EmissionResult<I> extends ResultProvenance<I> {
  ok: true
  /** Total emissions: ttwKg + wttKg + electricityKg where they apply. Exact; round only when shown. */
  co2eKg: Decimal
  /** Tank-to-wheel part (fuel combustion, or a distance intensity with a tank-to-wheel boundary). */
  ttwKg?: Decimal
  /** Well-to-tank part (fuel upstream). */
  wttKg?: Decimal
  /** Electricity part, where a vehicle reports both fuel and electricity. */
  electricityKg?: Decimal
  method: EmissionMethod
  /** Parts left out because the set has no factor for them (e.g. WTT for a fuel); empty when none. */
  omissions: readonly Omission[]
}

/**
 * Avoided emissions carry a different field name from emissions
 * (`avoidedCo2eKg`, not `co2eKg`) so that they cannot be summed into an
 * emission total by accident: they are reported apart, never netted.
 */
export interface AvoidedResult<I> extends ResultProvenance<I> {
  ok: true
  avoidedCo2eKg: Decimal
  method: AvoidedMethod
}

export interface CalculationFailure {
  ok: false
  error: Message
}

export type EmissionOutcome<I> = EmissionResult<I> | CalculationFailure
export type AvoidedOutcome<I> = AvoidedResult<I> | CalculationFailure
