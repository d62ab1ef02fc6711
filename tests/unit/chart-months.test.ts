import { describe, expect, it } from 'vitest'
import { axisDomain, fillMonths, monthSpan, tickDecimals } from '#app/components/charts/months.ts'

describe('chart months', () => {
  it('puts every month on the axis, an empty one as a gap, across a new year', () => {
    const rows = [
      { month: '2025-11', value: 1 as number | null },
      { month: '2026-02', value: 4 },
    ]
    expect(fillMonths(rows, (month) => ({ month, value: null }))).toEqual([
      { month: '2025-11', value: 1 },
      { month: '2025-12', value: null },
      { month: '2026-01', value: null },
      { month: '2026-02', value: 4 },
    ])
  })

  it('says which months a chart covers, with their years', () => {
    expect(monthSpan(['2026-10', '2024-11', '2025-06'])).toBe('2024-11 – 2026-10')
    expect(monthSpan(['2026-10'])).toBe('2026-10')
    expect(monthSpan([])).toBeNull()
  })

  it('gives ticks enough decimals to differ: a 3 kg axis ticks at 0.6 kg steps', () => {
    expect(tickDecimals(3)).toBe(2)
    expect(tickDecimals(30)).toBe(1)
    expect(tickDecimals(3000)).toBe(0)
    expect(tickDecimals(0)).toBe(0)
  })

  it('keeps a target below or above the values inside the axis, away from its edge, at round steps', () => {
    // Values 95.2–98.5 %, target 90 %: spread 8.5, step 5 (8.5 / 4 = 2.125 rounded up to 1, 2, 5 × 10ⁿ);
    // 90 − 0.85 = 89.15 floors to 85, 98.5 + 0.85 = 99.35 ceils to 100.
    expect(axisDomain([95.2, null, 98.5], 90)).toEqual([85, 100])
    // Values 40–60, target 90: spread 50, step 20; 35 floors to 20, 95 ceils to 100.
    expect(axisDomain([40, 60], 90)).toEqual([20, 100])
    // All zero and no target: a unit spread, step 0.5, never below zero.
    expect(axisDomain([0, 0], null)).toEqual([0, 0.5])
    expect(axisDomain([0.3], null)).toEqual([0.2, 0.4])
    expect(axisDomain([null], null)).toBeNull()
  })
})
