import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { recoveryCollections, shipmentStats, vehicleUse } from '#app/domain/activity/definitions.ts'
import { issueMessage } from '#app/domain/activity/messages.ts'
import { rowFingerprint } from '#app/domain/csv/fingerprint.ts'
import { mapHeader } from '#app/domain/csv/header.ts'
import { createCsvValidator, validateRow } from '#app/domain/csv/validate-row.ts'
import { validateCsvBytes, validateCsvText } from '#app/domain/csv/validate-file.ts'

const today = '2024-03-31'
const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/csv/${name}`))

describe('validateRow', () => {
  const header = mapHeader(shipmentStats, ['日期', 'Outlet code', '收寄件数', '电子运单件数', '纸质运单件数', '数据质量'])

  it('returns the typed record and its natural key', () => {
    const result = validateRow(shipmentStats, ['2024/3/1', 'SF-410105-01', '1,200', '1150', '50', '实测'], 2, { today, header })
    expect(result).toMatchObject({ ok: true, row: 2, naturalKey: 'SF-410105-01|2024-03-01' })
    expect(result.ok && result.record.parcels).toBe(1200)
  })

  it('reports row, the column as the user wrote it, field, code, key and params', () => {
    const result = validateRow(shipmentStats, ['2024/3/1', 'SF-410105-01', '1,200', 'abc', '50', 'measured'], 7, { today, header })
    expect(result).toEqual({
      ok: false,
      row: 7,
      issues: [
        {
          row: 7,
          column: '电子运单件数',
          field: 'eWaybillParcels',
          code: 'not_a_number',
          key: 'activity.error.notANumber',
          params: { field: 'eWaybillParcels', value: 'abc' },
        },
      ],
    })
  })

  it('refuses a row whose cells do not line up with the header (an unquoted 1,200 splits a cell)', () => {
    const result = validateRow(shipmentStats, ['2024/3/1', 'SF-410105-01', '1', '200', '1150', '50', '实测'], 3, { today, header })
    expect(result).toMatchObject({ ok: false, issues: [{ code: 'cell_count', params: { cells: 7, expected: 6 } }] })
    expect(!result.ok && issueMessage(result.issues[0]!, 'en')).toBe(
      'This row has 7 cells but the header has 6 columns. A number with a comma may be missing its quotes, or there is an extra delimiter.',
    )
  })

  it('tolerates empty trailing cells that Excel adds', () => {
    const result = validateRow(shipmentStats, ['2024/3/1', 'SF-410105-01', '1200', '1150', '50', '实测', '', ''], 3, { today, header })
    expect(result.ok).toBe(true)
  })
})

describe('createCsvValidator: a file row by row', () => {
  it('numbers rows as Excel shows them (header = 1, blank rows counted) and rejects duplicate natural keys', () => {
    const v = createCsvValidator(shipmentStats, { today })
    const kinds = [
      ['outletCode', 'date', 'parcels', 'eWaybillParcels', 'paperWaybillParcels', 'dataQuality'],
      ['SF-1', '2024-03-01', '10', '10', '0', 'measured'],
      [''],
      ['SF-1', '2024-03-02', '10', '10', '0', 'measured'],
      ['SF-1', '2024/3/1', '12', '12', '0', 'measured'], // same outlet and day as row 2, written differently
      ['SF-2', '2024-03-01', '10', '10', '0', 'measured'],
    ].map((cells) => v.push(cells))
    expect(kinds.map((k) => `${k.row}:${k.kind}`)).toEqual(['1:header', '2:accepted', '3:blank', '4:accepted', '5:rejected', '6:accepted'])
    expect(kinds[4]).toEqual({
      kind: 'rejected',
      row: 5,
      issues: [{ row: 5, column: null, field: null, code: 'duplicate_in_file', key: 'csv.error.duplicateInFile', params: { firstRow: 2, keyFields: 'outletCode,date' } }],
    })
    const duplicate = kinds[4]!
    if (duplicate.kind !== 'rejected') throw new Error('row 5 should be rejected')
    expect(issueMessage(duplicate.issues[0]!, 'zh-CN')).toBe(
      '与第 2 行重复（网点编码、日期相同）。同一文件中每组网点编码、日期只能出现一次。',
    )
    expect(v.counts).toEqual({ blank: 1, accepted: 3, rejected: 1 })
  })

  it('still finds duplicates when a file has more distinct outlets than the packed key holds (2^15)', () => {
    const v = createCsvValidator(shipmentStats, { today })
    v.push(['outletCode', 'date', 'parcels', 'eWaybillParcels', 'paperWaybillParcels', 'dataQuality'])
    const line = (n: number, day = '2024-03-01') => [`O-${n}`, day, '1', '1', '0', 'measured']
    for (let n = 0; n < 33_000; n++) v.push(line(n))
    expect(v.push(line(5))).toMatchObject({ kind: 'rejected', issues: [{ code: 'duplicate_in_file', params: { firstRow: 7 } }] })
    expect(v.push(line(32_900))).toMatchObject({ kind: 'rejected', issues: [{ code: 'duplicate_in_file', params: { firstRow: 32_902 } }] })
    expect(v.push(line(32_900, '2024-03-02')).kind).toBe('accepted')
    expect(v.counts).toEqual({ blank: 0, accepted: 33_001, rejected: 2 })
  })

  it('stops at a header with errors', () => {
    const v = createCsvValidator(shipmentStats, { today })
    const outcome = v.push(['outletCode', 'date'])
    expect(outcome.kind === 'header' && outcome.mapping.ok).toBe(false)
    expect(() => v.push(['SF-1', '2024-03-01'])).toThrow()
  })
})

describe('row fingerprint', () => {
  it('is the same for the same figures in any notation or column order, and differs when a figure changes', () => {
    const a = validateCsvText(vehicleUse, 'plate,month,distanceKm,dataQuality\n豫A12345,2024-02,"2,150.50",measured\n', { today })
    const b = validateCsvText(vehicleUse, '月份\t行驶里程（公里）\t车牌号\t数据质量\n2024年2月\t２１５０．５\t豫a 12345\t实测\n', { today })
    const c = validateCsvText(vehicleUse, 'plate,month,distanceKm,dataQuality\n豫A12345,2024-02,2150.6,measured\n', { today })
    const [ra, rb, rc] = [a, b, c].map((r) => r.accepted[0]!.record)
    expect(rowFingerprint(vehicleUse, ra!)).toBe(rowFingerprint(vehicleUse, rb!))
    expect(rowFingerprint(vehicleUse, ra!)).not.toBe(rowFingerprint(vehicleUse, rc!))
    expect(rowFingerprint(vehicleUse, ra!)).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('whole files', () => {
  it('reads a GB18030 file with Chinese headers, full-width digits and thousands separators', () => {
    const report = validateCsvBytes(shipmentStats, fixture('shipment-gb18030.csv'), { today })
    expect(report.encoding).toBe('gb18030')
    expect(report.delimiter).toBe(',')
    expect(report.fileIssues).toEqual([])
    expect(report.accepted.map((a) => [a.row, a.naturalKey, a.record.parcels, a.record.dataQuality])).toEqual([
      [2, 'SF-410105-01|2024-03-01', 1200, 'measured'],
      [3, 'SF-410105-01|2024-03-02', 980, 'estimated'],
    ])
    // Row 4: 520 e-waybill parcels out of 500.
    expect(report.rejected.map((r) => r.issues.map((i) => `${i.row}:${i.column}:${i.code}`))).toEqual([['4:电子运单件数:part_exceeds_whole']])
  })

  it('reads the same rows from UTF-8 with BOM, and English headers from UTF-8 without', () => {
    const bom = validateCsvBytes(shipmentStats, fixture('shipment-utf8-bom.csv'), { today })
    expect([bom.encoding, bom.accepted.length, bom.rejected.length]).toEqual(['utf-8', 2, 1])
    const plain = validateCsvBytes(shipmentStats, fixture('shipment-utf8.csv'), { today })
    expect([plain.accepted.length, plain.rejected.length, plain.fileIssues]).toEqual([2, 0, []])
  })

  it('keeps a four-byte GB18030 character in a recycler’s name', () => {
    const report = validateCsvBytes(recoveryCollections, fixture('collections-gb18030.csv'), { today })
    expect(report.accepted[0]?.record.recyclerName).toBe('𠮷祥再生资源公司')
    expect(report.accepted[0]?.record.recyclerMassKg?.toFixed()).toBe('12.5')
  })

  it('reads tab- and semicolon-delimited files', () => {
    const tab = validateCsvText(shipmentStats, 'outletCode\tdate\tparcels\teWaybillParcels\tpaperWaybillParcels\tdataQuality\nSF-1\t2024-03-01\t1,200\t1200\t0\tmeasured\n', { today })
    const semicolon = validateCsvText(shipmentStats, 'outletCode;date;parcels;eWaybillParcels;paperWaybillParcels;dataQuality\nSF-1;2024-03-01;"1,200";1200;0;measured\n', { today })
    expect([tab.delimiter, tab.accepted[0]?.record.parcels]).toEqual(['\t', 1200])
    expect([semicolon.delimiter, semicolon.accepted[0]?.record.parcels]).toEqual([';', 1200])
  })

  it('reports an empty file and an Excel workbook as file errors', () => {
    expect(validateCsvText(shipmentStats, '\n\n', { today }).fileIssues.map((i) => i.code)).toEqual(['empty_file'])
    expect(validateCsvBytes(shipmentStats, new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]), { today }).fileIssues.map((i) => i.code)).toEqual(['excel_workbook'])
  })

  it('rejects a row whose quote is never closed, rather than reading the swallowed lines as one cell', () => {
    const text = 'outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality\nSF-1,2024-03-01,1,1,0,measured\nSF-1,2024-03-02,"1,1,0,measured\nSF-1,2024-03-03,1,1,0,measured\n'
    const report = validateCsvText(shipmentStats, text, { today })
    expect(report.accepted.map((a) => a.row)).toEqual([2])
    expect(report.rejected.map((r) => `${r.row}:${r.issues[0]!.code}`)).toEqual(['3:malformed_quotes'])
  })

  it('reads no rows when a required column is missing', () => {
    const report = validateCsvText(shipmentStats, 'outletCode,date,parcels,dataQuality\nSF-1,2024-03-01,5,measured\n', { today })
    expect(report.fileIssues.map((i) => `${i.severity}:${i.code}:${i.field}`)).toEqual([
      'error:missing_column:eWaybillParcels',
      'error:missing_column:paperWaybillParcels',
    ])
    expect([report.accepted.length, report.rejected.length]).toEqual([0, 0])
  })
})
