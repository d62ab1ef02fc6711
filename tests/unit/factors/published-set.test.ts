import Decimal from 'decimal.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkPublishedIntegrity } from '#app/domain/factors/content-hash.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { gridRegionOf } from '#app/domain/factors/factor-set.ts'
import { listFactorSetVersions, loadFactorSetFromDisk } from '../../../scripts/lib/factor-files.ts'

// The 31 province-level divisions of mainland China (GB/T 2260) and the grid
// each belongs to in the MEE/NBS announcements.
const EXPECTED_GRID: Record<string, string> = {
  '110000': 'north', '120000': 'north', '130000': 'north', '140000': 'north', '150000': 'north', '370000': 'north',
  '210000': 'northeast', '220000': 'northeast', '230000': 'northeast',
  '310000': 'east', '320000': 'east', '330000': 'east', '340000': 'east', '350000': 'east',
  '360000': 'central', '410000': 'central', '420000': 'central', '430000': 'central',
  '610000': 'northwest', '620000': 'northwest', '630000': 'northwest', '640000': 'northwest', '650000': 'northwest',
  '440000': 'south', '450000': 'south', '460000': 'south', '520000': 'south', '530000': 'south',
  '500000': 'southwest', '510000': 'southwest', '540000': 'southwest',
}

describe('every factor set on disk', () => {
  it('loads without errors, and a published one matches its recorded checksum', async () => {
    const versions = await listFactorSetVersions()
    expect(versions).toContain('2026.1')
    for (const version of versions) {
      const result = await loadFactorSetFromDisk(version)
      if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
      if (result.set.meta.status !== 'draft') {
        expect(result.set.meta.contentSha256, `${version} must record its checksum`).not.toBeNull()
        expect(checkPublishedIntegrity(result.set, result.set.meta.contentSha256!).ok).toBe(true)
      }
    }
  })
})

describe('set 2026.1', () => {
  let set: FactorSet
  beforeAll(async () => {
    const result = await loadFactorSetFromDisk('2026.1')
    if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
    set = result.set
  })

  it('is published', () => {
    expect(set.meta.status).toBe('published')
  })

  it('maps all 31 mainland provinces to the right regional grid, and 蒙东 cities to Northeast', () => {
    for (const [code, grid] of Object.entries(EXPECTED_GRID)) expect(gridRegionOf(set, code), code).toBe(grid)
    expect(set.gridRegions.filter((r) => r.code.endsWith('0000'))).toHaveLength(31)
    expect(gridRegionOf(set, '150100')).toBe('north') // Hohhot, 蒙西
    for (const city of ['150400', '150500', '150700', '152200']) expect(gridRegionOf(set, city)).toBe('northeast')
  })

  it('holds the spec reference values', () => {
    const v = (id: string) => set.byId.get(id)?.value.toFixed()
    expect([v('grid.national.2021'), v('grid.national.2022'), v('grid.national.2023')]).toEqual([
      '0.5568', '0.5366', '0.5306',
    ])
    const grids2022 = ['north', 'northeast', 'east', 'central', 'northwest', 'south', 'southwest'].map((g) =>
      v(`grid.${g}.2022`),
    )
    expect(grids2022).toEqual(['0.6776', '0.5564', '0.5617', '0.5395', '0.5857', '0.3869', '0.2268'])
    const grids2023 = ['north', 'northeast', 'east', 'central', 'northwest', 'south', 'southwest'].map((g) =>
      v(`grid.${g}.2023`),
    )
    expect(grids2023).toEqual(['0.6361', '0.5122', '0.55', '0.5271', '0.5543', '0.4042', '0.2472'])
    const provinces = ['150000', '530000', '130000', '140000', '120000', '340000', '350000', '450000', '630000', '510000']
    expect(provinces.map((p) => v(`grid.province.${p}.2022`))).toEqual([
      '0.6849', '0.1073', '0.7252', '0.7096', '0.7041', '0.6782', '0.4092', '0.4044', '0.1567', '0.1404',
    ])
    expect(v('material.corrugated_virgin')).toBe('1.2')
    expect(v('avoided.carton_reused')).toBe('0.037')
  })

  it('keeps its derived values equal to the arithmetic in their notes', () => {
    const v = (id: string) => set.byId.get(id)!.value
    // 74,100 kg/TJ × 43.0 TJ/Gg / 1,000,000 = 3.1863 kg/kg; × 0.84 kg/L = 2.676492
    expect(v('fuel.diesel.ttw.kg').toFixed()).toBe('3.1863')
    expect(v('fuel.diesel.ttw.kg').times('0.84').toFixed()).toBe(v('fuel.diesel.ttw.l').toFixed())
    // 69,300 × 44.3 = 3,069,990 → 3.06999; × 0.74 = 2.2717926
    expect(v('fuel.gasoline.ttw.kg').times('0.74').toFixed()).toBe(v('fuel.gasoline.ttw.l').toFixed())
    // 56.1 kg/GJ × 0.038931 GJ/m3 = 2.1840291
    expect(v('fuel.cng.ttw.m3').toFixed()).toBe('2.1840291')
    // 0.304 × 1.200 = 0.3648; + 0.0027 × 2.578 = 0.3717606
    expect(v('avoided.recyclable_trip').toFixed()).toBe('0.3648')
    expect(v('avoided.no_repack').toFixed()).toBe('0.3717606')
    // 0.0027 × 15/60 × 2.578 = 0.00174015; 0.0045 × 4/5 × 1.345 = 0.004842
    expect(v('avoided.narrow_tape').toFixed()).toBe('0.00174015')
    expect(v('avoided.e_waybill').toFixed()).toBe('0.004842')
    // BEV van rescaled to the Chinese grid: 0.220 ÷ 0.177 × 0.5366 = 0.66696… → 0.6670
    const rescaled = new Decimal('0.220').dividedBy('0.177').times(v('grid.national.2022'))
    expect(rescaled.toDecimalPlaces(4).toFixed(4)).toBe(v('intensity.light_van.bev.tkm').toFixed(4))
  })

  it('gives every factor a source document and every non-verified one a note saying why', () => {
    for (const f of set.factors) {
      expect(f.source.document, f.id).not.toBe('')
      if (f.verified !== 'yes') expect(f.verificationNote, f.id).not.toBe('')
    }
  })
})
