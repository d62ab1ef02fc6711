import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { applicableTargets, regionAncestors, targetSetsInForce } from '#app/domain/metrics/inheritance.ts'
import type { TargetSet } from '#app/domain/metrics/targets.ts'
import { shippedTargetSets } from './shipped-targets.ts'

// Inner Mongolia has no set of its own among the shipped ones; this one stands
// in for a province-level opinion an admin might add.
const innerMongolia: TargetSet = {
  id: 'inner-mongolia-test',
  name: { zh: '内蒙古测试目标', en: 'Inner Mongolia test targets' },
  source: { title: 'test', issuer: 'test', number: null, date: '2019', url: null, verification: 'test only' },
  region: '150000',
  brand: null,
  targets: [
    {
      metric: 'e_waybill_rate',
      comparison: '>=',
      value: new Decimal('0.92'),
      deadline: '2020-12-31',
      kind: 'rate',
      note: null,
    },
  ],
}
const sets = [...shippedTargetSets(), innerMongolia]

describe('regionAncestors', () => {
  it('zeroes the last 2 and last 4 digits, then adds the nation', () => {
    expect(regionAncestors('150102')).toEqual(['150102', '150100', '150000', '000000'])
    expect(regionAncestors('150100')).toEqual(['150100', '150000', '000000'])
    expect(regionAncestors('410000')).toEqual(['410000', '000000'])
    expect(regionAncestors('000000')).toEqual(['000000'])
    expect(() => regionAncestors('15010')).toThrow()
  })
})

describe('targetSetsInForce', () => {
  it('gives a Hohhot district the Hohhot, Inner Mongolia and national sets, nearest first', () => {
    const ids = targetSetsInForce('150102', sets).map((s) => s.id)
    expect(ids[0]).toBe('hohhot-2019-zg-2019-9')
    expect(ids[1]).toBe('inner-mongolia-test')
    expect(ids.slice(2).sort()).toEqual([
      'gb-43352-2023',
      'gbhan-2020-115',
      'ndrc-2023-packaging-action-plan',
      'spb-2017-green-packaging-guidance',
      'spb-2019-9571',
      'spb-2020-9792',
      'spb-2021-2582',
      'spb-2022-9917',
      'spb-2022-plastic-phase-out',
      'spb-2023-9218',
    ])
    // Zhengzhou's pilot is another city's; China Post's plan binds one brand.
    expect(ids).not.toContain('public-sector-ev-pilot-2023-zhengzhou')
    expect(ids).not.toContain('china-post-2018-green-action')
  })

  it('adds a brand’s own plan only for that brand’s figures', () => {
    expect(targetSetsInForce('410102', sets, { brand: 'ems' }).map((s) => s.id)).toContain('china-post-2018-green-action')
    expect(targetSetsInForce('410102', sets, { brand: 'sf' }).map((s) => s.id)).not.toContain('china-post-2018-green-action')
    expect(targetSetsInForce('410102', sets).map((s) => s.id)[0]).toBe('public-sector-ev-pilot-2023-zhengzhou')
  })
})

describe('applicableTargets', () => {
  function pick(region: string, date: string, metric: string, brand?: string) {
    const found = applicableTargets(region, sets, date, { brand }).find((a) => a.metric === metric)
    return found && { set: found.set.id, value: found.target.value.toString(), deadline: found.target.deadline, passed: found.deadlinePassed }
  }

  it('takes the nearest upcoming deadline', () => {
    expect(pick('410102', '2020-06-30', 'no_repack_rate')).toEqual({ set: 'spb-2020-9792', value: '0.7', deadline: '2020-12-31', passed: false })
    expect(pick('410102', '2022-01-01', 'no_repack_rate')).toEqual({ set: 'gbhan-2020-115', value: '0.85', deadline: '2022-12-31', passed: false })
    expect(pick('410102', '2023-12-31', 'no_repack_rate')).toEqual({ set: 'spb-2023-9218', value: '0.9', deadline: '2023-12-31', passed: false })
    expect(pick('410102', '2024-06-30', 'no_repack_rate')).toEqual({ set: 'gbhan-2020-115', value: '1', deadline: '2025-12-31', passed: false })
  })

  it('falls back to the latest past deadline when none is upcoming', () => {
    expect(pick('410102', '2026-03-31', 'no_repack_rate')).toEqual({ set: 'gbhan-2020-115', value: '1', deadline: '2025-12-31', passed: true })
    expect(pick('410102', '2024-01-31', 'cartons_reused')).toEqual({ set: 'spb-2023-9218', value: '800000000', deadline: '2023-12-31', passed: true })
  })

  it('prefers the nearer region when deadlines are equal', () => {
    // Hohhot, Inner Mongolia (test) and the 2017 guidance all ask e-waybills by 2020-12-31.
    expect(pick('150102', '2020-06-30', 'e_waybill_rate')?.set).toBe('hohhot-2019-zg-2019-9')
    expect(pick('150000', '2020-06-30', 'e_waybill_rate')?.set).toBe('inner-mongolia-test')
    expect(pick('410102', '2020-06-30', 'e_waybill_rate')?.set).toBe('spb-2017-green-packaging-guidance')
    // Before 2019 ends, the national 95% of "9571" is nearer than any 2020 deadline.
    expect(pick('150102', '2019-06-30', 'e_waybill_rate')).toEqual({ set: 'spb-2019-9571', value: '0.95', deadline: '2019-12-31', passed: false })
  })

  it('applies a brand’s plan and a pilot city’s target to the right figures', () => {
    expect(pick('410102', '2019-06-30', 'nev_new_vehicle_share', 'ems')?.set).toBe('china-post-2018-green-action')
    expect(pick('410102', '2024-06-30', 'nev_new_vehicle_share', 'ems')?.set).toBe('public-sector-ev-pilot-2023-zhengzhou')
    expect(pick('150102', '2024-06-30', 'nev_new_vehicle_share')).toBeUndefined()
  })

  it('gives no target for metrics no set covers', () => {
    expect(pick('150102', '2024-06-30', 'co2e_t')).toBeUndefined()
  })
})
