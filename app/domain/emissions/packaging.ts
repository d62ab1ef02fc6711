import type Decimal from 'decimal.js'
import { lookupFactor, type FactorSet } from '#app/domain/factors/factor-set.ts'
import type { FactorKey } from '#app/domain/factors/types.ts'
import { fallbacksOf, isNegative, negativeInput, NO_OMISSIONS } from './provenance.ts'
import type { EmissionOutcome } from './types.ts'

export interface PackagingInput {
  /** Material code of the catalog item, e.g. 'corrugated_virgin'; its factor is quantity 'material:<code>'. */
  material: string
  /** Items used (single-use), or uses/trips in the period (reusable). */
  count: Decimal
  unitMassKg: Decimal
  /** Set for a reusable item: its production emissions are spread over this many uses. */
  designLifeUses?: Decimal | null
  year: number
}

const materialKeys = new Map<string, FactorKey>()
function materialKey(material: string): FactorKey {
  let key = materialKeys.get(material)
  if (!key) {
    key = { quantity: `material:${material}`, boundary: 'cradle_to_gate', per: 'kg' }
    materialKeys.set(material, key)
  }
  return key
}

/**
 * single-use: count × unit mass × material factor
 * reusable:   count (uses) × unit mass × material factor ÷ design life (uses)
 */
export function packagingEmissions(
  set: FactorSet,
  input: PackagingInput,
): EmissionOutcome<PackagingInput> {
  if (isNegative(input.count)) return negativeInput('count')
  if (isNegative(input.unitMassKg)) return negativeInput('unitMassKg')
  const life = input.designLifeUses
  const reusable = life !== null && life !== undefined
  if (reusable && !life.greaterThan(0)) {
    return { ok: false, error: { key: 'emissions.error.badDesignLife' } }
  }

  const hit = lookupFactor(set, materialKey(input.material), { regionCode: null, year: input.year })
  if (!hit.ok) return { ok: false, error: hit.error }

  let co2eKg = input.count.times(input.unitMassKg).times(hit.factor.value)
  if (reusable) co2eKg = co2eKg.dividedBy(life)
  return {
    ok: true,
    co2eKg,
    method: reusable ? 'mass_reusable' : 'mass',
    inputs: input,
    factorIds: [hit.factor.id],
    factorSetVersion: set.version,
    dataQuality: hit.factor.dataQuality,
    fallbacks: fallbacksOf(hit),
    omissions: NO_OMISSIONS,
  }
}
