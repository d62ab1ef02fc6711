import type Decimal from 'decimal.js'
import {
  hasFactorSeries,
  lookupFactor,
  type FactorLookupHit,
  type FactorSet,
} from '#app/domain/factors/factor-set.ts'
import type { DataQualityTier, FactorKey } from '#app/domain/factors/types.ts'
import type { Message } from '#app/i18n/index.ts'
import { electricityEmissions } from './facility.ts'
import {
  fallbacksOf,
  isNegative,
  negativeInput,
  NO_OMISSIONS,
  worstTier,
} from './provenance.ts'
import type { EmissionOutcome, Omission } from './types.ts'

export const VEHICLE_CLASSES = ['electric_tricycle', 'light_van', 'light_truck', 'heavy_truck'] as const
export type VehicleClass = (typeof VEHICLE_CLASSES)[number]

export const VEHICLE_ENERGIES = ['bev', 'phev', 'fcev', 'diesel', 'gasoline', 'cng', 'lng'] as const
export type VehicleEnergy = (typeof VEHICLE_ENERGIES)[number]

export const FUEL_TYPES = ['diesel', 'gasoline', 'cng', 'lng', 'hydrogen'] as const
export type FuelType = (typeof FUEL_TYPES)[number]

export const FUEL_UNITS = ['L', 'kg', 'm3'] as const
export type FuelUnit = (typeof FUEL_UNITS)[number]

/** The fuel a vehicle burns when the record does not say: a PHEV is taken to burn gasoline, an FCEV hydrogen. */
const DEFAULT_FUEL: Record<VehicleEnergy, FuelType | null> = {
  bev: null,
  phev: 'gasoline',
  fcev: 'hydrogen',
  diesel: 'diesel',
  gasoline: 'gasoline',
  cng: 'cng',
  lng: 'lng',
}

export interface FleetInput {
  vehicleClass: VehicleClass
  energy: VehicleEnergy
  /** GB/T 2260 code of the vehicle's base (province, city or district): picks the grid factor. */
  regionCode: string
  year: number
  /** Fuel used in the period; null/undefined = not recorded (zero is a recorded zero). */
  fuelAmount?: Decimal | null
  fuelUnit?: FuelUnit | null
  /** Defaults from `energy`. */
  fuelType?: FuelType | null
  electricityKwh?: Decimal | null
  distanceKm?: Decimal | null
  /** Tonne-km, where the record has them; preferred over distance for the default intensity. */
  tonneKm?: Decimal | null
}

function key(quantity: string, boundary: FactorKey['boundary'], per: FactorKey['per']): FactorKey {
  return { quantity, boundary, per }
}

// Keys are built once so that a per-record call does not concatenate strings.
const FUEL_KEYS = Object.fromEntries(
  FUEL_TYPES.map((fuel) => [
    fuel,
    Object.fromEntries(
      FUEL_UNITS.map((unit) => [
        unit,
        { ttw: key(`fuel:${fuel}`, 'ttw', unit), wtt: key(`fuel:${fuel}`, 'wtt', unit) },
      ]),
    ),
  ]),
) as Record<FuelType, Record<FuelUnit, { ttw: FactorKey; wtt: FactorKey }>>

const INTENSITY_BOUNDARY: Record<VehicleEnergy, FactorKey['boundary']> = {
  bev: 'generation',
  phev: 'ttw',
  fcev: 'ttw',
  diesel: 'ttw',
  gasoline: 'ttw',
  cng: 'ttw',
  lng: 'ttw',
}

const INTENSITY_KEYS = Object.fromEntries(
  VEHICLE_CLASSES.map((vehicleClass) => [
    vehicleClass,
    Object.fromEntries(
      VEHICLE_ENERGIES.map((energy) => {
        const quantity = `intensity:${vehicleClass}:${energy}`
        const boundary = INTENSITY_BOUNDARY[energy]
        return [energy, { vkm: key(quantity, boundary, 'vkm'), tkm: key(quantity, boundary, 'tkm') }]
      }),
    ),
  ]),
) as Record<VehicleClass, Record<VehicleEnergy, { vkm: FactorKey; tkm: FactorKey }>>

const present = (v: Decimal | null | undefined): v is Decimal => v !== null && v !== undefined

/**
 * Fuel-based first (ISO 14083 / GLEC): fuel × (TTW + WTT), parts reported apart.
 * Electricity: kWh × grid factor of the vehicle's province for the year.
 * A vehicle with both (PHEV) gets both, summed.
 * Distance-based only when neither fuel nor electricity is recorded:
 * distance × default intensity for class and energy (tonne-km × intensity when
 * tonne-km are recorded), marked `distance_default`.
 */
export function fleetEmissions(set: FactorSet, input: FleetInput): EmissionOutcome<FleetInput> {
  if (isNegative(input.fuelAmount)) return negativeInput('fuelAmount')
  if (isNegative(input.electricityKwh)) return negativeInput('electricityKwh')
  if (isNegative(input.distanceKm)) return negativeInput('distanceKm')
  if (isNegative(input.tonneKm)) return negativeInput('tonneKm')

  const hasFuel = present(input.fuelAmount)
  const hasElectricity = present(input.electricityKwh)
  if (!hasFuel && !hasElectricity) return distanceDefault(set, input)

  let co2eKg: Decimal | undefined
  let ttwKg: Decimal | undefined
  let wttKg: Decimal | undefined
  let electricityKg: Decimal | undefined
  let ttwHit: FactorLookupHit | undefined
  let wttHit: FactorLookupHit | undefined
  let gridHit: FactorLookupHit | undefined
  let omissions: readonly Omission[] = NO_OMISSIONS
  const at = { regionCode: input.regionCode, year: input.year }

  if (hasFuel) {
    const fuel = input.fuelType ?? DEFAULT_FUEL[input.energy]
    const unit = input.fuelUnit
    if (fuel === null || unit === null || unit === undefined) {
      return fail({ key: 'emissions.error.fuelUnitMismatch', params: { energy: input.energy } })
    }
    const keys = FUEL_KEYS[fuel][unit]
    const ttw = lookupFactor(set, keys.ttw, at)
    if (!ttw.ok) return fail(ttw.error)
    ttwHit = ttw
    ttwKg = input.fuelAmount!.times(ttw.factor.value)
    if (hasFactorSeries(set, keys.wtt)) {
      const wtt = lookupFactor(set, keys.wtt, at)
      if (!wtt.ok) return fail(wtt.error)
      wttHit = wtt
      wttKg = input.fuelAmount!.times(wtt.factor.value)
    } else {
      omissions = [
        {
          part: 'wtt',
          quantity: keys.wtt.quantity,
          message: { key: 'emissions.omission.wtt', params: { quantity: keys.wtt.quantity } },
        },
      ]
    }
    co2eKg = wttKg ? ttwKg.plus(wttKg) : ttwKg
  }

  if (hasElectricity) {
    const grid = electricityEmissions(set, {
      regionCode: input.regionCode,
      year: input.year,
      electricityKwh: input.electricityKwh!,
    })
    if (!grid.ok) return fail(grid.error)
    gridHit = grid.hit
    electricityKg = grid.co2eKg
    co2eKg = co2eKg ? co2eKg.plus(electricityKg) : electricityKg
  }

  const hits = [ttwHit, wttHit, gridHit].filter((h): h is FactorLookupHit => h !== undefined)
  let dataQuality: DataQualityTier = 1
  for (const h of hits) dataQuality = worstTier(dataQuality, h.factor.dataQuality)
  return {
    ok: true,
    co2eKg: co2eKg as Decimal,
    ...(ttwKg ? { ttwKg } : {}),
    ...(wttKg ? { wttKg } : {}),
    ...(hasFuel && hasElectricity ? { electricityKg } : {}),
    method: hasFuel && hasElectricity ? 'fuel_and_electricity' : hasFuel ? 'fuel' : 'electricity',
    inputs: input,
    factorIds: hits.map((h) => h.factor.id),
    factorSetVersion: set.version,
    dataQuality,
    fallbacks: fallbacksOf(hits[0] as FactorLookupHit, hits[1], hits[2]),
    omissions,
  }
}

function distanceDefault(set: FactorSet, input: FleetInput): EmissionOutcome<FleetInput> {
  const keys = INTENSITY_KEYS[input.vehicleClass][input.energy]
  const at = { regionCode: input.regionCode, year: input.year }
  let activity: Decimal | undefined
  let factorKey: FactorKey | undefined
  if (present(input.tonneKm) && hasFactorSeries(set, keys.tkm)) {
    activity = input.tonneKm
    factorKey = keys.tkm
  } else if (present(input.distanceKm)) {
    activity = input.distanceKm
    factorKey = keys.vkm
  } else if (present(input.tonneKm)) {
    activity = input.tonneKm
    factorKey = keys.tkm
  } else {
    return fail({ key: 'emissions.error.noActivity' })
  }
  if (!hasFactorSeries(set, factorKey)) {
    return fail({
      key: 'emissions.error.noDefaultIntensity',
      params: { vehicleClass: input.vehicleClass, energy: input.energy },
    })
  }
  const hit = lookupFactor(set, factorKey, at)
  if (!hit.ok) return fail(hit.error)
  const co2eKg = activity.times(hit.factor.value)
  return {
    ok: true,
    co2eKg,
    ...(hit.factor.boundary === 'ttw' ? { ttwKg: co2eKg } : {}),
    method: 'distance_default',
    inputs: input,
    factorIds: [hit.factor.id],
    factorSetVersion: set.version,
    dataQuality: hit.factor.dataQuality,
    fallbacks: fallbacksOf(hit),
    omissions: NO_OMISSIONS,
  }
}

function fail(error: Message): { ok: false; error: Message } {
  return { ok: false, error }
}
