import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { addSums } from '#app/domain/metrics/compute.ts'
import { sumExact } from '#app/domain/metrics/exact-sum.ts'

describe('sumExact: exact sums of numeric text', () => {
  it.each<[string, Decimal.Value[], string]>([
    ['nothing is 0', [], '0'],
    ['integers', ['1200', '800', '0'], '2000'],
    ['0.1 + 0.2 is 0.3, not 0.30000000000000004', ['0.1', '0.2'], '0.3'],
    ['fractions of different lengths line up', ['1.5', '0.25', '2'], '3.75'],
    ['trailing zeros of the fraction dropped', ['1.250', '0.750'], '2'],
    ['negatives (restatement corrections)', ['10.5', '-0.5', '-10'], '0'],
    ['a negative total', ['-1.25', '0.5'], '-0.75'],
    ['below one keeps its leading zero', ['0.004', '0.003'], '0.007'],
    ['numbers and Decimals as well as text', [3, new Decimal('0.5'), '1e2'], '103.5'],
    // 10^21 + 0.000001: Decimal's default 20 significant digits would round the millionth away.
    ['more than 20 significant digits stay exact', ['1000000000000000000000', '0.000001'], '1000000000000000000000.000001'],
  ])('%s', (_label, values, expected) => {
    expect(sumExact(values)).toBe(expected)
  })

  it('a non-finite term makes the sum non-finite, as Decimal would', () => {
    expect(sumExact(['1', 'Infinity'])).toBe('Infinity')
  })
})

describe('addSums with sumExact', () => {
  it('adds field by field, keeping fields only some parts have', () => {
    // parcels 1200 + 800; co2e_kg 209.6 + 0.45; avoided only in the first part
    expect(addSums({ parcels: '1200', co2e_kg: '209.6', avoided_co2e_kg: '2.22' }, { parcels: 800, co2e_kg: '0.45' })).toEqual({
      parcels: '2000',
      co2e_kg: '210.05',
      avoided_co2e_kg: '2.22',
    })
  })
})
