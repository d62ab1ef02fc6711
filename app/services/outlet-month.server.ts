import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { glanceStatus, meetsSoFar, missingForMonth, previousMonth, type GlanceStatus, type MissingForMonth } from '#app/domain/glance/month.ts'
import { metricCodes, type MetricCode } from '#app/domain/metrics/definitions.ts'
import { parsePeriod } from '#app/domain/periods/period.ts'
import { countRecordsByMonth, listShipmentDays, listSubmissions } from '#db/models/activity.ts'
import type { OutletRow } from '#db/models/outlets.ts'
import type { Database } from '#db/schema.ts'
import { chinaToday } from './activity.server.ts'
import { buildReports, type MetricRow, type Report, type TargetView } from './reports.server.ts'

/**
 * The outlet home page's month at a glance. The figures and verdicts are the
 * compliance report's own (buildReports): this adapter only picks what a clerk
 * needs and marks the running month provisional, so that a change to how
 * reports judge a month reaches the home page unchanged.
 */

/** What the glance says of a target: its figure and deadline (targetText), not its source. */
export type GlanceTarget = Pick<TargetView, 'metric' | 'comparison' | 'value' | 'deadline' | 'kind'>

export interface GlanceMetric {
  code: MetricCode
  value: string | null
  target: GlanceTarget | null
  status: GlanceStatus | null
  /** Running month only: where the value stands against a plain target so far. */
  meetsSoFar: boolean | null
}

export interface MonthGlance {
  month: string
  running: boolean
  /** Records entered for the month, all kinds: 0 means no data, not zero figures. */
  records: number
  parcels: string | null
  co2eKg: string | null
  avoidedCo2eKg: string | null
  factorSetVersions: string[]
  metrics: GlanceMetric[]
  submitted: boolean
}

/** Today's daily shipment statistics, when entered: the counter's first question. */
export interface TodayShipment {
  id: string
  parcels: string
  eWaybillParcels: string
}

export interface OutletGlance {
  today: string
  todayShipment: TodayShipment | null
  thisMonth: MonthGlance
  lastMonth: MonthGlance
  missing: MissingForMonth
}

/** Metrics always shown, targets or not: the first things a clerk is asked about. */
const alwaysShown: readonly MetricCode[] = ['e_waybill_rate']

export async function outletMonthGlance(
  db: Kysely<Database>,
  viewer: Viewer,
  outletId: number,
  /** `outlet`: the outlet as the caller reads it for this viewer anyway (ReportOptions). */
  options: { today?: string; now?: Date; outlet?: Promise<OutletRow | undefined> } = {},
): Promise<{ ok: true; glance: OutletGlance } | { ok: false; status: 403 | 404 }> {
  const today = options.today ?? chinaToday()
  const now = options.now ?? new Date()
  const thisMonth = today.slice(0, 7)
  const lastMonth = previousMonth(thisMonth)
  const periodOf = (month: string) => {
    const period = parsePeriod(month)
    if (!period.ok) throw new Error(`not a month: ${month}`)
    return period.period
  }
  // buildReports checks the viewer may read the outlet before anything else is read.
  const built = await buildReports(db, viewer, { kind: 'outlet', outletId }, [periodOf(thisMonth), periodOf(lastMonth)], { now, benchmarks: false, outlet: options.outlet })
  if (!built.ok) return built
  const [current, previous] = built.reports as [Report, Report]
  const [counts, shipments, submissions] = await Promise.all([
    countRecordsByMonth(db, outletId, { from: lastMonth, to: thisMonth }),
    listShipmentDays(db, viewer, outletId, thisMonth),
    listSubmissions(db, outletId),
  ])
  const countsNow = counts[thisMonth] ?? {}
  const countsBefore = counts[lastMonth] ?? {}
  const submitted = new Set(submissions.map((s) => s.month.slice(0, 7)))
  const shipmentDates = shipments.map((r) => r.date)
  // The newest of the month, if it is today's.
  const entered = shipments[0]?.date === today ? shipments[0] : undefined
  const shown = new Set<MetricCode>([
    ...alwaysShown,
    ...current.metrics.filter((m) => m.target).map((m) => m.code),
    ...previous.metrics.filter((m) => m.target).map((m) => m.code),
  ])
  const glance = (rows: MetricRow[], month: string, counts: Record<string, number>, factorSetVersions: string[]): MonthGlance => {
    const running = month === thisMonth
    const records = Object.values(counts).reduce((sum, n) => sum + n, 0)
    const byCode = new Map(rows.map((r) => [r.code, r]))
    // With no record in the month the rollup's zeros mean "not entered", never zero.
    const figure = (code: MetricCode, pick: (row: MetricRow) => string | null) => (records === 0 ? null : pick(byCode.get(code)!))
    return {
      month,
      running,
      records,
      parcels: (counts.shipment_stats ?? 0) === 0 ? null : figure('e_waybill_rate', (r) => r.denominator),
      co2eKg: figure('co2e_t', (r) => r.numerator),
      avoidedCo2eKg: figure('avoided_co2e_t', (r) => r.numerator),
      factorSetVersions,
      submitted: submitted.has(month),
      metrics: metricCodes
        .filter((code) => shown.has(code))
        .map((code) => {
          const row = byCode.get(code)!
          const verdict = row.evaluation?.kind === 'status' ? row.evaluation.status : null
          const target = row.target && { metric: row.target.metric, comparison: row.target.comparison, value: row.target.value, deadline: row.target.deadline, kind: row.target.kind }
          return {
            code,
            value: records === 0 ? null : row.value,
            target,
            status: glanceStatus(verdict, running),
            meetsSoFar: running && records > 0 ? meetsSoFar(row.value, row.target) : null,
          }
        }),
    }
  }
  return {
    ok: true,
    glance: {
      today,
      todayShipment: entered ? { id: entered.id, parcels: entered.parcels, eWaybillParcels: entered.eWaybillParcels } : null,
      thisMonth: glance(current.metrics, thisMonth, countsNow, current.factorSetVersions),
      lastMonth: glance(previous.metrics, lastMonth, countsBefore, previous.factorSetVersions),
      missing: missingForMonth(thisMonth, today, shipmentDates, countsNow),
    },
  }
}
