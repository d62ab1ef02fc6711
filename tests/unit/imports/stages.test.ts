import { describe, expect, it } from 'vitest'
import { tableSpecs, type DbValue, type ExistingRow } from '#db/models/activity.ts'
import { dedupeChunk, type DedupeRules } from '#app/services/imports/dedupe.ts'
import { CsvParseStage } from '#app/services/imports/parse.ts'
import type { PendingRow } from '#app/services/imports/validate.ts'
import { idRange } from '#app/services/imports/write.ts'

// Stages of the import pipeline tested alone, without a database.

describe('the parse stage', () => {
  it('gives the same rows whatever the text chunks, finds the delimiter and keeps a quoted newline in its cell', () => {
    const text = 'a;b;c\r\n1;"x\r\ny";3\r\n4;5;6\r\n'
    const whole = new CsvParseStage()
    const all = [...whole.push(text, false).rows, ...whole.push('', true).rows]
    expect(whole.delimiter).toBe(';')
    expect(all).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x\r\ny', '3'],
      ['4', '5', '6'],
    ])
    // Three characters at a time: rows split anywhere, even inside the quoted cell.
    const split = new CsvParseStage()
    const rows: string[][] = []
    for (let i = 0; i < text.length; i += 3) rows.push(...split.push(text.slice(i, i + 3), false).rows)
    rows.push(...split.push('', true).rows)
    expect(rows).toEqual(all)
  })

  it('marks a row with an unclosed quote', () => {
    const stage = new CsvParseStage()
    const parsed = stage.push('a,b\n1,"2\n', true)
    expect(parsed.rows[0]).toEqual(['a', 'b'])
    expect([...parsed.quoteRows]).toEqual([1])
  })
})

describe('the dedupe stage', () => {
  const spec = tableSpecs.shipment_stats
  const owner = { outletId: 7, brandId: 1, regionCode: '410105' }
  // stat_date, parcels, e-waybill, paper, then eight optional columns, data quality.
  const values = (date: string, parcels: number): DbValue[] => [date, parcels, parcels, 0, null, null, null, null, null, null, null, 'measured']
  const pending = (row: number, date: string, parcels: number): PendingRow => ({ row, cells: [], record: { owner, values: values(date, parcels) } })
  const stored = (id: string, date: string, parcels: number): ExistingRow => ({ id, outletId: 7, brandId: 1, values: [date, String(parcels), String(parcels), '0', null, null, null, null, null, null, null, 'measured'] })
  const rules = (over: Partial<DedupeRules> = {}): DedupeRules => ({
    recordCode: 'shipment_stats',
    spec,
    naturalKey: ['outletCode', 'date'],
    lockedMonths: new Set(),
    replace: false,
    reason: null,
    headerOf: new Map([['date', '日期']]),
    ...over,
  })
  const chunk = [pending(2, '2025-01-01', 10), pending(3, '2025-01-02', 12), pending(4, '2025-01-03', 5)]
  // Row 2 is stored with the same figures, row 3 with 11 parcels, row 4 is new.
  const existing = new Map([
    [0, stored('100', '2025-01-01', 10)],
    [1, stored('101', '2025-01-02', 11)],
  ])

  it('counts a row stored with the same figures as a duplicate and refuses one stored with other figures', () => {
    const out = dedupeChunk(rules(), chunk, existing)
    expect(out.duplicates).toBe(1)
    expect(out.refused.map((r) => [r.p.row, r.issue.code, r.issue.params])).toEqual([[3, 'duplicate_in_database', { keyFields: 'outletCode,date' }]])
    expect(out.write.map((w) => [w.p.row, w.replaces, w.month])).toEqual([[4, null, '2025-01-01']])
  })

  it('replaces the changed row when asked to', () => {
    const out = dedupeChunk(rules({ replace: true }), chunk, existing)
    expect(out.refused).toEqual([])
    expect(out.write.map((w) => [w.p.row, w.replaces?.id ?? null])).toEqual([
      [3, '101'],
      [4, null],
    ])
  })

  it('refuses rows of a submitted month without a reason, pointing at the date column, and takes them with one', () => {
    const locked = new Set(['7|2025-01-01'])
    const refused = dedupeChunk(rules({ lockedMonths: locked }), [pending(4, '2025-01-03', 5)], new Map())
    expect(refused.refused.map((r) => [r.p.row, r.issue.code, r.issue.column, r.issue.field, r.issue.params])).toEqual([[4, 'month_locked', '日期', 'date', { month: '2025-01' }]])
    const restated = dedupeChunk(rules({ lockedMonths: locked, reason: '补录' }), [pending(4, '2025-01-03', 5)], new Map())
    expect(restated.write.map((w) => [w.p.row, w.locked])).toEqual([[4, true]])
  })
})

describe('the write stage', () => {
  it('takes the id range by numeric order, not text order', () => {
    expect(idRange(['99', '100', '7', '1000'])).toEqual({ lo: '7', hi: '1000' })
  })
})
