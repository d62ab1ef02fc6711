import type { Kysely } from 'kysely'
import { addMonths, daysInMonth, yearMonthOf, monthsBetween, monthsInPeriod, parsePeriod, periodEnd, type Month, type Period } from '#app/domain/periods/period.ts'
import { rollupMonthRange, type MonthRange } from '#db/models/reports.ts'
import type { Database } from '#db/schema.ts'
import type { PeriodChoices } from './types.ts'

/** The periods the rollups hold data for, newest first, for the period picker. */
export async function reportPeriods(db: Kysely<Database>): Promise<PeriodChoices> {
  const range = await rollupMonthRange(db)
  if (!range) return { latest: null, months: [], quarters: [], years: [] }
  const months: string[] = []
  for (let m = range.to; monthsBetween(range.from, m) >= 0; m = addMonths(m, -1)) months.push(m)
  const quarters = [...new Set(months.map((m) => `${m.slice(0, 4)}-Q${Math.ceil(Number(m.slice(5, 7)) / 3)}`))]
  const years = [...new Set(months.map((m) => m.slice(0, 4)))]
  return { latest: range.to, months, quarters, years }
}

/**
 * A period still running (this year, this quarter) is judged at the last
 * month the rollups hold, not at its calendar end: otherwise every
 * year-to-date report would read "no data for the last month".
 */
export async function effectiveEnd(
  db: Kysely<Database>,
  period: Period,
): Promise<{ endDate: string; endMonth: Month; months: Month[]; horizon: MonthRange | null }> {
  const all = monthsInPeriod(period)
  const horizon = await rollupMonthRange(db)
  const calendarEnd = periodEnd(period)
  if (!horizon || monthsBetween(horizon.to, yearMonthOf(calendarEnd)) <= 0 || monthsBetween(all[0]!, horizon.to) < 0) {
    return { endDate: calendarEnd, endMonth: yearMonthOf(calendarEnd), months: all, horizon }
  }
  const months = all.filter((m) => monthsBetween(m, horizon.to) >= 0)
  const endMonth = horizon.to
  const year = Number(endMonth.slice(0, 4))
  const month = Number(endMonth.slice(5, 7))
  return { endDate: `${endMonth}-${String(daysInMonth(year, month)).padStart(2, '0')}`, endMonth, months, horizon }
}

export function pickPeriod(value: string | null, periods: PeriodChoices): { period: Period | null; invalid: string | null } {
  const fallback = periods.latest ? parsePeriod(periods.latest) : null
  const latest = fallback?.ok ? fallback.period : null
  if (value === null || value === '') return { period: latest, invalid: null }
  const parsed = parsePeriod(value)
  return parsed.ok ? { period: parsed.period, invalid: null } : { period: latest, invalid: value.slice(0, 40) }
}
