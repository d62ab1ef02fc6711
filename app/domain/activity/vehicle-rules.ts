import Decimal from 'decimal.js'
import type { ActivityContext, VehicleMeasure } from './context.ts'
import type { Report } from './definitions.ts'
import type { Energy, VehicleClass } from './enums.ts'

/** Which fuel field an energy's fuel is recorded in; null: it burns no fuel. */
export const fuelFieldOf: Readonly<Record<Energy, 'fuelLitres' | 'fuelKg' | null>> = {
  BEV: null,
  PHEV: 'fuelLitres',
  FCEV: 'fuelKg',
  diesel: 'fuelLitres',
  gasoline: 'fuelLitres',
  CNG: 'fuelKg',
  LNG: 'fuelKg',
}

/** Energies that may draw electricity from a charger (a plug-in fuel-cell truck does). */
export const chargeable: ReadonlySet<Energy> = new Set<Energy>(['BEV', 'PHEV', 'FCEV'])

/** The measures a vehicle of this energy is checked on, each with the field it is computed from. */
export function measuresOf(energy: Energy): readonly { measure: VehicleMeasure; field: 'electricityKwh' | 'fuelLitres' | 'fuelKg' }[] {
  const list: { measure: VehicleMeasure; field: 'electricityKwh' | 'fuelLitres' | 'fuelKg' }[] = []
  if (chargeable.has(energy)) list.push({ measure: 'kwh_per_km', field: 'electricityKwh' })
  const fuel = fuelFieldOf[energy]
  if (fuel === 'fuelLitres') list.push({ measure: 'l_per_100km', field: fuel })
  if (fuel === 'fuelKg') list.push({ measure: 'kg_per_100km', field: fuel })
  return list
}

/** The vehicle classes an energy is possible for: electric tricycles are battery electric. */
export function classAllowsEnergy(vehicleClass: VehicleClass, energy: Energy): boolean {
  return vehicleClass !== 'electric_tricycle' || energy === 'BEV'
}

const noEmissionStandard: ReadonlySet<Energy> = new Set<Energy>(['BEV', 'FCEV'])

export function checkVehicle(record: Readonly<Record<string, unknown>>, _ctx: ActivityContext, report: Report): void {
  const vehicleClass = record.vehicleClass as VehicleClass
  const energy = record.energy as Energy
  if (!classAllowsEnergy(vehicleClass, energy)) {
    report('energy', 'tricycle_must_be_electric', 'activity.error.tricycleMustBeElectric', { field: 'energy' })
  }
  if (noEmissionStandard.has(energy) && record.emissionStandard !== 'none') {
    report('emissionStandard', 'electric_has_no_emission_standard', 'activity.error.electricHasNoEmissionStandard', {
      field: 'emissionStandard',
      energy,
    })
  }
}

function isPositive(value: unknown): value is Decimal {
  return value instanceof Decimal && value.gt(0)
}

/**
 * Monthly use against the register and the plausibility ranges. Without the
 * vehicle lookup (in a browser) only what the row itself shows is checked.
 */
export function checkVehicleUse(record: Readonly<Record<string, unknown>>, ctx: ActivityContext, report: Report): void {
  const fuelLitres = record.fuelLitres as Decimal | null
  const fuelKg = record.fuelKg as Decimal | null
  if (isPositive(fuelLitres) && isPositive(fuelKg)) {
    report('fuelLitres', 'fuel_both_units', 'activity.error.fuelBothUnits', { fuelLitres: 'fuelLitres', fuelKg: 'fuelKg' })
    return
  }

  const distanceKm = record.distanceKm as Decimal
  const energyFields = ['electricityKwh', 'fuelLitres', 'fuelKg'] as const
  if (distanceKm.isZero()) {
    const used = energyFields.find((field) => isPositive(record[field]))
    if (used) {
      report(used, 'energy_without_distance', 'activity.error.energyWithoutDistance', { field: used, distance: 'distanceKm' })
    }
    return
  }

  const profile = ctx.lookups?.vehicle?.(record.plate as string)
  if (profile === undefined || typeof profile === 'string') return // unknown/out of scope: reported by the plate's lookup

  const month = record.month as string
  const fromMonth = profile.inServiceFrom?.slice(0, 7)
  const toMonth = profile.inServiceTo?.slice(0, 7)
  if ((fromMonth !== undefined && month < fromMonth) || (toMonth !== undefined && month > toMonth)) {
    report('month', 'outside_service_period', 'activity.error.outsideServicePeriod', {
      month,
      from: profile.inServiceFrom ?? '—',
      to: profile.inServiceTo ?? '—',
    })
    return
  }

  const { energy, vehicleClass } = profile
  const fuelField = fuelFieldOf[energy]
  for (const field of ['fuelLitres', 'fuelKg'] as const) {
    if (!isPositive(record[field]) || field === fuelField) continue
    if (fuelField === null) report(field, 'fuel_for_electric', 'activity.error.fuelForElectric', { field })
    else report(field, 'fuel_unit_mismatch', 'activity.error.fuelUnitMismatch', { field, expected: fuelField, energy })
    return
  }
  if (isPositive(record.electricityKwh) && !chargeable.has(energy)) {
    report('electricityKwh', 'electricity_for_fuel_vehicle', 'activity.error.electricityForFuelVehicle', {
      field: 'electricityKwh',
      energy,
    })
    return
  }

  const ranges = ctx.vehicleRanges
  if (!ranges) return
  for (const { measure, field } of measuresOf(energy)) {
    const amount = record[field]
    if (!(amount instanceof Decimal)) continue
    const range = ranges.find(vehicleClass, energy, measure)
    if (!range) {
      report(field, 'no_vehicle_range', 'activity.error.noVehicleRange', { field, vehicleClass, energy })
      continue
    }
    const perDistance = amount.div(distanceKm)
    const value = measure === 'kwh_per_km' ? perDistance : perDistance.times(100)
    if (value.lt(range.min) || value.gt(range.max)) {
      report(field, 'outside_vehicle_range', 'activity.error.outsideVehicleRange', {
        field,
        value: value.toDecimalPlaces(measure === 'kwh_per_km' ? 3 : 1, Decimal.ROUND_HALF_UP).toString(),
        min: range.min.toString(),
        max: range.max.toString(),
        unit: measure,
        vehicleClass,
        energy,
      })
    }
  }
}
