import Decimal from 'decimal.js'
import { beforeAll, describe, expect, it } from 'vitest'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { avoidedEmissions } from '#app/domain/emissions/avoided.ts'
import { facilityEmissions } from '#app/domain/emissions/facility.ts'
import { fleetEmissions, type FleetInput } from '#app/domain/emissions/fleet.ts'
import { packagingEmissions } from '#app/domain/emissions/packaging.ts'
import { publishedSet } from './set.ts'

const d = (v: string | number) => new Decimal(v)

let set: FactorSet
beforeAll(async () => {
  set = await publishedSet()
})

function ok<T extends { ok: boolean }>(outcome: T): Extract<T, { ok: true }> {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome)}`)
  return outcome as Extract<T, { ok: true }>
}

describe('facility electricity', () => {
  it('1000 kWh in Yunnan in 2022 is 107.3 kgCO2 at the provincial factor', () => {
    // 1000 kWh × 0.1073 kgCO2/kWh = 107.3 kg
    const r = ok(facilityEmissions(set, { regionCode: '530100', year: 2022, electricityKwh: d(1000) }))
    expect(r.co2eKg.toFixed()).toBe('107.3')
    expect(r.method).toBe('electricity')
    expect(r.factorIds).toEqual(['grid.province.530000.2022'])
    expect(r.factorSetVersion).toBe('2026.1')
    expect(r.dataQuality).toBe(1)
    expect(r.fallbacks).toEqual([])
  })

  it('1000 kWh in Henan in 2022 falls back to the Central China grid (539.5 kg) and says so', () => {
    // Henan has no provincial factor in the set: 1000 kWh × 0.5395 (华中 2022) = 539.5 kg
    const r = ok(facilityEmissions(set, { regionCode: '410000', year: 2022, electricityKwh: d(1000) }))
    expect(r.co2eKg.toFixed()).toBe('539.5')
    expect(r.factorIds).toEqual(['grid.central.2022'])
    expect(r.fallbacks).toEqual([
      {
        factorId: 'grid.central.2022',
        quantity: 'electricity:grid',
        requested: { regionCode: '410000', year: 2022 },
        used: { region: 'grid:central', level: 'grid', year: 2022 },
        kinds: ['region'],
      },
    ])
  })

  it('Hohhot uses the Inner Mongolia provincial factor; a 2024 record says which year it used', () => {
    // 250 kWh × 0.6849 = 171.225 kg; no 2024 factor exists, so 2022 is used and recorded
    const r = ok(facilityEmissions(set, { regionCode: '150100', year: 2024, electricityKwh: d(250) }))
    expect(r.co2eKg.toFixed()).toBe('171.225')
    expect(r.fallbacks[0]).toMatchObject({ kinds: ['year'], requested: { year: 2024 }, used: { year: 2022 } })
  })

  it('refuses a negative reading', () => {
    const r = facilityEmissions(set, { regionCode: '530100', year: 2022, electricityKwh: d(-1) })
    expect(r).toEqual({ ok: false, error: { key: 'emissions.error.negativeInput', params: { field: 'electricityKwh' } } })
  })
})

describe('packaging', () => {
  it('the 2019 Greenpeace average box parcel gives the sum of mass × factor to the gram', () => {
    // 304 g corrugated × 1.200 = 0.3648 kg
    // 16.8 g PE film filler × 2.917 = 0.0490056 kg
    // 2.7 g tape × 2.578 = 0.0069606 kg
    // 4.5 g waybill paper × 1.345 = 0.0060525 kg
    // sum = 0.4268187 kgCO2e ≈ 427 g
    const items = [
      { material: 'corrugated_virgin', unitMassKg: d('0.304') },
      { material: 'pe_film', unitMassKg: d('0.0168') },
      { material: 'pp_tape', unitMassKg: d('0.0027') },
      { material: 'paper', unitMassKg: d('0.0045') },
    ]
    const results = items.map((i) => ok(packagingEmissions(set, { ...i, count: d(1), year: 2019 })))
    expect(results.map((r) => r.co2eKg.toFixed())).toEqual(['0.3648', '0.0490056', '0.0069606', '0.0060525'])
    const total = results.reduce((s, r) => s.plus(r.co2eKg), d(0))
    expect(total.toFixed()).toBe('0.4268187')
    expect(total.times(1000).toDecimalPlaces(0).toFixed()).toBe('427')
    expect(results.every((r) => r.method === 'mass' && r.fallbacks.length === 0)).toBe(true)
    expect(results[2]!.dataQuality).toBe(3) // PP used as a proxy for BOPP tape
  })

  it('multiplies by the number of items', () => {
    // 2,000 mailer bags × 0.025 kg × 2.917 = 145.85 kg
    const r = ok(packagingEmissions(set, { material: 'pe_film', count: d(2000), unitMassKg: d('0.025'), year: 2023 }))
    expect(r.co2eKg.toFixed()).toBe('145.85')
    expect(r.factorIds).toEqual(['material.pe_film'])
  })

  it('spreads a reusable box over its design life of 50 uses', () => {
    // 1.2 kg PP box × 2.578 = 3.0936 kg to make; ÷ 50 uses = 0.061872 kg per use; 100 uses = 6.1872 kg
    const r = ok(
      packagingEmissions(set, {
        material: 'pp_recyclable_box',
        count: d(100),
        unitMassKg: d('1.2'),
        designLifeUses: d(50),
        year: 2023,
      }),
    )
    expect(r.co2eKg.toFixed()).toBe('6.1872')
    expect(r.method).toBe('mass_reusable')
  })

  it('refuses a zero design life and a material the set does not know', () => {
    expect(
      packagingEmissions(set, { material: 'pp_recyclable_box', count: d(1), unitMassKg: d(1), designLifeUses: d(0), year: 2023 }),
    ).toEqual({ ok: false, error: { key: 'emissions.error.badDesignLife' } })
    const pbat = packagingEmissions(set, { material: 'pbat', count: d(1), unitMassKg: d('0.02'), year: 2023 })
    expect(pbat.ok || pbat.error.key).toBe('emissions.error.noFactor')
  })
})

describe('fleet', () => {
  const van: FleetInput = { vehicleClass: 'light_van', energy: 'diesel', regionCode: '410100', year: 2023 }

  it('diesel 100 L: tank-to-wheel and well-to-tank apart', () => {
    // TTW 100 L × 2.676492 = 267.6492 kgCO2; WTT 100 L × 0.611 = 61.1 kgCO2e; total 328.7492
    const r = ok(fleetEmissions(set, { ...van, fuelAmount: d(100), fuelUnit: 'L', distanceKm: d(900) }))
    expect(r.method).toBe('fuel')
    expect(r.ttwKg?.toFixed()).toBe('267.6492')
    expect(r.wttKg?.toFixed()).toBe('61.1')
    expect(r.co2eKg.toFixed()).toBe('328.7492')
    expect(r.factorIds).toEqual(['fuel.diesel.ttw.l', 'fuel.diesel.wtt.l'])
    expect(r.dataQuality).toBe(3) // the UK WTT proxy is tier 3
    expect(r.fallbacks).toEqual([]) // fuel factors exist only nationally: no fallback
    expect(r.omissions).toEqual([])
  })

  it('diesel by mass uses the per-kg factors', () => {
    // 50 kg × 3.1863 = 159.315; 50 kg × 0.7274 = 36.37; total 195.685
    const r = ok(fleetEmissions(set, { ...van, fuelAmount: d(50), fuelUnit: 'kg' }))
    expect([r.ttwKg?.toFixed(), r.wttKg?.toFixed(), r.co2eKg.toFixed()]).toEqual(['159.315', '36.37', '195.685'])
  })

  it('LNG has no well-to-tank factor in the set: the part is left out and the result says so', () => {
    // 100 kg × 2.6928 = 269.28 kgCO2 (TTW only)
    const r = ok(fleetEmissions(set, { vehicleClass: 'heavy_truck', energy: 'lng', regionCode: '330600', year: 2023, fuelAmount: d(100), fuelUnit: 'kg' }))
    expect(r.co2eKg.toFixed()).toBe('269.28')
    expect(r.wttKg).toBeUndefined()
    expect(r.omissions).toEqual([
      { part: 'wtt', quantity: 'fuel:lng', message: { key: 'emissions.omission.wtt', params: { quantity: 'fuel:lng' } } },
    ])
  })

  it('an electric van uses the grid factor of its province for that year', () => {
    // 500 kWh × 0.1073 (Yunnan 2022) = 53.65 kgCO2
    const r = ok(fleetEmissions(set, { vehicleClass: 'light_van', energy: 'bev', regionCode: '530400', year: 2022, electricityKwh: d(500), distanceKm: d(2500) }))
    expect(r.method).toBe('electricity')
    expect(r.co2eKg.toFixed()).toBe('53.65')
    expect(r.factorIds).toEqual(['grid.province.530000.2022'])
    expect(r.ttwKg).toBeUndefined()
  })

  it('a plug-in hybrid with fuel and electricity gets both, electricity in Henan falling back to Central', () => {
    // gasoline 50 L × 2.2717926 = 113.58963 (no gasoline WTT in the set); 100 kWh × 0.5395 = 53.95; total 167.53963
    const r = ok(fleetEmissions(set, { vehicleClass: 'light_van', energy: 'phev', regionCode: '410600', year: 2022, fuelAmount: d(50), fuelUnit: 'L', electricityKwh: d(100) }))
    expect(r.method).toBe('fuel_and_electricity')
    expect([r.ttwKg?.toFixed(), r.electricityKg?.toFixed(), r.co2eKg.toFixed()]).toEqual(['113.58963', '53.95', '167.53963'])
    expect(r.factorIds).toEqual(['fuel.gasoline.ttw.l', 'grid.central.2022'])
    expect(r.fallbacks.map((f) => f.kinds)).toEqual([['region']])
    expect(r.omissions.map((o) => o.quantity)).toEqual(['fuel:gasoline'])
  })

  it('a van with only distance gets distance_default', () => {
    // 1,000 km × 0.25023 kgCO2e/vkm = 250.23 kg
    const r = ok(fleetEmissions(set, { ...van, distanceKm: d(1000) }))
    expect(r.method).toBe('distance_default')
    expect(r.co2eKg.toFixed()).toBe('250.23')
    expect(r.ttwKg?.toFixed()).toBe('250.23')
    expect(r.factorIds).toEqual(['intensity.light_van.diesel.vkm'])
    expect(r.dataQuality).toBe(3)
  })

  it('prefers tonne-km when recorded', () => {
    // 400 tkm × 0.6670 (BEV van, rescaled to the Chinese grid) = 266.8 kg
    const r = ok(fleetEmissions(set, { vehicleClass: 'light_van', energy: 'bev', regionCode: '410100', year: 2023, distanceKm: d(1000), tonneKm: d(400) }))
    expect(r.co2eKg.toFixed()).toBe('266.8')
    expect(r.factorIds).toEqual(['intensity.light_van.bev.tkm'])
  })

  it('a zero fuel reading counts as fuel, not as missing', () => {
    const r = ok(fleetEmissions(set, { ...van, fuelAmount: d(0), fuelUnit: 'L', distanceKm: d(1000) }))
    expect([r.method, r.co2eKg.toFixed()]).toEqual(['fuel', '0'])
  })

  it('explains what to enter when nothing can be computed', () => {
    expect(fleetEmissions(set, van)).toEqual({ ok: false, error: { key: 'emissions.error.noActivity' } })
    const tricycle = fleetEmissions(set, { vehicleClass: 'electric_tricycle', energy: 'bev', regionCode: '410100', year: 2023, distanceKm: d(300) })
    expect(tricycle).toEqual({
      ok: false,
      error: { key: 'emissions.error.noDefaultIntensity', params: { vehicleClass: 'electric_tricycle', energy: 'bev' } },
    })
    const bevFuel = fleetEmissions(set, { vehicleClass: 'light_van', energy: 'bev', regionCode: '410100', year: 2023, fuelAmount: d(10), fuelUnit: 'L' })
    expect(bevFuel.ok || bevFuel.error.key).toBe('emissions.error.fuelUnitMismatch')
  })
})

describe('avoided emissions', () => {
  it('are returned apart from emissions, under their own field', () => {
    // 1,000 cartons reused × 0.037 = 37 kgCO2e avoided
    const r = ok(avoidedEmissions(set, { kind: 'carton_reused', count: d(1000), year: 2023 }))
    expect(r.avoidedCo2eKg.toFixed()).toBe('37')
    expect('co2eKg' in r).toBe(false)
    expect(r.method).toBe('avoided_reference')
    expect(r.factorIds).toEqual(['avoided.carton_reused'])
  })

  it('computes each reference by count', () => {
    const a = (kind: Parameters<typeof avoidedEmissions>[1]['kind'], count: number) =>
      ok(avoidedEmissions(set, { kind, count: d(count), year: 2023 })).avoidedCo2eKg.toFixed()
    expect(a('no_repack', 100)).toBe('37.17606') // 100 × 0.3717606
    expect(a('recyclable_trip', 10)).toBe('3.648') // 10 × 0.3648
    expect(a('narrow_tape', 1000)).toBe('1.74015') // 1,000 × 0.00174015
    expect(a('e_waybill', 1_000_000)).toBe('4842') // 1,000,000 × 0.004842
  })

  it('uses the replaced carton mass for a recyclable trip when it is known', () => {
    // 10 trips × 0.5 kg carton × 1.200 = 6 kg
    const r = ok(avoidedEmissions(set, { kind: 'recyclable_trip', count: d(10), year: 2023, replacedCartonMassKg: d('0.5') }))
    expect([r.avoidedCo2eKg.toFixed(), r.method, r.factorIds]).toEqual(['6', 'avoided_mass', ['material.corrugated_virgin']])
  })
})
