import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { computeMetric, type RollupSums } from '#app/domain/metrics/compute.ts'
import { getMetric, metricCodes, type MetricCode } from '#app/domain/metrics/definitions.ts'
import { addMonths, monthsBetween, type Month, type Period } from '#app/domain/periods/period.ts'
import { mixByMonth, monthlySums, type MonthRange, type ScopeMonthlySums } from '#db/models/reports.ts'
import type { Database } from '#db/schema.ts'
import { effectiveEnd } from './periods.ts'
import { resolveScope } from './scope.ts'
import { trendMonths } from './sums.ts'
import type { ScopeRequest, Refusal, ChartData } from './types.ts'

/**
 * The charts of a report, asked for by the page once it is live (charts are
 * drawn in the browser): the metrics' monthly series, emissions by source,
 * avoided emissions, the fleet's energy mix and the period's materials.
 */
export async function buildReportCharts(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  period: Period,
  now: Date,
): Promise<{ ok: true; charts: ChartData } | Refusal> {
  const resolved = await resolveScope(db, viewer, request)
  if (!resolved.ok) return resolved
  const { endMonth, months } = await effectiveEnd(db, period, now)
  const chartRange: MonthRange = { from: addMonths(endMonth, -(trendMonths - 1)), to: endMonth }
  const [monthly, mix] = await Promise.all([
    monthlySums(db, viewer, resolved.filter, chartRange),
    mixByMonth(db, viewer, resolved.filter, { energy: chartRange, materials: { from: months[0]!, to: endMonth } }),
  ])
  return { ok: true, charts: chartData(new Map(monthly.map((m) => [m.month, m.sums])), chartRange, monthly, mix, months) }
}

export function emptyCharts(): ChartData {
  return { months: [], series: {}, emissions: [], avoided: [], energyMix: [], energies: [], materials: [] }
}

export function chartData(
  byMonth: Map<string, RollupSums>,
  range: MonthRange,
  parts: readonly ScopeMonthlySums[],
  mix: Awaited<ReturnType<typeof mixByMonth>>,
  periodMonths: readonly Month[],
): ChartData {
  const months: Month[] = []
  for (let m = range.from; monthsBetween(m, range.to) >= 0; m = addMonths(m, 1)) months.push(m)
  // Months before the first data are left out so that a short history does not draw a long flat line.
  const first = months.findIndex((m) => byMonth.has(m))
  const shown = first < 0 ? [] : months.slice(first)
  const series: Partial<Record<MetricCode, (string | null)[]>> = {}
  for (const code of metricCodes) {
    const definition = getMetric(code)
    series[code] = shown.map((m) => {
      const sums = byMonth.get(m)
      return sums ? (computeMetric(definition, sums).value?.toFixed() ?? null) : null
    })
  }
  const toT = (kg: string) => new Decimal(kg).times('0.001').toFixed()
  const partsByMonth = new Map(parts.map((p) => [p.month, p]))
  const emissions = shown.map((m) => {
    const p = partsByMonth.get(m)
    return { month: m, packagingT: toT(p?.packagingCo2eKg ?? '0'), fleetT: toT(p?.fleetCo2eKg ?? '0'), facilityT: toT(p?.facilityCo2eKg ?? '0') }
  })
  const avoided = shown.map((m) => {
    const p = partsByMonth.get(m)
    return { month: m, ownT: toT(String(p?.sums.avoided_co2e_kg ?? '0')), consumerT: toT(p?.consumerAvoidedCo2eKg ?? '0') }
  })
  const energies = [...new Set(mix.filter((r) => r.measure === 'vehicle_months').map((r) => r.category))].sort()
  const vehicleMonths = new Map(mix.filter((r) => r.measure === 'vehicle_months').map((r) => [`${r.month}|${r.category}`, r.value]))
  const energyMix = shown.map((m) => ({
    month: m,
    vehicleMonths: Object.fromEntries(energies.map((e) => [e, vehicleMonths.get(`${m}|${e}`) ?? '0'])),
  }))
  const inPeriod = new Set(periodMonths)
  const materialTotals = new Map<string, Decimal>()
  for (const row of mix) {
    if (row.measure !== 'packaging_mass_kg' || !inPeriod.has(row.month)) continue
    materialTotals.set(row.category, (materialTotals.get(row.category) ?? new Decimal(0)).plus(row.value))
  }
  const materials = [...materialTotals.entries()]
    .sort((a, b) => b[1].comparedTo(a[1]))
    .map(([material, mass]) => ({ material, massKg: mass.toFixed() }))
  return { months: shown, series, emissions, avoided, energyMix, energies, materials }
}
