/**
 * Reporting periods: a calendar month, quarter or year, written as
 * `2024-03`, `2024-Q1` and `2024`. Dates are ISO strings (`2024-03-31`), never
 * Date objects, so that no server time zone can shift a month boundary.
 */

export type PeriodKind = 'month' | 'quarter' | 'year'

export type Period =
  | { kind: 'month'; year: number; month: number }
  | { kind: 'quarter'; year: number; quarter: number }
  | { kind: 'year'; year: number }

/** A month as `YYYY-MM`: the unit every series and rollup is kept in. */
export type Month = string

export interface PeriodError {
  field: 'period'
  key: 'period.error.invalid'
  params: { value: string }
}

export type ParsePeriodResult = { ok: true; period: Period } | { ok: false; error: PeriodError }

// Years outside this range are almost certainly typing mistakes in a URL or
// form, not real reporting periods.
const minYear = 1900
const maxYear = 2999

const monthPattern = /^(\d{4})-(\d{2})$/
const quarterPattern = /^(\d{4})-[Qq]([1-4])$/
const yearPattern = /^(\d{4})$/
const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/

export function parsePeriod(text: string): ParsePeriodResult {
  const value = text.trim()
  const invalid: ParsePeriodResult = {
    ok: false,
    error: { field: 'period', key: 'period.error.invalid', params: { value: text } },
  }
  let match = monthPattern.exec(value)
  if (match) {
    const year = Number(match[1])
    const month = Number(match[2])
    if (!yearInRange(year) || month < 1 || month > 12) return invalid
    return { ok: true, period: { kind: 'month', year, month } }
  }
  match = quarterPattern.exec(value)
  if (match) {
    const year = Number(match[1])
    if (!yearInRange(year)) return invalid
    return { ok: true, period: { kind: 'quarter', year, quarter: Number(match[2]) } }
  }
  match = yearPattern.exec(value)
  if (match) {
    const year = Number(match[1])
    if (!yearInRange(year)) return invalid
    return { ok: true, period: { kind: 'year', year } }
  }
  return invalid
}

export function formatPeriod(period: Period): string {
  switch (period.kind) {
    case 'month':
      return formatMonth(period.year, period.month)
    case 'quarter':
      return `${period.year}-Q${period.quarter}`
    case 'year':
      return String(period.year)
  }
}

/** First day of the period, `YYYY-MM-DD`. */
export function periodStart(period: Period): string {
  const first = firstMonth(period)
  return `${formatMonth(first.year, first.month)}-01`
}

/** Last day of the period (inclusive), `YYYY-MM-DD`. */
export function periodEnd(period: Period): string {
  const last = lastMonth(period)
  return `${formatMonth(last.year, last.month)}-${pad2(daysInMonth(last.year, last.month))}`
}

/** The months of the period, in order, as `YYYY-MM`. */
export function monthsInPeriod(period: Period): Month[] {
  const first = firstMonth(period)
  const count = period.kind === 'month' ? 1 : period.kind === 'quarter' ? 3 : 12
  const start = monthIndex(formatMonth(first.year, first.month))
  return Array.from({ length: count }, (_, i) => monthFromIndex(start + i))
}

export function previousPeriod(period: Period): Period {
  return shiftPeriod(period, -1)
}

export function nextPeriod(period: Period): Period {
  return shiftPeriod(period, 1)
}

/** The period of the given kind that contains an ISO date or month. */
export function periodContaining(kind: PeriodKind, dateOrMonth: string): Period {
  const month = yearMonthOf(dateOrMonth)
  const year = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  switch (kind) {
    case 'month':
      return { kind, year, month: m }
    case 'quarter':
      return { kind, year, quarter: Math.ceil(m / 3) }
    case 'year':
      return { kind, year }
  }
}

/** The month (`YYYY-MM`) of an ISO date `YYYY-MM-DD`, or a month itself. */
export function yearMonthOf(dateOrMonth: string): Month {
  const match = isoDatePattern.exec(dateOrMonth) ?? monthPattern.exec(dateOrMonth)
  if (!match) throw new Error(`Not an ISO date or month: ${dateOrMonth}`)
  return dateOrMonth.slice(0, 7)
}

/** Months since year 0: makes month arithmetic plain integer arithmetic. */
export function monthIndex(month: Month): number {
  const match = monthPattern.exec(month)
  if (!match) throw new Error(`Not a month (YYYY-MM): ${month}`)
  return Number(match[1]) * 12 + Number(match[2]) - 1
}

export function monthFromIndex(index: number): Month {
  const year = Math.floor(index / 12)
  return formatMonth(year, index - year * 12 + 1)
}

export function addMonths(month: Month, count: number): Month {
  return monthFromIndex(monthIndex(month) + count)
}

/** Whole months from `from` to `to` (negative when `to` is earlier). */
export function monthsBetween(from: Month, to: Month): number {
  return monthIndex(to) - monthIndex(from)
}

/** Strict `YYYY-MM-DD` check, including the day existing in that month. */
export function isIsoDate(value: string): boolean {
  const match = isoDatePattern.exec(value)
  if (!match) return false
  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function shiftPeriod(period: Period, step: number): Period {
  switch (period.kind) {
    case 'month': {
      const index = monthIndex(formatMonth(period.year, period.month)) + step
      const month = monthFromIndex(index)
      return { kind: 'month', year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)) }
    }
    case 'quarter': {
      const index = period.year * 4 + period.quarter - 1 + step
      const year = Math.floor(index / 4)
      return { kind: 'quarter', year, quarter: index - year * 4 + 1 }
    }
    case 'year':
      return { kind: 'year', year: period.year + step }
  }
}

function firstMonth(period: Period): { year: number; month: number } {
  switch (period.kind) {
    case 'month':
      return { year: period.year, month: period.month }
    case 'quarter':
      return { year: period.year, month: period.quarter * 3 - 2 }
    case 'year':
      return { year: period.year, month: 1 }
  }
}

function lastMonth(period: Period): { year: number; month: number } {
  switch (period.kind) {
    case 'month':
      return { year: period.year, month: period.month }
    case 'quarter':
      return { year: period.year, month: period.quarter * 3 }
    case 'year':
      return { year: period.year, month: 12 }
  }
}

function yearInRange(year: number): boolean {
  return year >= minYear && year <= maxYear
}

function formatMonth(year: number, month: number): Month {
  return `${String(year).padStart(4, '0')}-${pad2(month)}`
}

function pad2(value: number): string {
  return String(value).padStart(2, '0')
}

// --- complete and provisional periods ---------------------------------------

/**
 * Reports are read in China: a month is complete once its last day has
 * passed in Asia/Shanghai, which is UTC+8 all year (no daylight saving), so
 * a fixed offset is exact and no time zone database is needed.
 */
const shanghaiOffsetMs = 8 * 60 * 60 * 1000

/** Today's date in Asia/Shanghai, `YYYY-MM-DD`. */
export function shanghaiToday(now: Date): string {
  return new Date(now.getTime() + shanghaiOffsetMs).toISOString().slice(0, 10)
}

/** The month in progress in Asia/Shanghai: every month before it is complete. */
export function currentMonth(now: Date): Month {
  return yearMonthOf(shanghaiToday(now))
}

/** The last month whose last day has passed in Asia/Shanghai. */
export function lastCompleteMonth(now: Date): Month {
  return addMonths(currentMonth(now), -1)
}

export function isMonthComplete(month: Month, now: Date): boolean {
  return monthsBetween(month, currentMonth(now)) > 0
}

/**
 * How much of a period has passed: `complete` (every month), `to_date` (some
 * months complete, the rest in progress or ahead: a quarter or year to date)
 * or `provisional` (no month complete yet).
 */
export type PeriodState = 'complete' | 'to_date' | 'provisional'

export function periodState(period: Period, now: Date): PeriodState {
  const months = monthsInPeriod(period)
  const complete = months.filter((m) => isMonthComplete(m, now)).length
  if (complete === months.length) return 'complete'
  return complete === 0 ? 'provisional' : 'to_date'
}

/** The period's complete months, in order (none for a provisional period). */
export function completeMonthsOf(period: Period, now: Date): Month[] {
  return monthsInPeriod(period).filter((m) => isMonthComplete(m, now))
}
