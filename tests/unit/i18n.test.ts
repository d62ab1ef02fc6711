import { describe, expect, it } from 'vitest'
import { formatDecimal, formatPercent } from '#app/i18n/format.ts'
import { translate } from '#app/i18n/index.ts'

describe('message catalogs', () => {
  it('defaults to Chinese and fills placeholders', () => {
    expect(translate('zh-CN', 'error.status', { status: 403 })).toBe('状态码 403')
    expect(translate('en', 'error.status', { status: 403 })).toBe('Status 403')
  })
})

describe('number formatting', () => {
  it('rounds half up once, exactly, without floats', () => {
    // 0.1 + 0.2 style traps and long decimals must survive intact
    expect(formatDecimal('en', '1234567890123.445', 2)).toBe('1,234,567,890,123.45')
    expect(formatDecimal('zh-CN', '2.5', 0)).toBe('3')
    expect(formatDecimal('en', '-2.5', 0)).toBe('-3')
    expect(formatDecimal('en', null, 2)).toBe('—')
  })
  it('formats ratios as percentages', () => {
    expect(formatPercent('zh-CN', '0.90455', 1)).toBe('90.5%')
    expect(formatPercent('en', '1', 0)).toBe('100%')
  })
})
