import { describe, expect, it } from 'vitest'
import { formatDecimal, formatPercent } from '#app/i18n/format.ts'
import { translate, type MessageKey } from '#app/i18n/index.ts'

// Every area's catalog module (each exports one object: locale → key → template).
const areas = Object.values(import.meta.glob<Record<string, Record<'zh-CN' | 'en', Record<string, string>>>>('../../app/i18n/messages/*.ts', { eager: true })).flatMap((module) => Object.values(module))

describe('message catalogs', () => {
  it('defaults to Chinese and fills placeholders', () => {
    expect(translate('zh-CN', 'error.status', { status: 403 })).toBe('状态码 403')
    expect(translate('en', 'error.status', { status: 403 })).toBe('Status 403')
  })

  it('fills every template of both catalogs as a replace of each placeholder would, leaving unknown ones', () => {
    let filled = 0
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const [key, template] of areas.flatMap((area) => Object.entries(area[locale]))) {
        const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)
        // Every other placeholder given (a value with braces and a $ in it), the rest left as they are.
        const params = Object.fromEntries(names.filter((_, i) => i % 2 === 0).map((name, i) => [name, i % 2 ? 7 : `{$&${name}}`]))
        const expected = template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
        expect(translate(locale, key as MessageKey, params)).toBe(expected)
        expect(translate(locale, key as MessageKey, params)).toBe(expected)
        if (names.length > 0) filled++
      }
    }
    expect(filled).toBeGreaterThan(100)
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
