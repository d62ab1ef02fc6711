import type Decimal from 'decimal.js'
import { lookupFactor, type FactorSet } from '#app/domain/factors/factor-set.ts'
import type { FactorKey } from '#app/domain/factors/types.ts'
import { fallbacksOf, isNegative, negativeInput } from './provenance.ts'
import type { AvoidedOutcome } from './types.ts'

/**
 * carton_reused    a collected carton reused for shipping (per carton)
 * recyclable_trip  a trip in recyclable packaging instead of a single-use carton (per trip)
 * no_repack        an e-commerce parcel shipped in its original packaging: one carton and its tape not used (per parcel)
 * narrow_tape      a box sealed with tape ≤45 mm instead of 60 mm (per box)
 * e_waybill        an e-waybill instead of a multi-part paper waybill (per parcel)
 */
export const AVOIDED_KINDS = [
  'carton_reused',
  'recyclable_trip',
  'no_repack',
  'narrow_tape',
  'e_waybill',
] as const
export type AvoidedKind = (typeof AVOIDED_KINDS)[number]

export interface AvoidedInput {
  kind: AvoidedKind
  count: Decimal
  year: number
  /**
   * recyclable_trip only: mass of the single-use carton the trip replaces,
   * when the catalog knows it; the avoided figure is then mass × virgin
   * corrugated factor instead of the average-carton reference.
   */
  replacedCartonMassKg?: Decimal | null
}

const AVOIDED_KEYS = Object.fromEntries(
  AVOIDED_KINDS.map((kind) => [
    kind,
    { quantity: `avoided:${kind}`, boundary: 'avoided', per: 'item' } satisfies FactorKey,
  ]),
) as Record<AvoidedKind, FactorKey>

const CORRUGATED_VIRGIN_KEY: FactorKey = {
  quantity: 'material:corrugated_virgin',
  boundary: 'cradle_to_gate',
  per: 'kg',
}

/** avoided = count × reference factor (or count × replaced carton mass × corrugated factor) */
export function avoidedEmissions(set: FactorSet, input: AvoidedInput): AvoidedOutcome<AvoidedInput> {
  if (isNegative(input.count)) return negativeInput('count')
  const mass = input.kind === 'recyclable_trip' ? input.replacedCartonMassKg : null
  if (isNegative(mass)) return negativeInput('replacedCartonMassKg')
  const byMass = mass !== null && mass !== undefined

  const hit = lookupFactor(set, byMass ? CORRUGATED_VIRGIN_KEY : AVOIDED_KEYS[input.kind], {
    regionCode: null,
    year: input.year,
  })
  if (!hit.ok) return { ok: false, error: hit.error }
  const perItem = byMass ? mass.times(hit.factor.value) : hit.factor.value
  return {
    ok: true,
    avoidedCo2eKg: input.count.times(perItem),
    method: byMass ? 'avoided_mass' : 'avoided_reference',
    inputs: input,
    factorIds: [hit.factor.id],
    factorSetVersion: set.version,
    dataQuality: hit.factor.dataQuality,
    fallbacks: fallbacksOf(hit),
  }
}
