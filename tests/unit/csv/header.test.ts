import { describe, expect, it } from 'vitest'
import { shipmentStats, vehicleUse } from '#app/domain/activity/definitions.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'
import { detectDelimiter } from '#app/domain/csv/delimiter.ts'
import { mapHeader } from '#app/domain/csv/header.ts'

describe('delimiter detection', () => {
  it('finds comma, tab and semicolon from the header line', () => {
    expect(detectDelimiter('网点编码,日期,收寄件数\nSF-1,2024-03-01,5')).toBe(',')
    expect(detectDelimiter('网点编码\t日期\t收寄件数\r\nSF-1\t2024-03-01\t"1,200"')).toBe('\t')
    expect(detectDelimiter('\uFEFFoutletCode;date;parcels\nSF-1;2024-03-01;"1,5"')).toBe(';')
  })

  it('ignores delimiters inside quotes and skips leading blank lines', () => {
    expect(detectDelimiter('"a,b,c,d";x;y\n')).toBe(';')
    expect(detectDelimiter('\r\n\r\na\tb\tc\n1,2,3,4,5,6')).toBe('\t')
  })

  it('falls back to a comma for a single column', () => {
    expect(detectDelimiter('parcels\n5\n')).toBe(',')
  })
})

describe('header mapping', () => {
  const required = ['网点编码', '日期', '收寄件数', '电子运单件数', '纸质运单件数', '数据质量']

  it('maps Chinese, English and code headers in any order', () => {
    const mapping = mapHeader(shipmentStats, ['Data quality', 'parcels', '纸质运单件数', 'Parcels with e-waybill', 'DATE', ' outletCode '])
    expect(mapping.ok).toBe(true)
    expect(mapping.issues).toEqual([])
    expect(mapping.indexOf).toEqual({ dataQuality: 0, parcels: 1, paperWaybillParcels: 2, eWaybillParcels: 3, date: 4, outletCode: 5 })
  })

  it('ignores width, case, spaces, a required-marker star and a unit suffix', () => {
    const mapping = mapHeader(vehicleUse, ['车牌号*', 'MONTH', '行驶里程(公里)', 'Distance', '用电量（千瓦时）', 'data quality'])
    expect(mapping.columns.map((c) => c.field)).toEqual(['plate', 'month', 'distanceKm', null, 'electricityKwh', 'dataQuality'])
    // "Distance" is the distance column a second time.
    expect(mapping.issues.map((i) => i.code)).toEqual(['duplicate_column'])
    expect(mapping.ok).toBe(false)
  })

  it('keeps fuel litres and fuel kilograms apart although both are "Fuel"', () => {
    const mapping = mapHeader(vehicleUse, ['plate', 'month', 'distanceKm', 'Fuel (L)', 'Fuel (kg)', 'dataQuality'])
    expect(mapping.columns.map((c) => c.field)).toEqual(['plate', 'month', 'distanceKm', 'fuelLitres', 'fuelKg', 'dataQuality'])
  })

  it('reports an unknown column as a warning and still reads the file', () => {
    const mapping = mapHeader(shipmentStats, [...required, '备注'])
    expect(mapping.ok).toBe(true)
    expect(mapping.issues).toEqual([
      {
        severity: 'warning',
        code: 'unknown_column',
        key: 'csv.warning.unknownColumn',
        params: { column: '备注', columnNumber: 7 },
        column: '备注',
        field: null,
      },
    ])
    expect(issueMessage(mapping.issues[0]!, 'zh-CN')).toBe('第 7 列“备注”无法识别，该列内容不会导入。')
  })

  it('refuses the file when a required column is missing, saying how the header may be written', () => {
    const mapping = mapHeader(shipmentStats, required.filter((h) => h !== '纸质运单件数'))
    expect(mapping.ok).toBe(false)
    expect(mapping.issues).toEqual([
      {
        severity: 'error',
        code: 'missing_column',
        key: 'csv.error.missingColumn',
        params: { field: 'paperWaybillParcels', accepted: '纸质运单件数 / Parcels with paper waybill / paperWaybillParcels' },
        column: null,
        field: 'paperWaybillParcels',
      },
    ])
    expect(issueMessage(mapping.issues[0]!, 'en')).toBe(
      'The required column “Parcels with paper waybill” is missing. Its header may be written as: 纸质运单件数 / Parcels with paper waybill / paperWaybillParcels.',
    )
  })

  it('does not require optional columns', () => {
    expect(mapHeader(shipmentStats, required).ok).toBe(true)
  })

  it('ignores the reason column of a rejected-rows file sent back corrected', () => {
    expect(mapHeader(shipmentStats, [...required, '错误原因']).issues).toEqual([])
    expect(mapHeader(shipmentStats, [...required, 'Reason']).issues).toEqual([])
  })
})
