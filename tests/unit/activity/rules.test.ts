import { describe, expect, it } from 'vitest'
import {
  recoveryBins,
  recoveryCollections,
  shipmentStats,
  packagingConsumption,
  vehicles,
  type RecordDefinition,
} from '#app/domain/activity/definitions.ts'
import type { ActivityContext } from '#app/domain/activity/context.ts'
import { validateValues } from '#app/domain/activity/validate.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'

const ctx: ActivityContext = { today: '2024-03-31' }

function codes(definition: RecordDefinition, input: Record<string, string>, context = ctx) {
  const result = validateValues(definition, input, context)
  return result.ok ? [] : result.issues.map((issue) => `${issue.field}:${issue.code}`)
}

const shipment = {
  outletCode: 'SF-410105-01',
  date: '2024-03-01',
  parcels: '1200',
  eWaybillParcels: '1150',
  paperWaybillParcels: '50',
  ecommerceParcels: '900',
  ecommerceOriginalPackagingParcels: '600',
  recyclablePackagingParcels: '30',
  boxParcels: '700',
  narrowTapeBoxParcels: '650',
  transitBags: '40',
  recyclableTransitBags: '36',
  dataQuality: 'measured',
}

describe('shipment statistics: a part cannot exceed its whole', () => {
  it('accepts a consistent day (1150 + 50 = 1200, every part within its whole)', () => {
    const result = validateValues(shipmentStats, shipment, ctx)
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect(result.record.parcels).toBe(1200)
      expect(result.record.ecommerceOriginalPackagingParcels).toBe(600)
    }
  })

  it('refuses e-waybill parcels above parcels handled, and does not also complain about the sum', () => {
    expect(codes(shipmentStats, { ...shipment, eWaybillParcels: '1250' })).toEqual(['eWaybillParcels:part_exceeds_whole'])
  })

  it('refuses e-waybill + paper that do not add up to parcels handled (1150 + 40 = 1190 ≠ 1200)', () => {
    const result = validateValues(shipmentStats, { ...shipment, paperWaybillParcels: '40' }, ctx)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues).toEqual([
        {
          field: 'eWaybillParcels',
          code: 'parts_do_not_add_up',
          key: 'activity.error.partsDoNotAddUp',
          params: { parts: 'eWaybillParcels,paperWaybillParcels', whole: 'parcels', sum: '1190', wholeValue: '1200' },
        },
      ])
      expect(issueMessage(result.issues[0]!, 'zh-CN')).toBe('“电子运单件数”、“纸质运单件数”之和（1190）应等于“收寄件数”（1200），请核对。')
    }
  })

  it('refuses e-commerce parcels in original packaging above e-commerce parcels', () => {
    expect(codes(shipmentStats, { ...shipment, ecommerceOriginalPackagingParcels: '901' })).toEqual([
      'ecommerceOriginalPackagingParcels:part_exceeds_whole',
    ])
  })

  it('refuses narrow-tape box parcels above box parcels', () => {
    expect(codes(shipmentStats, { ...shipment, narrowTapeBoxParcels: '701' })).toEqual(['narrowTapeBoxParcels:part_exceeds_whole'])
  })

  it('refuses recyclable transit bags above transit bags, naming both fields in the message', () => {
    const result = validateValues(shipmentStats, { ...shipment, recyclableTransitBags: '41' }, ctx)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues.map((i) => i.code)).toEqual(['part_exceeds_whole'])
      expect(issueMessage(result.issues[0]!, 'en')).toBe(
        '“Recyclable transit bags” (41) cannot be more than “Transit bags used” (40). Check both figures.',
      )
    }
  })

  it('accepts a part equal to its whole (≤, not <)', () => {
    expect(codes(shipmentStats, { ...shipment, recyclableTransitBags: '40' })).toEqual([])
  })

  it('refuses a part given without its whole instead of guessing it', () => {
    expect(codes(shipmentStats, { ...shipment, transitBags: '' })).toEqual(['recyclableTransitBags:part_without_whole'])
  })

  it('leaves optional counts empty as null', () => {
    const result = validateValues(shipmentStats, { ...shipment, ecommerceParcels: '', ecommerceOriginalPackagingParcels: '' }, ctx)
    expect(result.ok && result.record.ecommerceParcels).toBeNull()
  })
})

describe('recovery', () => {
  const collection = {
    outletCode: 'SF-410105-01',
    date: '2024-03-01',
    cartonsCollected: '120',
    cartonsReused: '80',
    recyclerMassKg: '12.5',
    recyclerName: '郑州再生资源公司',
    dataQuality: '实测',
  }

  it('accepts reused ≤ collected and keeps the mass exact', () => {
    const result = validateValues(recoveryCollections, collection, ctx)
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.record.recyclerMassKg?.toFixed()).toBe('12.5')
  })

  it('refuses more cartons reused than collected', () => {
    expect(codes(recoveryCollections, { ...collection, cartonsReused: '121' })).toEqual(['cartonsReused:part_exceeds_whole'])
  })

  it('asks for the recycler when a mass was handed over, not when it is 0', () => {
    expect(codes(recoveryCollections, { ...collection, recyclerName: '' })).toEqual(['recyclerName:recycler_name_required'])
    expect(codes(recoveryCollections, { ...collection, recyclerName: '', recyclerMassKg: '0' })).toEqual([])
  })

  it('refuses labelled or in-service bins above installed bins', () => {
    const bins = { outletCode: 'SF-410105-01', asOfDate: '2024-03-01', installedBins: '2', labelledBins: '2', inServiceBins: '2', dataQuality: 'measured' }
    expect(codes(recoveryBins, bins)).toEqual([])
    expect(codes(recoveryBins, { ...bins, labelledBins: '3' })).toEqual(['labelledBins:part_exceeds_whole'])
    expect(codes(recoveryBins, { ...bins, inServiceBins: '3' })).toEqual(['inServiceBins:part_exceeds_whole'])
  })
})

describe('values: negatives, whole numbers, future dates', () => {
  it('refuses negative numbers in every notation', () => {
    for (const text of ['-5', '－5', '−5', '- 5']) {
      expect(codes(shipmentStats, { ...shipment, transitBags: text, recyclableTransitBags: '' })).toEqual(['transitBags:negative'])
    }
  })

  it('refuses fractional counts but reads 40.0 as 40', () => {
    expect(codes(shipmentStats, { ...shipment, transitBags: '40.5' })).toEqual(['transitBags:not_whole'])
    expect(codes(shipmentStats, { ...shipment, transitBags: '40.0' })).toEqual([])
  })

  it('refuses a count beyond a database integer (2,147,483,647)', () => {
    expect(codes(shipmentStats, { ...shipment, transitBags: '2147483648', recyclableTransitBags: '' })).toEqual(['transitBags:too_large'])
  })

  it('refuses text in a number field', () => {
    expect(codes(shipmentStats, { ...shipment, transitBags: 'forty' })).toEqual(['transitBags:not_a_number'])
  })

  it('accepts today and refuses tomorrow', () => {
    expect(codes(shipmentStats, { ...shipment, date: '2024-03-31' })).toEqual([])
    const result = validateValues(shipmentStats, { ...shipment, date: '2024/4/1' }, ctx)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues[0]).toMatchObject({ field: 'date', code: 'future_date', params: { value: '2024-04-01', today: '2024-03-31' } })
    }
  })

  it('accepts the current month and refuses the next, for a day or a month period', () => {
    const item = { outletCode: 'SF-410105-01', period: '2024-03', itemCode: 'BOX-3', itemCount: '500', dataQuality: 'measured' }
    expect(codes(packagingConsumption, item)).toEqual([])
    expect(codes(packagingConsumption, { ...item, period: '2024年4月' })).toEqual(['period:future_month'])
    expect(codes(packagingConsumption, { ...item, period: '2024-04-01' })).toEqual(['period:future_date'])
    const result = validateValues(packagingConsumption, { ...item, period: '2024/3/15' }, ctx)
    expect(result.ok && result.record.period).toBe('2024-03-15')
  })

  it('names every missing required field', () => {
    expect(codes(shipmentStats, { ...shipment, outletCode: ' ', parcels: '' })).toEqual(['outletCode:required', 'parcels:required'])
  })
})

describe('vehicle register', () => {
  const van = {
    plate: '豫A·12345',
    outletCode: 'SF-410105-01',
    vehicleClass: 'light_van',
    energy: 'BEV',
    emissionStandard: 'none',
    inServiceFrom: '2023-06-01',
    inServiceTo: '',
    acquisition: 'new',
    dataQuality: 'measured',
  }

  it('normalises the plate and accepts an open service period', () => {
    const result = validateValues(vehicles, van, ctx)
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect(result.record.plate).toBe('豫A12345')
      expect(result.record.inServiceTo).toBeNull()
    }
  })

  it('accepts a planned end of service after today', () => {
    expect(codes(vehicles, { ...van, inServiceTo: '2030-12-31' })).toEqual([])
  })

  it('refuses an end of service before its start', () => {
    expect(codes(vehicles, { ...van, inServiceTo: '2023-05-31' })).toEqual(['inServiceTo:end_before_start'])
  })

  it('refuses a diesel electric tricycle', () => {
    expect(codes(vehicles, { ...van, vehicleClass: 'electric_tricycle', energy: 'diesel', emissionStandard: 'guo6' })).toEqual([
      'energy:tricycle_must_be_electric',
    ])
  })

  it('refuses a China 6 emission standard on a battery electric van', () => {
    expect(codes(vehicles, { ...van, emissionStandard: '国六' })).toEqual(['emissionStandard:electric_has_no_emission_standard'])
  })

  it('reads options in Chinese, English, code and common variants', () => {
    const result = validateValues(
      vehicles,
      { ...van, vehicleClass: '轻型厢式车', energy: 'Diesel', emissionStandard: '国Ⅵ', acquisition: '更新替换', dataQuality: 'Estimated' },
      ctx,
    )
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect([result.record.vehicleClass, result.record.energy, result.record.emissionStandard, result.record.acquisition, result.record.dataQuality]).toEqual([
        'light_van',
        'diesel',
        'guo6',
        'replacement',
        'estimated',
      ])
    }
    const zh = validateValues(vehicles, { ...van, energy: '纯电动' }, ctx)
    const en = validateValues(vehicles, { ...van, energy: 'battery electric' }, ctx)
    expect(zh.ok && zh.record.energy).toBe('BEV')
    expect(en.ok && en.record.energy).toBe('BEV')
  })

  it('refuses an unknown option and lists the choices in the user’s language', () => {
    const result = validateValues(vehicles, { ...van, energy: '核动力' }, ctx)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.issues[0]!.code).toBe('invalid_option')
      expect(issueMessage(result.issues[0]!, 'zh-CN')).toBe(
        '“能源类型”的值“核动力”无法识别，可填：纯电动、插电式混合动力、燃料电池、柴油、汽油、压缩天然气、液化天然气。',
      )
    }
  })
})

describe('references to outlets, items and scope', () => {
  const scoped: ActivityContext = {
    today: '2024-03-31',
    lookups: {
      outlet: (code) => (code === 'SF-410105-01' ? 'ok' : code === 'ZTO-410105-01' ? 'out_of_scope' : 'unknown'),
      packagingItem: (code) => code === 'BOX-3',
    },
  }

  it('refuses another brand’s outlet and an unknown outlet', () => {
    expect(codes(shipmentStats, shipment, scoped)).toEqual([])
    expect(codes(shipmentStats, { ...shipment, outletCode: 'ZTO-410105-01' }, scoped)).toEqual(['outletCode:outlet_out_of_scope'])
    expect(codes(shipmentStats, { ...shipment, outletCode: 'XX-1' }, scoped)).toEqual(['outletCode:unknown_outlet'])
  })

  it('refuses an item not in the packaging catalog', () => {
    const item = { outletCode: 'SF-410105-01', period: '2024-03', itemCode: 'BAG-9', itemCount: '5', dataQuality: 'measured' }
    expect(codes(packagingConsumption, item, scoped)).toEqual(['itemCode:unknown_packaging_item'])
  })
})
