import { useFetcher } from '@remix-run/react'
import { useEffect } from 'react'
import { getMetric, metricLabelKeys } from '#app/domain/metrics/definitions.ts'
import { hasMessage } from '#app/i18n/index.ts'
import { useT } from '#app/i18n/react.ts'
import type { ChartData, ReportView } from '#app/services/reports.server.ts'
import { MaterialMix } from './material-mix.tsx'
import { StackedBars } from './stacked-bars.tsx'
import { TrendChart } from './trend-chart.tsx'

/** A report's charts, fetched after the page (/reports/charts): the tables come first and work without JavaScript. */

const emptyCharts: ChartData = { months: [], series: {}, emissions: [], avoided: [], energyMix: [], energies: [], materials: [] }

export function ReportCharts({ report, period }: { report: ReportView; period: string | null }) {
  const t = useT()
  const fetcher = useFetcher<ChartData>()
  const query = new URLSearchParams({ scope: report.scope.param, ...(period ? { period } : {}) }).toString()
  useEffect(() => {
    fetcher.load(`/reports/charts?${query}`)
    // fetcher is a new object each render; the query is what matters
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query])
  const charts = fetcher.data ?? emptyCharts
  if (!fetcher.data) {
    return (
      <section className="charts" data-testid="report-charts">
        <h2>{t('reports.charts.title')}</h2>
        <p className="muted small" role="status">{fetcher.state === 'idle' ? t('reports.charts.noScript') : t('reports.charts.loading')}</p>
      </section>
    )
  }
  return <ChartsView report={report} charts={charts} />
}

/** The charts themselves, from data already loaded: the page fetches it once live, the printed report in its loader. */
export function ChartsView({ report, charts }: { report: ReportView; charts: ChartData }) {
  const t = useT()
  const metric = report.metric
  const definition = getMetric(metric)
  const target = report.metrics.find((m) => m.code === metric)?.target ?? null
  const materialLabel = (material: string) => {
    const key = `reports.material.${material.replace(/^material:/, '')}`
    return hasMessage(key) ? t(key) : material
  }
  const energyLabel = (energy: string) => {
    const key = `activity.enum.energy.${energy}`
    return hasMessage(key) ? t(key) : energy
  }
  return (
    <section className="charts no-print-break" data-testid="report-charts">
      <h2>{t('reports.charts.title')}</h2>
      <div className="chart-grid">
        <TrendChart
          title={t('reports.charts.trend', { metric: t(metricLabelKeys(metric).name) })}
          months={charts.months}
          values={charts.series[metric] ?? []}
          percent={definition.unit === 'percent'}
          fractionDigits={definition.fractionDigits}
          target={target && target.kind === 'rate' ? target.value : null}
        />
        <StackedBars
          title={t('reports.charts.energyMix')}
          testId="chart-energy"
          rows={charts.energyMix.map((r) => ({ month: r.month, values: r.vehicleMonths }))}
          series={charts.energies.map((e) => ({ key: e, label: energyLabel(e) }))}
          fractionDigits={0}
        />
        <StackedBars
          title={t('reports.charts.emissions')}
          testId="chart-emissions"
          rows={charts.emissions.map((r) => ({ month: r.month, values: { packaging: r.packagingT, fleet: r.fleetT, facility: r.facilityT } }))}
          series={[
            { key: 'packaging', label: t('reports.charts.packaging') },
            { key: 'fleet', label: t('reports.charts.fleet') },
            { key: 'facility', label: t('reports.charts.facility') },
          ]}
          fractionDigits={1}
        />
        <MaterialMix
          title={t('reports.charts.materials')}
          rows={charts.materials.map((m) => ({ label: materialLabel(m.material), massKg: m.massKg }))}
        />
        <StackedBars
          title={t('reports.charts.avoided')}
          testId="chart-avoided"
          rows={charts.avoided.map((r) => ({ month: r.month, values: { own: r.ownT, consumer: r.consumerT } }))}
          series={[
            { key: 'own', label: t('reports.charts.avoidedOwn') },
            { key: 'consumer', label: t('reports.charts.avoidedConsumer') },
          ]}
          fractionDigits={1}
        />
      </div>
    </section>
  )
}
