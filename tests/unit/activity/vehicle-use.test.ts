import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ActivityContext, VehicleProfile, VehiclePlausibility } from '#app/domain/activity/context.ts'
import { vehicleUse } from '#app/domain/activity/definitions.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'
import { validateValues } from '#app/domain/activity/validate.ts'
import { loadVehiclePlausibility } from '#app/domain/activity/vehicle-plausibility.ts'

const fileText = readFileSync('factors/vehicle-plausibility.csv', 'utf8')
const loaded = loadVehiclePlausibility(fileText, 'factors/vehicle-plausibility.csv')
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors))
const ranges: VehiclePlausibility = loaded.plausibility

const fleet: Record<string, VehicleProfile> = {
  豫A11111: { vehicleClass: 'light_van', energy: 'BEV', inServiceFrom: '2023-06-01', inServiceTo: null },
  豫A22222: { vehicleClass: 'light_truck', energy: 'diesel', inServiceFrom: null, inServiceTo: '2024-02-29' },
  豫A33333: { vehicleClass: 'heavy_truck', energy: 'LNG', inServiceFrom: null, inServiceTo: null },
  豫A44444: { vehicleClass: 'light_van', energy: 'PHEV', inServiceFrom: null, inServiceTo: null },
}

const ctx: ActivityContext = {
  today: '2024-03-31',
  vehicleRanges: ranges,
  lookups: { vehicle: (plate) => fleet[plate] ?? (plate === '京B99999' ? 'out_of_scope' : 'unknown') },
}

function codes(input: Record<string, string>, context = ctx) {
  const result = validateValues(vehicleUse, { month: '2024-02', dataQuality: 'measured', ...input }, context)
  return result.ok ? [] : result.issues.map((issue) => `${issue.field}:${issue.code}`)
}

describe('vehicle monthly use against its class range', () => {
  it('accepts a battery van at 440 kWh / 2000 km = 0.22 kWh/km (range 0.10–0.45)', () => {
    expect(codes({ plate: '豫A11111', distanceKm: '2000', electricityKwh: '440' })).toEqual([])
  })

  it('refuses a battery van at 44 kWh / 2000 km = 0.022 kWh/km, below 0.10, with the figures in the message', () => {
    const result = validateValues(vehicleUse, { plate: '豫A11111', month: '2024-02', distanceKm: '2000', electricityKwh: '44', dataQuality: 'measured' }, ctx)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues).toEqual([
        {
          field: 'electricityKwh',
          code: 'outside_vehicle_range',
          key: 'activity.error.outsideVehicleRange',
          params: { field: 'electricityKwh', value: '0.022', min: '0.1', max: '0.45', unit: 'kwh_per_km', vehicleClass: 'light_van', energy: 'BEV' },
        },
      ])
      expect(issueMessage(result.issues[0]!, 'zh-CN')).toBe(
        '“用电量（千瓦时）”折合 0.022 千瓦时/公里，超出轻型厢式车（3.5吨及以下）（纯电动）的合理范围 0.1–0.45 千瓦时/公里。请核对里程和能耗。',
      )
    }
  })

  it('accepts a diesel light truck at 301 L / 2150 km = 14.0 L/100 km (range 8–25) and refuses 3010 L = 140 L/100 km', () => {
    expect(codes({ plate: '豫A22222', distanceKm: '2150', fuelLitres: '301' })).toEqual([])
    expect(codes({ plate: '豫A22222', distanceKm: '2150', fuelLitres: '3010' })).toEqual(['fuelLitres:outside_vehicle_range'])
  })

  it('checks LNG in kg/100 km: 2800 kg / 10,000 km = 28 accepted, 280 kg = 2.8 refused (range 18–50)', () => {
    expect(codes({ plate: '豫A33333', distanceKm: '10,000', fuelKg: '2800' })).toEqual([])
    expect(codes({ plate: '豫A33333', distanceKm: '10000', fuelKg: '280' })).toEqual(['fuelKg:outside_vehicle_range'])
  })

  it('accepts a plug-in hybrid that ran all month on electricity (0 L is within 0–14 L/100 km)', () => {
    expect(codes({ plate: '豫A44444', distanceKm: '1500', fuelLitres: '0', electricityKwh: '330' })).toEqual([])
  })

  it('accepts distance only: fuel is then estimated from distance downstream', () => {
    expect(codes({ plate: '豫A22222', distanceKm: '2150' })).toEqual([])
  })
})

describe('vehicle monthly use against the register', () => {
  it('refuses a plate not in the register and a plate of another brand', () => {
    expect(codes({ plate: '豫A00000', distanceKm: '100' })).toEqual(['plate:unknown_vehicle'])
    expect(codes({ plate: '京B99999', distanceKm: '100' })).toEqual(['plate:vehicle_out_of_scope'])
  })

  it('refuses a month after the vehicle left service', () => {
    expect(codes({ plate: '豫A22222', month: '2024-03', distanceKm: '2150', fuelLitres: '301' })).toEqual(['month:outside_service_period'])
  })

  it('refuses fuel in the wrong unit for the energy', () => {
    expect(codes({ plate: '豫A22222', distanceKm: '2150', fuelKg: '250' })).toEqual(['fuelKg:fuel_unit_mismatch'])
  })

  it('refuses fuel for a battery vehicle and electricity for a diesel one', () => {
    expect(codes({ plate: '豫A11111', distanceKm: '2000', electricityKwh: '440', fuelLitres: '20' })).toEqual(['fuelLitres:fuel_for_electric'])
    expect(codes({ plate: '豫A22222', distanceKm: '2150', fuelLitres: '301', electricityKwh: '10' })).toEqual([
      'electricityKwh:electricity_for_fuel_vehicle',
    ])
  })

  it('refuses litres and kilograms together, and energy with zero distance, even without the register', () => {
    const browser: ActivityContext = { today: '2024-03-31' }
    expect(codes({ plate: '豫A22222', distanceKm: '2150', fuelLitres: '300', fuelKg: '10' }, browser)).toEqual(['fuelLitres:fuel_both_units'])
    expect(codes({ plate: '豫A22222', distanceKm: '0', fuelLitres: '30' }, browser)).toEqual(['fuelLitres:energy_without_distance'])
  })

  it('reports a missing range rather than skipping the check', () => {
    const partial: VehiclePlausibility = { ...ranges, find: () => undefined }
    expect(codes({ plate: '豫A11111', distanceKm: '2000', electricityKwh: '440' }, { ...ctx, vehicleRanges: partial })).toEqual([
      'electricityKwh:no_vehicle_range',
    ])
  })
})

describe('loadVehiclePlausibility', () => {
  const header = 'vehicle_class,energy,measure,min,max,typical,source,rationale,verified'

  it('loads the shipped file: 28 ranges covering every class, energy and measure', () => {
    expect(ranges.ranges).toHaveLength(28)
    const van = ranges.find('light_van', 'BEV', 'kwh_per_km')
    expect([van?.min.toFixed(), van?.max.toFixed()]).toEqual(['0.1', '0.45'])
    expect(ranges.ranges.every((range) => range.source !== '' && range.rationale !== '')).toBe(true)
  })

  it('names file, row and field of every bad row', () => {
    const text = [
      header,
      'light_van,BEV,kwh_per_km,0.5,0.1,,src,why,no', // min above max
      'light_van,BEV,kwh_per_m,0.1,0.4,,src,why,no', // unknown measure
      'light_van,diesel,l_per_100km,abc,16,,src,why,no', // bad number
      'light_van,diesel,l_per_100km,5,16,,,why,no', // no source
      'electric_tricycle,diesel,l_per_100km,1,3,,src,why,no', // impossible class/energy
    ].join('\n')
    const result = loadVehiclePlausibility(text, 'factors/test.csv')
    expect(result.ok).toBe(false)
    if (!result.ok) {
      const rowErrors = result.errors.filter((e) => e.row > 0).map((e) => `${e.file}:${e.row}:${e.field}:${e.key}`)
      expect(rowErrors).toEqual([
        'test.csv:2:min:activity.ranges.error.minAboveMax',
        'test.csv:3:measure:activity.ranges.error.invalidValue',
        'test.csv:4:min:activity.ranges.error.invalidValue',
        'test.csv:5:source:activity.ranges.error.sourceRequired',
        'test.csv:6:measure:activity.ranges.error.notApplicable',
      ])
      // Nothing valid was loaded, so every needed range is reported missing: 1 + 3 × 9 = 28.
      expect(result.errors.filter((e) => e.key === 'activity.ranges.error.missingRange')).toHaveLength(28)
    }
  })

  it('refuses a duplicate row and a missing column', () => {
    const line = 'light_van,BEV,kwh_per_km,0.1,0.4,,src,why,no'
    const duplicate = loadVehiclePlausibility([header, line, line].join('\n'), 'x.csv')
    expect(!duplicate.ok && duplicate.errors.find((e) => e.key === 'activity.ranges.error.duplicate')).toMatchObject({ row: 3, params: { firstRow: 2 } })
    const noSource = loadVehiclePlausibility('vehicle_class,energy,measure,min,max,typical,rationale,verified\n', 'x.csv')
    expect(!noSource.ok && noSource.errors).toEqual([
      { file: 'x.csv', row: 1, field: 'source', key: 'activity.ranges.error.missingColumn', params: { file: 'x.csv', column: 'source' } },
    ])
  })
})
