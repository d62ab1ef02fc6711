import { describe, expect, it } from 'vitest'
import { gridRegionOf, lookupFactor, type FactorSet } from '#app/domain/factors/factor-set.ts'
import { loadFactorSet } from '#app/domain/factors/load.ts'
import type { FactorKey } from '#app/domain/factors/types.ts'
import { FACTOR_ROWS, files } from './fixtures.ts'

const GRID: FactorKey = { quantity: 'electricity:grid', boundary: 'generation', per: 'kWh' }
const PE: FactorKey = { quantity: 'material:pe_film', boundary: 'cradle_to_gate', per: 'kg' }

function load(rows: string[] = FACTOR_ROWS): FactorSet {
  const result = loadFactorSet(files(rows))
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  return result.set
}

describe('lookupFactor', () => {
  const set = load([
    ...FACTOR_ROWS,
    'grid.central.2023,electricity:grid,generation,0.5271,kgCO2/kWh,grid:central,2023,2023,2026,2,1,MEE/NBS 2023,regional,annex,yes,,',
  ])

  it('uses the provincial factor when the province has one, with no fallback', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '530000', year: 2022 })
    expect(hit.ok && [hit.factor.id, hit.level, hit.fallback]).toEqual([
      'grid.province.530000.2022',
      'province',
      null,
    ])
  })

  it('accepts a city or district code and uses its province', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '530102', year: 2022 })
    expect(hit.ok && hit.factor.id).toBe('grid.province.530000.2022')
  })

  it('falls back from province to regional grid and says so', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '410100', year: 2022 })
    if (!hit.ok) throw new Error('expected a factor')
    expect(hit.factor.id).toBe('grid.central.2022')
    expect(hit.level).toBe('grid')
    expect(hit.fallback).toEqual({
      factorId: 'grid.central.2022',
      quantity: 'electricity:grid',
      requested: { regionCode: '410100', year: 2022 },
      used: { region: 'grid:central', level: 'grid', year: 2022 },
      kinds: ['region'],
    })
  })

  it('uses the nearest earlier year when the year has no factor, and records it', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '530000', year: 2024 })
    if (!hit.ok) throw new Error('expected a factor')
    expect(hit.factor.id).toBe('grid.province.530000.2022')
    expect(hit.fallback?.kinds).toEqual(['year'])
    expect(hit.fallback?.used.year).toBe(2022)
    // Henan 2025: grid level, nearest earlier year 2023
    const henan = lookupFactor(set, GRID, { regionCode: '410000', year: 2025 })
    expect(henan.ok && [henan.factor.id, henan.fallback?.kinds]).toEqual(['grid.central.2023', ['region', 'year']])
  })

  it('uses the nearest later year only when no earlier year exists', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '410000', year: 2019 })
    expect(hit.ok && [hit.factor.id, hit.fallback?.used.year]).toEqual(['grid.central.2022', 2022])
  })

  it('maps eastern Inner Mongolia cities to the Northeast grid and the rest to North', () => {
    expect(gridRegionOf(set, '150400')).toBe('northeast') // Chifeng
    expect(gridRegionOf(set, '150402')).toBe('northeast') // a district of Chifeng
    expect(gridRegionOf(set, '150100')).toBe('north') // Hohhot (蒙西)
  })

  it('falls back to national for a province on an unlisted grid', () => {
    // Inner Mongolia: no provincial factor, no North grid factor in this fixture → national
    const hit = lookupFactor(set, GRID, { regionCode: '150100', year: 2022 })
    expect(hit.ok && [hit.factor.id, hit.level, hit.fallback?.kinds]).toEqual([
      'grid.national.2022',
      'national',
      ['region'],
    ])
  })

  it('treats a factor that exists only nationally as no fallback, whatever the region', () => {
    const hit = lookupFactor(set, PE, { regionCode: '530000', year: 2023 })
    expect(hit.ok && [hit.factor.id, hit.level, hit.fallback]).toEqual(['material.pe_film', 'national', null])
  })

  it('reports an unknown region code and an unknown quantity as errors', () => {
    const region = lookupFactor(set, GRID, { regionCode: '990000', year: 2022 })
    expect(region.ok || region.error).toEqual({
      key: 'emissions.error.unknownRegion',
      params: { regionCode: '990000' },
    })
    const missing = lookupFactor(set, { ...PE, quantity: 'material:pbat' }, { regionCode: null, year: 2023 })
    expect(missing.ok || missing.error.key).toBe('emissions.error.noFactor')
  })

  it('returns the same object on a repeated lookup (memoized, no allocation)', () => {
    const a = lookupFactor(set, GRID, { regionCode: '410100', year: 2022 })
    const b = lookupFactor(set, GRID, { regionCode: '410100', year: 2022 })
    expect(b).toBe(a)
  })
})
