import { describe, expect, it } from 'vitest'
import { periodLabel } from '#app/domain/periods/label.ts'
import {
  addMonths,
  completeMonthsOf,
  currentMonth,
  lastCompleteMonth,
  periodState,
  shanghaiToday,
  formatPeriod,
  monthsBetween,
  monthsInPeriod,
  nextPeriod,
  parsePeriod,
  periodContaining,
  periodEnd,
  periodStart,
  previousPeriod,
  type Period,
} from '#app/domain/periods/period.ts'

function parse(text: string): Period {
  const result = parsePeriod(text)
  if (!result.ok) throw new Error(`expected ${text} to parse`)
  return result.period
}

describe('parsePeriod', () => {
  it('reads months, quarters and years', () => {
    expect(parse('2024-03')).toEqual({ kind: 'month', year: 2024, month: 3 })
    expect(parse('2024-Q1')).toEqual({ kind: 'quarter', year: 2024, quarter: 1 })
    expect(parse('2024-q4')).toEqual({ kind: 'quarter', year: 2024, quarter: 4 })
    expect(parse('2024')).toEqual({ kind: 'year', year: 2024 })
    expect(parse(' 2024-12 ')).toEqual({ kind: 'month', year: 2024, month: 12 })
  })

  it.each(['2024-13', '2024-00', '2024-Q5', '2024-Q0', '24-03', '2024-3', '2024/03', '2024年3月', '', '0999', '2024-03-01'])(
    'rejects %j with a message key naming the value',
    (text) => {
      expect(parsePeriod(text)).toEqual({
        ok: false,
        error: { field: 'period', key: 'period.error.invalid', params: { value: text } },
      })
    },
  )

  it('formats back to the same text', () => {
    for (const text of ['2024-03', '2024-Q1', '2024']) expect(formatPeriod(parse(text))).toBe(text)
  })
})

describe('period dates', () => {
  it('gives first and last days, leap years included', () => {
    expect(periodStart(parse('2024-02'))).toBe('2024-02-01')
    expect(periodEnd(parse('2024-02'))).toBe('2024-02-29') // 2024 is divisible by 4
    expect(periodEnd(parse('2023-02'))).toBe('2023-02-28')
    expect(periodEnd(parse('2100-02'))).toBe('2100-02-28') // divisible by 100, not by 400
    expect(periodEnd(parse('2000-02'))).toBe('2000-02-29') // divisible by 400
    expect(periodEnd(parse('2024-04'))).toBe('2024-04-30')
    expect(periodStart(parse('2024-Q2'))).toBe('2024-04-01')
    expect(periodEnd(parse('2024-Q1'))).toBe('2024-03-31')
    expect(periodEnd(parse('2024-Q3'))).toBe('2024-09-30')
    expect(periodStart(parse('2024'))).toBe('2024-01-01')
    expect(periodEnd(parse('2024'))).toBe('2024-12-31')
  })

  it('lists the months of a period', () => {
    expect(monthsInPeriod(parse('2024-03'))).toEqual(['2024-03'])
    expect(monthsInPeriod(parse('2024-Q4'))).toEqual(['2024-10', '2024-11', '2024-12'])
    const year = monthsInPeriod(parse('2024'))
    expect(year).toHaveLength(12)
    expect(year[0]).toBe('2024-01')
    expect(year[11]).toBe('2024-12')
  })

  it('steps to the previous and next period across year ends', () => {
    expect(formatPeriod(previousPeriod(parse('2024-01')))).toBe('2023-12')
    expect(formatPeriod(previousPeriod(parse('2024-03')))).toBe('2024-02')
    expect(formatPeriod(previousPeriod(parse('2024-Q1')))).toBe('2023-Q4')
    expect(formatPeriod(previousPeriod(parse('2024-Q3')))).toBe('2024-Q2')
    expect(formatPeriod(previousPeriod(parse('2024')))).toBe('2023')
    expect(formatPeriod(nextPeriod(parse('2023-12')))).toBe('2024-01')
    expect(formatPeriod(nextPeriod(parse('2023-Q4')))).toBe('2024-Q1')
  })

  it('finds the period containing a date, and does month arithmetic', () => {
    expect(formatPeriod(periodContaining('quarter', '2024-08-15'))).toBe('2024-Q3')
    expect(formatPeriod(periodContaining('month', '2024-08-15'))).toBe('2024-08')
    expect(formatPeriod(periodContaining('year', '2024-08'))).toBe('2024')
    expect(addMonths('2023-11', 3)).toBe('2024-02')
    expect(addMonths('2024-01', -1)).toBe('2023-12')
    expect(monthsBetween('2023-06', '2023-12')).toBe(6)
    expect(monthsBetween('2024-02', '2023-12')).toBe(-2)
  })
})

describe('periodLabel', () => {
  it('writes periods as people read them, in Chinese and English', () => {
    expect(periodLabel(parse('2024-03'), 'zh-CN')).toBe('2024年3月')
    expect(periodLabel(parse('2024-03'), 'en')).toBe('March 2024')
    expect(periodLabel(parse('2024-Q1'), 'zh-CN')).toBe('2024年第1季度')
    expect(periodLabel(parse('2024-Q1'), 'en')).toBe('Q1 2024')
    expect(periodLabel(parse('2024'), 'zh-CN')).toBe('2024年')
    expect(periodLabel(parse('2024'), 'en')).toBe('2024')
  })
})

describe('complete and provisional periods (Asia/Shanghai)', () => {
  it('a month is complete once its last day has passed in Shanghai, not in UTC', () => {
    // 2026-11-30T15:59Z is 23:59 on 30 November in Shanghai: November still in progress.
    expect(currentMonth(new Date('2026-11-30T15:59:00Z'))).toBe('2026-11')
    expect(lastCompleteMonth(new Date('2026-11-30T15:59:00Z'))).toBe('2026-10')
    // 16:00Z is midnight on 1 December in Shanghai: November is complete.
    expect(currentMonth(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12')
    expect(lastCompleteMonth(new Date('2026-11-30T16:00:00Z'))).toBe('2026-11')
    expect(shanghaiToday(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01')
  })

  it('tells complete, to-date and provisional periods apart on 7 December 2026', () => {
    const now = new Date('2026-12-07T02:00:00Z')
    expect(periodState({ kind: 'month', year: 2026, month: 11 }, now)).toBe('complete')
    expect(periodState({ kind: 'month', year: 2026, month: 12 }, now)).toBe('provisional')
    expect(periodState({ kind: 'quarter', year: 2026, quarter: 4 }, now)).toBe('to_date')
    expect(periodState({ kind: 'year', year: 2026 }, now)).toBe('to_date')
    expect(periodState({ kind: 'year', year: 2025 }, now)).toBe('complete')
    expect(periodState({ kind: 'year', year: 2027 }, now)).toBe('provisional')
    // The year to date is January to November: eleven complete months.
    expect(completeMonthsOf({ kind: 'year', year: 2026 }, now)).toEqual([
      '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11',
    ])
    expect(completeMonthsOf({ kind: 'quarter', year: 2026, quarter: 4 }, now)).toEqual(['2026-10', '2026-11'])
    expect(completeMonthsOf({ kind: 'month', year: 2026, month: 12 }, now)).toEqual([])
  })
})
