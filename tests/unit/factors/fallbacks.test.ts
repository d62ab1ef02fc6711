import Decimal from 'decimal.js'
import { renderToStaticMarkup } from 'react-dom/server'
import { createElement } from 'react'
import { describe, expect, it } from 'vitest'
import { fallbackSentences, FallbackShare } from '#app/components/fallback-notes.tsx'
import { lookupFactor } from '#app/domain/factors/factor-set.ts'
import { FallbackTally, fallbackShare, fallbackShareView, notesOfFallbacks, notesOfProvenance } from '#app/domain/factors/fallbacks.ts'
import type { FactorKey } from '#app/domain/factors/types.ts'
import { translator } from '#app/i18n/index.ts'
import { publishedSet } from '../emissions/set.ts'

const GRID: FactorKey = { quantity: 'electricity:grid', boundary: 'generation', per: 'kWh' }

describe('a year outside the set: region level first, then the nearest published year (decision 095)', async () => {
  const set = await publishedSet()

  it('Shaoxing 2019 uses the East grid 2022 factor (three years away), not the national 2021 one (two years away), and says both', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '330602', year: 2019 })
    if (!hit.ok) throw new Error('expected a factor')
    expect(hit.factor.id).toBe('grid.east.2022')
    expect(hit.factor.value.toFixed()).toBe('0.5617')
    expect(hit.fallback).toEqual({
      factorId: 'grid.east.2022',
      quantity: 'electricity:grid',
      requested: { regionCode: '330602', year: 2019 },
      used: { region: 'grid:east', level: 'grid', year: 2022 },
      kinds: ['region', 'year'],
    })
  })

  it('a year after the latest published one uses the latest (Zhengzhou 2026: Central grid 2023)', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '410100', year: 2026 })
    expect(hit.ok && [hit.factor.id, hit.fallback?.kinds, hit.fallback?.used.year]).toEqual(['grid.central.2023', ['region', 'year'], 2023])
  })

  it('a province with a factor of another year keeps its own factor (Yunnan 2019: the provincial 2022 factor, a year fallback only)', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '530100', year: 2019 })
    expect(hit.ok && [hit.factor.id, hit.fallback?.kinds]).toEqual(['grid.province.530000.2022', ['year']])
  })

  it('the engine objects and the stored provenance read into the same notes', () => {
    const hit = lookupFactor(set, GRID, { regionCode: '330602', year: 2019 })
    if (!hit.ok || !hit.fallback) throw new Error('expected a fallback')
    const fromEngine = notesOfFallbacks([hit.fallback])
    const stored = {
      inputs: { electricityKwh: '1000', regionCode: '330602', year: 2019 },
      factorIds: ['grid.east.2022'],
      fallbacks: [{ factorId: 'grid.east.2022', kinds: ['region', 'year'], level: 'grid', year: 2022 }],
    }
    expect(notesOfProvenance(stored)).toEqual(fromEngine)
    expect(notesOfProvenance(JSON.stringify(stored))).toEqual(fromEngine)
    expect(fromEngine).toEqual([
      { factorId: 'grid.east.2022', kinds: ['region', 'year'], level: 'grid', usedYear: 2022, requestedRegion: '330602', requestedYear: 2019 },
    ])
  })
})

describe('stored provenance', () => {
  it('without fallbacks, or malformed, gives no notes (nothing invented)', () => {
    expect(notesOfProvenance({ inputs: { year: 2022 }, factorIds: ['x'] })).toEqual([])
    expect(notesOfProvenance(null)).toEqual([])
    expect(notesOfProvenance('not json')).toEqual([])
    expect(notesOfProvenance({ fallbacks: [{ factorId: 'x', kinds: ['elsewhere'], level: 'grid', year: 2022 }] })).toEqual([])
    expect(notesOfProvenance({ fallbacks: [{ factorId: 'x', kinds: ['year'], level: 'moon', year: 2022 }] })).toEqual([])
  })
})

describe('the sentences shown', () => {
  const note = { factorId: 'grid.east.2022', kinds: ['region', 'year'] as ('region' | 'year')[], level: 'grid' as const, usedYear: 2022, requestedRegion: '330602', requestedYear: 2019 }
  it('name the region and year asked for and the factor used, in both languages', () => {
    expect(fallbackSentences(translator('zh-CN'), note)).toEqual([
      '未找到330602的省级因子，使用区域电网因子（grid.east.2022）',
      '未找到 2019 年的因子，使用 2022 年的因子（grid.east.2022）',
    ])
    expect(fallbackSentences(translator('en'), note)).toEqual([
      'No provincial factor for 330602; used the regional grid factor (grid.east.2022)',
      'No factor for 2019; used the factor for 2022 (grid.east.2022)',
    ])
  })
})

describe('the share of CO2e from fallback factors', () => {
  it('is fallback over total; no emissions is no share, not 0 %', () => {
    // 550 kg of 575.8 kg: 550 / 575.8 = 0.95519…
    expect(fallbackShare('575.8', '550')?.toFixed(4)).toBe('0.9552')
    expect(fallbackShare('0', '0')).toBeNull()
    expect(fallbackShare('100', '0')?.toFixed()).toBe('0')
    expect(fallbackShareView(undefined, undefined)).toEqual({ share: null, fallbackKg: '0', totalKg: '0' })
  })

  it('prints on the report with its figures and the address of the details', () => {
    const view = fallbackShareView('575.8', '550')
    const html = renderToStaticMarkup(
      // On paper the address is printed, not linked: no router is needed to render it.
      createElement(FallbackShare, { t: translator('zh-CN'), locale: 'zh-CN', fallback: view, detailsHref: '/reports/fallbacks?scope=region%3A330600&period=2023-03', print: true }),
    )
    // 95.519…% → 95.5%; 0.55 t of 0.5758 t → 0.550 and 0.576
    expect(html).toContain('替代因子：本期排放的 95.5%（0.550 吨 CO₂e）使用了替代因子，明细见 /reports/fallbacks?scope=region%3A330600&amp;period=2023-03')
  })
})

describe('an import preview tally', () => {
  it('counts a record under each fallback it used and its CO2e once in the total', () => {
    const tally = new FallbackTally()
    const east = { factorId: 'grid.east.2023', kinds: ['region'] as ('region' | 'year')[], level: 'grid' as const, usedYear: 2023, requestedRegion: '330602', requestedYear: 2023 }
    const other = { ...east, factorId: 'x.2022', kinds: ['year'] as ('region' | 'year')[], usedYear: 2022 }
    tally.add([east], new Decimal('550'))
    tally.add([east, other], new Decimal('1.5'))
    tally.add([], new Decimal('99'))
    expect(tally.recordCount).toBe(2)
    expect(tally.totalKg.toFixed()).toBe('551.5')
    expect(tally.list()).toEqual([
      { factorId: 'grid.east.2023', kinds: ['region'], level: 'grid', usedYear: 2023, requestedYear: 2023, records: 2, co2eKg: '551.5' },
      { factorId: 'x.2022', kinds: ['year'], level: 'grid', usedYear: 2022, requestedYear: 2023, records: 1, co2eKg: '1.5' },
    ])
  })
})
