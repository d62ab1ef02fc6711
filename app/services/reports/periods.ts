import type { Kysely } from 'kysely'
import {
  addMonths,
  completeMonthsOf,
  currentMonth,
  daysInMonth,
  yearMonthOf,
  monthsBetween,
  monthsInPeriod,
  parsePeriod,
  periodEnd,
  periodState,
  type Month,
  type Period,
  type PeriodState,
} from '#app/domain/periods/period.ts'
import { rollupMonthRange, rollupMonths, type MonthRange } from '#db/models/reports.ts'
import type { Database } from '#db/schema.ts'
import type { PeriodChoices } from './types.ts'

/**
 * The periods the rollups hold data for, newest first, for the period
 * picker. Pages open on `latest`: the last complete month (Asia/Shanghai)
 * that holds data, never the month in progress, which can still be chosen
 * (`inProgress`) and is labelled provisional.
 */
export async function reportPeriods(db: Kysely<Database>, now: Date): Promise<PeriodChoices> {
  const current = currentMonth(now)
  const { range, lastBefore: lastComplete } = await rollupMonths(db, current)
  if (!range) return { latest: null, inProgress: current, months: [], quarters: [], years: [] }
  const months: string[] = []
  for (let m = range.to; monthsBetween(range.from, m) >= 0; m = addMonths(m, -1)) months.push(m)
  const quarters = [...new Set(months.map((m) => `${m.slice(0, 4)}-Q${Math.ceil(Number(m.slice(5, 7)) / 3)}`))]
  const years = [...new Set(months.map((m) => m.slice(0, 4)))]
  // Only the month in progress holds data: it is all there is to show.
  return { latest: lastComplete ?? range.to, inProgress: current, months, quarters, years }
}

export interface EffectiveEnd {
  /** The last day the figures and verdicts are judged at. */
  endDate: string
  endMonth: Month
  /** The months whose sums make the period's figures: its complete months, or all of a provisional period. */
  months: Month[]
  horizon: MonthRange | null
  state: PeriodState
}

/**
 * The months a period's figures pool. A complete period: all of them. A
 * quarter or year to date: its complete months only, and it is judged at the
 * last of them that holds data (or at the last complete one), never at a
 * month in progress. A period with no complete month is provisional: its
 * months are shown as they stand, without a verdict.
 */
export async function effectiveEnd(
  db: Kysely<Database>,
  period: Period,
  now: Date,
  /** The rollups' month range when the caller has just read it (periodsRange), else read here. */
  known?: MonthRange | null,
): Promise<EffectiveEnd> {
  const all = monthsInPeriod(period)
  const horizon = known !== undefined ? known : await rollupMonthRange(db)
  const state = periodState(period, now)
  const calendarEnd = periodEnd(period)
  if (state !== 'to_date') return { endDate: calendarEnd, endMonth: yearMonthOf(calendarEnd), months: all, horizon, state }
  const complete = completeMonthsOf(period, now)
  let endMonth = complete[complete.length - 1]!
  if (horizon && monthsBetween(horizon.to, endMonth) > 0 && monthsBetween(complete[0]!, horizon.to) >= 0) endMonth = horizon.to
  const months = complete.filter((m) => monthsBetween(m, endMonth) >= 0)
  const year = Number(endMonth.slice(0, 4))
  const month = Number(endMonth.slice(5, 7))
  return { endDate: `${endMonth}-${String(daysInMonth(year, month)).padStart(2, '0')}`, endMonth, months, horizon, state }
}

/** The rollups' month range as the period choices hold it (months, newest first). */
export function periodsRange(periods: PeriodChoices): MonthRange | null {
  return periods.months.length > 0 ? { from: periods.months[periods.months.length - 1]!, to: periods.months[0]! } : null
}

export function pickPeriod(value: string | null, periods: PeriodChoices): { period: Period | null; invalid: string | null } {
  const fallback = periods.latest ? parsePeriod(periods.latest) : null
  const latest = fallback?.ok ? fallback.period : null
  if (value === null || value === '') return { period: latest, invalid: null }
  const parsed = parsePeriod(value)
  return parsed.ok ? { period: parsed.period, invalid: null } : { period: latest, invalid: value.slice(0, 40) }
}
