import { describe, expect, it } from 'vitest'
import { loadTargetSets, parseTargetSetFile, type TargetSet } from '#app/domain/metrics/targets.ts'
import { translate } from '#app/i18n/index.ts'
import { shippedTargetSets as shippedSets } from './shipped-targets.ts'

function target(sets: TargetSet[], id: string, metric: string, deadline: string) {
  const set = sets.find((s) => s.id === id)
  const found = set?.targets.find((t) => t.metric === metric && t.deadline === deadline)
  if (!found) throw new Error(`no ${metric} ${deadline} in ${id}`)
  return { comparison: found.comparison, value: found.value.toString(), kind: found.kind }
}

describe('shipped target sets', () => {
  it('all load without errors, exactly the sets the spec lists', () => {
    expect(shippedSets().map((s) => s.id)).toEqual([
      'china-post-2018-green-action',
      'gb-43352-2023',
      'gbhan-2020-115',
      'hohhot-2019-zg-2019-9',
      'ndrc-2023-packaging-action-plan',
      'public-sector-ev-pilot-2023-zhengzhou',
      'spb-2017-green-packaging-guidance',
      'spb-2019-9571',
      'spb-2020-9792',
      'spb-2021-2582',
      'spb-2022-9917',
      'spb-2022-plastic-phase-out',
      'spb-2023-9218',
    ])
  })

  it('carry the spec’s numbers', () => {
    const sets = shippedSets()
    const gte = (value: string, kind = 'rate') => ({ comparison: '>=', value, kind })
    expect(target(sets, 'spb-2019-9571', 'e_waybill_rate', '2019-12-31')).toEqual(gte('0.95'))
    expect(target(sets, 'spb-2019-9571', 'no_repack_rate', '2019-12-31')).toEqual(gte('0.5'))
    expect(target(sets, 'spb-2019-9571', 'recyclable_transit_bag_rate', '2019-12-31')).toEqual(gte('0.7'))
    expect(target(sets, 'spb-2020-9792', 'narrow_tape_rate', '2020-12-31')).toEqual(gte('0.9'))
    expect(target(sets, 'spb-2020-9792', 'no_repack_rate', '2020-12-31')).toEqual(gte('0.7'))
    expect(target(sets, 'spb-2020-9792', 'recyclable_transit_bag_rate', '2020-12-31')).toEqual(gte('0.9'))
    expect(target(sets, 'spb-2021-2582', 'no_repack_rate', '2021-12-31')).toEqual(gte('0.8'))
    expect(target(sets, 'gbhan-2020-115', 'no_repack_rate', '2022-12-31')).toEqual(gte('0.85'))
    expect(target(sets, 'gbhan-2020-115', 'no_repack_rate', '2025-12-31')).toEqual(gte('1'))
    expect(target(sets, 'spb-2022-9917', 'standard_packaging_rate', '2022-12-31')).toEqual(gte('0.9'))
    expect(target(sets, 'spb-2022-9917', 'cartons_reused', '2022-12-31')).toEqual(gte('700000000', 'national_count'))
    expect(target(sets, 'spb-2023-9218', 'no_repack_rate', '2023-12-31')).toEqual(gte('0.9'))
    expect(target(sets, 'spb-2023-9218', 'recyclable_packaging_parcels', '2023-12-31')).toEqual(
      gte('1000000000', 'national_count'),
    )
    expect(target(sets, 'spb-2023-9218', 'cartons_reused', '2023-12-31')).toEqual(gte('800000000', 'national_count'))
    expect(target(sets, 'spb-2017-green-packaging-guidance', 'e_waybill_rate', '2020-12-31')).toEqual(gte('0.9'))
    expect(target(sets, 'spb-2017-green-packaging-guidance', 'packaging_per_parcel_g', '2020-12-31')).toEqual({
      comparison: '<=',
      value: '-0.1',
      kind: 'relative_to_baseline',
    })
    expect(target(sets, 'hohhot-2019-zg-2019-9', 'e_waybill_rate', '2020-12-31')).toEqual(gte('0.9'))
    expect(target(sets, 'hohhot-2019-zg-2019-9', 'recovery_bin_coverage', '2020-12-31')).toEqual(gte('1'))
    expect(target(sets, 'spb-2022-plastic-phase-out', 'non_degradable_plastic_items', '2025-12-31')).toEqual({
      comparison: '<=',
      value: '0',
      kind: 'rate',
    })
    expect(target(sets, 'ndrc-2023-packaging-action-plan', 'same_city_recyclable_packaging_rate', '2025-12-31')).toEqual(
      gte('0.1'),
    )
    expect(target(sets, 'public-sector-ev-pilot-2023-zhengzhou', 'nev_new_vehicle_share', '2025-12-31')).toEqual(gte('0.8'))
    expect(target(sets, 'china-post-2018-green-action', 'nev_new_vehicle_share', '2020-12-31')).toEqual(gte('1'))
  })

  it('name the regions and brands they bind', () => {
    const byId = new Map(shippedSets().map((s) => [s.id, s]))
    expect(byId.get('hohhot-2019-zg-2019-9')?.region).toBe('150100')
    expect(byId.get('public-sector-ev-pilot-2023-zhengzhou')?.region).toBe('410100')
    expect(byId.get('spb-2019-9571')?.region).toBe('000000')
    expect(byId.get('china-post-2018-green-action')?.brand).toBe('ems')
    expect(byId.get('spb-2019-9571')?.brand).toBeNull()
  })
})

const valid = {
  id: 'test-set',
  name: { zh: '测试', en: 'Test' },
  source: { title: 'T', issuer: 'I', number: null, date: '2024-05', url: null, verification: 'none' },
  region: 'CN',
  brand: null,
  targets: [{ metric: 'e_waybill_rate', comparison: '>=', value: '0.9', deadline: '2025-12-31', kind: 'rate' }],
}

function parseWith(change: (file: any) => void, fileName = 'test-set.json') {
  const file = structuredClone(valid)
  change(file)
  return parseTargetSetFile(JSON.stringify(file), fileName)
}

function errorsOf(result: ReturnType<typeof parseTargetSetFile>) {
  if (result.ok) throw new Error('expected errors')
  return result.errors.map((e) => ({ file: e.file, field: e.field, key: e.key }))
}

describe('parseTargetSetFile', () => {
  it('reads a valid file, turning CN into 000000 and values into Decimals', () => {
    const result = parseTargetSetFile(JSON.stringify(valid), 'factors/targets/test-set.json')
    if (!result.ok) throw new Error(JSON.stringify(result.errors))
    expect(result.set.region).toBe('000000')
    expect(result.set.targets[0]?.value.toString()).toBe('0.9')
    expect(result.set.targets[0]?.note).toBeNull()
  })

  it('reports broken JSON with the file name', () => {
    const result = parseTargetSetFile('{ "id": ', 'broken.json')
    expect(errorsOf(result)).toEqual([{ file: 'broken.json', field: '', key: 'targets.error.invalidJson' }])
  })

  it('names the field of an unknown metric, and the message says what to do', () => {
    const result = parseWith((f) => {
      f.targets[0].metric = 'e_waybil_rate'
    })
    expect(errorsOf(result)).toEqual([
      { file: 'test-set.json', field: 'targets[0].metric', key: 'targets.error.unknownMetric' },
    ])
    if (result.ok) return
    const error = result.errors[0]!
    expect(translate('en', error.key, error.params)).toBe(
      'In target file test-set.json, targets[0].metric names the metric "e_waybil_rate", which does not exist. Use one of the defined metric codes.',
    )
    expect(translate('zh-CN', error.key, error.params)).toContain('e_waybil_rate')
  })

  it('reports every error of a file at once', () => {
    const result = parseWith((f) => {
      f.region = '15010'
      f.source.date = '2024-13'
      f.targets[0].value = '90%'
      f.targets[0].deadline = '2025-02-30'
      f.targets[0].comparison = '>'
      f.targets[0].kind = 'pass'
      delete f.name.en
      f.extra = true
    })
    expect(errorsOf(result)).toEqual(
      expect.arrayContaining([
        { file: 'test-set.json', field: 'region', key: 'targets.error.badRegion' },
        { file: 'test-set.json', field: 'source.date', key: 'targets.error.badSourceDate' },
        { file: 'test-set.json', field: 'targets[0].value', key: 'targets.error.badDecimal' },
        { file: 'test-set.json', field: 'targets[0].deadline', key: 'targets.error.badDeadline' },
        { file: 'test-set.json', field: 'targets[0].comparison', key: 'targets.error.badComparison' },
        { file: 'test-set.json', field: 'targets[0].kind', key: 'targets.error.badKind' },
        { file: 'test-set.json', field: 'name.en', key: 'targets.error.required' },
        { file: 'test-set.json', field: '', key: 'targets.error.unknownField' },
      ]),
    )
    expect(errorsOf(result)).toHaveLength(8)
  })

  it('checks values against the metric and the kind', () => {
    expect(errorsOf(parseWith((f) => (f.targets[0].value = '90')))).toEqual([
      { file: 'test-set.json', field: 'targets[0].value', key: 'targets.error.ratioOutOfRange' },
    ])
    expect(errorsOf(parseWith((f) => (f.targets[0].kind = 'national_count')))).toEqual([
      { file: 'test-set.json', field: 'targets[0].kind', key: 'targets.error.countNeedsCountMetric' },
    ])
    expect(
      errorsOf(
        parseWith((f) => {
          f.targets[0] = { ...f.targets[0], metric: 'packaging_per_parcel_g', kind: 'relative_to_baseline', value: '-1.5' }
        }),
      ),
    ).toEqual([{ file: 'test-set.json', field: 'targets[0].value', key: 'targets.error.baselineOutOfRange' }])
    expect(errorsOf(parseWith((f) => (f.targets = [])))).toEqual([
      { file: 'test-set.json', field: 'targets', key: 'targets.error.noTargets' },
    ])
  })

  it('requires the id to match the file name', () => {
    expect(errorsOf(parseWith(() => {}, 'other-name.json'))).toEqual([
      { file: 'other-name.json', field: 'id', key: 'targets.error.idMismatch' },
    ])
  })
})

describe('loadTargetSets', () => {
  it('keeps the valid files and reports the broken one and a duplicate id', () => {
    const good = JSON.stringify(valid)
    const result = loadTargetSets([
      { name: 'test-set.json', text: good },
      { name: 'broken.json', text: 'not json' },
      { name: 'sub/test-set.json', text: good },
    ])
    expect(result.ok).toBe(false)
    expect(result.sets.map((s) => s.id)).toEqual(['test-set'])
    if (result.ok) return
    expect(result.errors.map((e) => [e.file, e.key])).toEqual([
      ['broken.json', 'targets.error.invalidJson'],
      ['sub/test-set.json', 'targets.error.duplicateId'],
    ])
  })
})
