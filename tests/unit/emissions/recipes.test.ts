import { beforeAll, describe, expect, it } from 'vitest'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { buildRecipe, recipeSlots, templateOf } from '#app/domain/emissions/recipes.ts'
import { publishedSet } from './set.ts'

let set: FactorSet
beforeAll(async () => {
  set = await publishedSet()
})

describe('recipes read off the engine', () => {
  it('facility electricity in Henan 2022: kWh × the Central grid factor, the fallback recorded once for the group', () => {
    const recipe = buildRecipe(set, templateOf('facility_electricity', { regionCode: '410105', year: 2022 }), recipeSlots.facility_electricity)
    expect(recipe).toMatchObject({
      kind: 'linear',
      category: 'facility',
      method: 'electricity',
      coefficients: { co2eKg: ['0.5395'], avoidedCo2eKg: ['0'], ttwKg: null, wttKg: null, electricityKg: null },
      provenance: { gaps: [0] },
    })
    if (recipe.kind !== 'linear') return
    // the stored provenance of a record of 1234.5 kWh: the group's text with the quantity in its gap
    expect(JSON.parse(recipe.provenance.segments.join('1234.5'))).toEqual({
      inputs: { regionCode: '410105', year: 2022, electricityKwh: '1234.5' },
      factorIds: ['grid.central.2022'],
      fallbacks: [{ factorId: 'grid.central.2022', kinds: ['region'], level: 'grid', year: 2022 }],
    })
  })

  it('a PHEV with fuel and electricity: litres × (TTW, no WTT for gasoline) plus kWh × grid, parts apart', () => {
    const template = templateOf('vehicle_use', { vehicleClass: 'light_van', energy: 'PHEV', regionCode: '530102', year: 2022, fuelUnit: 'L', electricity: true })
    // 2.2717926 L⁻¹ (7 decimals) × litres (3 decimals) needs 10 decimals: only 10 digits are left for the
    // integer part, so the most a column can hold (9 digits) is too much, and a group's real maximum is not
    expect(buildRecipe(set, template, recipeSlots.vehicle_use)).toMatchObject({ kind: 'engine' })
    const recipe = buildRecipe(set, template, recipeSlots.vehicle_use, ['120.5', null, '88.125', '1500'])
    // slots: litres, kilograms, kWh, km
    expect(recipe).toMatchObject({
      kind: 'linear',
      method: 'fuel_and_electricity',
      coefficients: {
        co2eKg: ['2.2717926', null, '0.1073', '0'],
        ttwKg: ['2.2717926', null, '0', '0'],
        wttKg: null,
        electricityKg: ['0', null, '0.1073', '0'],
      },
    })
  })

  it('shipment statistics with all three counts: a JSON number per kind under counts', () => {
    const recipe = buildRecipe(set, templateOf('shipment_stats', { year: 2025, narrowTape: true, original: true }), recipeSlots.shipment_stats)
    expect(recipe).toMatchObject({
      kind: 'linear',
      category: 'avoided',
      coefficients: { co2eKg: ['0', '0', '0'], avoidedCo2eKg: ['0.004842', '0.00174015', '0.3717606'] },
    })
    if (recipe.kind !== 'linear') return
    const [head, afterFirst, afterSecond, tail] = recipe.provenance.segments
    const values = ['120', '45', '30']
    const text = `${head}${values[recipe.provenance.gaps[0]!]}${afterFirst}${values[recipe.provenance.gaps[1]!]}${afterSecond}${values[recipe.provenance.gaps[2]!]}${tail}`
    expect(JSON.parse(text)).toEqual({
      inputs: { year: 2025, counts: { e_waybill: 120, narrow_tape: 45, no_repack: 30 } },
      factorIds: ['avoided.e_waybill', 'avoided.narrow_tape', 'avoided.no_repack'],
    })
  })

  it('a reusable item: mass × factor ÷ design life when it divides exactly (0.65 × 2.578 ÷ 50 = 0.033514)', () => {
    const parts = { code: 'pp_box_432', material: 'material:pp_recyclable_box', unitMassKg: '0.650000', designLifeUses: 50, year: 2025 }
    expect(buildRecipe(set, templateOf('packaging_consumption', parts), recipeSlots.packaging_consumption)).toMatchObject({
      kind: 'linear',
      method: 'mass_reusable',
      coefficients: { co2eKg: ['0.033514'] },
    })
  })

  it('a design life that does not divide evenly is left to the engine, record by record', () => {
    const parts = { code: 'thirds', material: 'material:pp_recyclable_box', unitMassKg: '0.1', designLifeUses: 3, year: 2025 }
    expect(buildRecipe(set, templateOf('packaging_consumption', parts), recipeSlots.packaging_consumption)).toMatchObject({ kind: 'engine' })
  })

  it('a group the engine refuses carries its message', () => {
    const parts = { vehicleClass: 'electric_tricycle', energy: 'diesel', regionCode: '530102', year: 2022, fuelUnit: null, electricity: false }
    expect(buildRecipe(set, templateOf('vehicle_use', parts), recipeSlots.vehicle_use)).toEqual({
      kind: 'refused',
      error: { key: 'emissions.error.noDefaultIntensity', params: { vehicleClass: 'electric_tricycle', energy: 'diesel' } },
    })
  })
})
