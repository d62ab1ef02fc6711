import type Decimal from 'decimal.js'
import { lookupFactor, type FactorLookupHit, type FactorSet } from '#app/domain/factors/factor-set.ts'
import type { FactorKey } from '#app/domain/factors/types.ts'
import type { Message } from '#app/i18n/index.ts'
import { fallbacksOf, isNegative, negativeInput, NO_OMISSIONS } from './provenance.ts'
import type { EmissionOutcome } from './types.ts'

export const GRID_ELECTRICITY_KEY: FactorKey = {
  quantity: 'electricity:grid',
  boundary: 'generation',
  per: 'kWh',
}

export interface FacilityInput {
  /** GB/T 2260 code of the outlet or sorting centre (province, city or district). */
  regionCode: string
  year: number
  electricityKwh: Decimal
}

/** kWh × grid factor of the region's province (→ regional grid → national) for the year. Shared with the fleet calculator. */
export function electricityEmissions(
  set: FactorSet,
  input: FacilityInput,
): { ok: true; co2eKg: Decimal; hit: FactorLookupHit } | { ok: false; error: Message } {
  const hit = lookupFactor(set, GRID_ELECTRICITY_KEY, {
    regionCode: input.regionCode,
    year: input.year,
  })
  if (!hit.ok) return hit
  return { ok: true, co2eKg: input.electricityKwh.times(hit.factor.value), hit }
}

/** facility electricity: kWh × grid factor (kgCO2/kWh) */
export function facilityEmissions(
  set: FactorSet,
  input: FacilityInput,
): EmissionOutcome<FacilityInput> {
  if (isNegative(input.electricityKwh)) return negativeInput('electricityKwh')
  const grid = electricityEmissions(set, input)
  if (!grid.ok) return grid
  return {
    ok: true,
    co2eKg: grid.co2eKg,
    method: 'electricity',
    inputs: input,
    factorIds: [grid.hit.factor.id],
    factorSetVersion: set.version,
    dataQuality: grid.hit.factor.dataQuality,
    fallbacks: fallbacksOf(grid.hit),
    omissions: NO_OMISSIONS,
  }
}
