import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { sampleAction, sampleValues } from '#app/domain/csv/preview-sample.ts'

describe('an import preview’s sample rows', () => {
  it('keeps values exact: decimals in full (never 1e-7), counts as digits, an empty optional field empty', () => {
    expect(sampleValues({ date: '2024-03-01', parcels: 1200, massKg: new Decimal('0.0000001'), electricityKwh: new Decimal('12500.50'), recycler: null })).toEqual({
      date: '2024-03-01',
      parcels: '1200',
      massKg: '0.0000001',
      electricityKwh: '12500.5',
      recycler: '',
    })
  })

  it('says how each row is written: new, replacing a stored record, or restating a submitted month', () => {
    expect(sampleAction(false, false)).toBe('new')
    expect(sampleAction(true, false)).toBe('replace')
    expect(sampleAction(true, true)).toBe('restate')
    expect(sampleAction(false, true)).toBe('restate')
  })
})
