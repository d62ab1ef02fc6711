import { describe, expect, it } from 'vitest'
import { fillMonths, monthSpan, tickDecimals } from '#app/components/charts/months.ts'

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
})
