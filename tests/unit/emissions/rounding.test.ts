import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { roundParts } from '#app/domain/emissions/rounding.ts'

const ds = (...values: string[]) => values.map((v) => new Decimal(v))
const str = (values: Decimal[]) => values.map((v) => v.toFixed())

describe('roundParts: shown parts add up to the shown total', () => {
  it('gives the missing unit to the largest remainders', () => {
    // exact 107.3 + 539.5 + 426.8187 = 1073.6187 → total 1074
    // floors 107 + 539 + 426 = 1072; 2 units missing → .8187 (426 → 427) and .5 (539 → 540)
    const r = roundParts(ds('107.3', '539.5', '426.8187'), 0)
    expect(str(r.parts)).toEqual(['107', '540', '427'])
    expect(r.total.toFixed()).toBe('1074')
    expect(r.exactTotal.toFixed()).toBe('1073.6187')
  })

  it('reconciles where rounding each part would not', () => {
    // 0.4 + 0.4 + 0.4 = 1.2 → 1; naive rounding shows 0 + 0 + 0. Tie: the first part gets the unit.
    expect(str(roundParts(ds('0.4', '0.4', '0.4'), 0).parts)).toEqual(['1', '0', '0'])
    // 1.5 × 3 = 4.5 → 5 (half up); naive half-up shows 2 + 2 + 2 = 6
    const r = roundParts(ds('1.5', '1.5', '1.5'), 0)
    expect([str(r.parts), r.total.toFixed()]).toEqual([['2', '2', '1'], '5'])
  })

  it('works at any number of decimals', () => {
    // 0.3648 + 0.0490056 + 0.0069606 + 0.0060525 = 0.4268187 kg → 0.427 at 3 d.p.
    // floors 0.364 0.049 0.006 0.006 = 0.425; 2 missing → remainders .9606 (tape) and .8 (board)
    const r = roundParts(ds('0.3648', '0.0490056', '0.0069606', '0.0060525'), 3)
    expect(str(r.parts)).toEqual(['0.365', '0.049', '0.007', '0.006'])
    expect(r.total.toFixed()).toBe('0.427')
    expect(r.parts.reduce((s, p) => s.plus(p), new Decimal(0)).eq(r.total)).toBe(true)
  })

  it('leaves already-round parts alone and handles an empty list', () => {
    expect(str(roundParts(ds('1.25', '2.50'), 2).parts)).toEqual(['1.25', '2.5'])
    const empty = roundParts([], 1)
    expect([empty.parts, empty.total.toFixed()]).toEqual([[], '0'])
  })

  it('keeps every part within one display step of its own value', () => {
    const parts = ds('0.19', '0.19', '0.19', '0.19', '0.19', '0.05')
    const r = roundParts(parts, 1)
    expect(r.total.toFixed()).toBe('1') // 1.00
    expect(r.parts.reduce((s, p) => s.plus(p), new Decimal(0)).toFixed()).toBe('1')
    r.parts.forEach((p, i) => expect(p.minus(parts[i]!).abs().lt('0.1')).toBe(true))
  })

  it('refuses a negative number of decimals', () => {
    expect(() => roundParts(ds('1'), -1)).toThrow(RangeError)
  })
})
