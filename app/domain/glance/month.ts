import Decimal from 'decimal.js'
import { recordCodes, recordDefinitions, type RecordCode, type RecordDefinition } from '#app/domain/activity/definitions.ts'
import type { Comparison } from '#app/domain/metrics/targets.ts'
import { satisfies, type TargetStatus } from '#app/domain/metrics/status.ts'
import { addMonths, daysInMonth } from '#app/domain/periods/period.ts'

/**
 * The outlet's month at a glance: what is still to be entered and how a
 * month's status is shown. Pure; the service reads the records and the report.
 */

/** Records an outlet enters once a month (or once per vehicle a month); shipments are daily. */
export const monthlyRecordCodes: readonly RecordCode[] = recordCodes.filter((code) => (recordDefinitions[code] as RecordDefinition).enteredMonthly)

export interface MissingForMonth {
  /** Days of the month up to today (inclusive) with no shipment statistics, oldest first. */
  missingDays: string[]
  /** Monthly record kinds with nothing entered for the month yet. */
  monthlyRecords: RecordCode[]
}

/**
 * What is still missing for `month` as of `today` (both in the outlet's time
 * zone, `YYYY-MM` and `YYYY-MM-DD`). A month in the future misses nothing yet;
 * a past month is checked over all its days.
 */
export function missingForMonth(
  month: string,
  today: string,
  shipmentDates: readonly string[],
  counts: Readonly<Record<string, number>>,
): MissingForMonth {
  const thisMonth = today.slice(0, 7)
  if (month > thisMonth) return { missingDays: [], monthlyRecords: [] }
  const year = Number(month.slice(0, 4))
  const lastDay = month === thisMonth ? Number(today.slice(8, 10)) : daysInMonth(year, Number(month.slice(5, 7)))
  const entered = new Set(shipmentDates)
  const missingDays: string[] = []
  for (let day = 1; day <= lastDay; day++) {
    const date = `${month}-${String(day).padStart(2, '0')}`
    if (!entered.has(date)) missingDays.push(date)
  }
  return { missingDays, monthlyRecords: monthlyRecordCodes.filter((code) => (counts[code] ?? 0) === 0) }
}

/**
 * Consecutive dates folded into ranges for reading: 1, 2, 3, 5 → [1–3], [5].
 * Dates must be sorted and in one month.
 */
export function dateRanges(dates: readonly string[]): { from: string; to: string }[] {
  const ranges: { from: string; to: string }[] = []
  for (const date of dates) {
    const last = ranges[ranges.length - 1]
    if (last && Number(date.slice(8, 10)) === Number(last.to.slice(8, 10)) + 1 && date.slice(0, 7) === last.to.slice(0, 7)) last.to = date
    else ranges.push({ from: date, to: date })
  }
  return ranges
}

/** The month before `month`, whose submission the home page reminds of. */
export function previousMonth(month: string): string {
  return addMonths(month, -1)
}

/**
 * How a month's status reads on the home page. A month still running is
 * provisional whatever the figures say so far: a met or missed verdict on
 * seven days of data would be read as final. For it, `meetsSoFar` says where
 * the value stands against a plain target today (null when there is no value
 * or the target is not a plain comparison).
 */
export type GlanceStatus = TargetStatus

export function glanceStatus(
  verdict: TargetStatus | null,
  monthIsRunning: boolean,
): GlanceStatus | null {
  if (verdict === null) return null
  return monthIsRunning ? 'provisional' : verdict
}

export function meetsSoFar(
  value: string | null,
  target: { kind: string; comparison: Comparison; value: string } | null,
): boolean | null {
  if (value === null || target === null || target.kind !== 'rate') return null
  return satisfies(new Decimal(value), target.comparison, new Decimal(target.value))
}
