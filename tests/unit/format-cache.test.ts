import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime, formatDecimal, formatPercent } from '#app/i18n/format.ts'

// Formatters are kept per locale and option set: interleaved calls with other
// locales and digits must each still get their own.
describe('cached formatters', () => {
  it('keep locale and fraction digits apart when calls interleave', () => {
    expect(formatDecimal('zh-CN', '1234567.125', 2)).toBe('1,234,567.13')
    expect(formatDecimal('en', '1234567.125', 0)).toBe('1,234,567')
    expect(formatDecimal('zh-CN', '0.5', 0)).toBe('1')
    expect(formatDecimal('en', '1234567.125', 2)).toBe('1,234,567.13')
    expect(formatPercent('en', '0.12345', 1)).toBe('12.3%')
    expect(formatDecimal('zh-CN', null, 2)).toBe('—')
  })

  it('show dates in China Standard Time, with and without the time', () => {
    // 2026-03-31 17:30 UTC is 2026-04-01 01:30 in Beijing.
    expect(formatDate('en', '2026-03-31T17:30:00Z')).toBe('04/01/2026')
    expect(formatDateTime('zh-CN', '2026-03-31T17:30:00Z')).toBe('2026/04/01 01:30')
    expect(formatDate('zh-CN', new Date('2026-03-31T17:30:00Z'))).toBe('2026/04/01')
  })
})
