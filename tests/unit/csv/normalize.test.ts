import { describe, expect, it } from 'vitest'
import { normalizeNumberText, parseDateText, parseMonthText, toHalfWidth } from '#app/domain/csv/normalize.ts'

describe('numbers', () => {
  it('reads full-width digits and punctuation', () => {
    expect(normalizeNumberText('１２３４')).toEqual({ ok: true, text: '1234' })
    expect(normalizeNumberText('１２．５')).toEqual({ ok: true, text: '12.5' })
    expect(toHalfWidth('　ＳＦ－０１　')).toBe('SF-01')
  })

  it('drops thousands separators, half- or full-width, only between groups of three', () => {
    expect(normalizeNumberText('1,234')).toEqual({ ok: true, text: '1234' })
    expect(normalizeNumberText('1，234')).toEqual({ ok: true, text: '1234' })
    expect(normalizeNumberText('1,234,567.25')).toEqual({ ok: true, text: '1234567.25' })
    expect(normalizeNumberText('１，２３４，５６７')).toEqual({ ok: true, text: '1234567' })
  })

  it('refuses a decimal comma or misplaced separators rather than guess', () => {
    expect(normalizeNumberText('1,5')).toEqual({ ok: false, code: 'not_a_number' })
    expect(normalizeNumberText('12,34')).toEqual({ ok: false, code: 'not_a_number' })
    expect(normalizeNumberText('1,2345')).toEqual({ ok: false, code: 'not_a_number' })
  })

  it('trims surrounding spaces, including the ideographic space', () => {
    expect(normalizeNumberText('  42 ')).toEqual({ ok: true, text: '42' })
    expect(normalizeNumberText('\u300042\u3000')).toEqual({ ok: true, text: '42' })
  })

  it('tells negative numbers apart from non-numbers', () => {
    expect(normalizeNumberText('-3')).toEqual({ ok: false, code: 'negative' })
    expect(normalizeNumberText('－3')).toEqual({ ok: false, code: 'negative' })
    expect(normalizeNumberText('-0')).toEqual({ ok: true, text: '0' })
    expect(normalizeNumberText('1.2E+05')).toEqual({ ok: false, code: 'not_a_number' })
    expect(normalizeNumberText('12kg')).toEqual({ ok: false, code: 'not_a_number' })
  })

  it('writes a leading or trailing point out in full', () => {
    expect(normalizeNumberText('.5')).toEqual({ ok: true, text: '0.5' })
    expect(normalizeNumberText('5.')).toEqual({ ok: true, text: '5' })
  })
})

describe('dates', () => {
  it.each([
    ['2024-03-01', '2024-03-01'],
    ['2024/3/1', '2024-03-01'],
    ['2024/03/01', '2024-03-01'],
    ['2024.3.1', '2024-03-01'],
    ['2024年3月1日', '2024-03-01'],
    ['2024 年 3 月 1 日', '2024-03-01'],
    ['２０２４年３月１日', '2024-03-01'],
    ['2024/3/1 0:00', '2024-03-01'],
    [' 2024-3-1 ', '2024-03-01'],
    ['2024-02-29', '2024-02-29'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseDateText(text)).toBe(iso)
  })

  it.each(['2023-02-29', '2024-02-30', '2024-13-01', '2024/3', '3/1/2024', '45352', '2024-03-01 14:30', '2024/3-1'])('refuses %s', (text) => {
    expect(parseDateText(text)).toBeNull()
  })
})

describe('months', () => {
  it.each([
    ['2024-03', '2024-03'],
    ['2024/3', '2024-03'],
    ['2024.03', '2024-03'],
    ['2024年3月', '2024-03'],
    ['２０２４年１２月', '2024-12'],
  ])('reads %s as %s', (text, month) => {
    expect(parseMonthText(text)).toBe(month)
  })

  it.each(['2024-13', '2024-00', '2024-03-01', '24/3', 'March 2024'])('refuses %s', (text) => {
    expect(parseMonthText(text)).toBeNull()
  })
})
