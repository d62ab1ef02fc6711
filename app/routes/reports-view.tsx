import { Form, Link } from '@remix-run/react'
import { ReportCharts } from '#app/components/charts/report-charts.tsx'
import { fallbackDetailsHref, FallbackShare } from '#app/components/fallback-notes.tsx'
import { getMetric, metricCodes, metricLabelKeys, type MetricCode, type RollupField } from '#app/domain/metrics/definitions.ts'
import { methodologyKeys, ruleParams, type TargetStatus } from '#app/domain/metrics/status.ts'
import { periodLabel } from '#app/domain/periods/label.ts'
import { parsePeriod } from '#app/domain/periods/period.ts'
import { formatDate, formatDecimal, formatPercent } from '#app/i18n/format.ts'
import { hasMessage, type MessageKey, type Translate } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import type {
  BenchmarkView,
  ChildRowView,
  CompactMetricRow,
  EvaluationView,
  MetricRowView,
  PeriodChoices,
  Report,
  ReportPageView,
  ReportView,
  TargetView,
} from '#app/services/reports.server.ts'
import { StackTable } from '#app/components/stack-table.tsx'

/**
 * The parts every report page shares (overview, region, outlet, print, the
 * bureau's home). Not a route: app/routes.ts lists the routes explicitly.
 */

export function scopeHref(param: string, query: Record<string, string | null | undefined> = {}): string {
  const search = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1])).toString()
  const suffix = search ? `?${search}` : ''
  if (param === 'nation') return `/reports${suffix}`
  const [kind, id] = param.split(':')
  return kind === 'outlet' ? `/reports/outlet/${id}${suffix}` : `/reports/region/${id}${suffix}`
}

export function exportHref(table: 'metrics' | 'children' | 'brands', scope: string, period: string | null, metric?: string): string {
  const query = new URLSearchParams({ table, scope })
  if (period) query.set('period', period)
  if (metric) query.set('metric', metric)
  return `/reports/export.csv?${query}`
}

export function printHref(scope: string, period: string | null): string {
  const query = new URLSearchParams({ scope })
  if (period) query.set('period', period)
  return `/reports/print?${query}`
}

export function periodText(value: string, locale: Locale): string {
  const parsed = parsePeriod(value)
  return parsed.ok ? periodLabel(parsed.period, locale) : value
}

export function scopeTitle(report: ReportView, t: Translate, locale: Locale): string {
  const name = localName(locale, report.scope.name)
  return report.scope.brandFiltered && report.scope.brand
    ? t('reports.brandScope', { brand: localName(locale, report.scope.brand), scope: name })
    : name
}

// --- figures --------------------------------------------------------------

export function metricValueText(locale: Locale, t: Translate, code: MetricCode, value: string | null): string {
  const definition = getMetric(code)
  if (value === null) return '—'
  if (definition.unit === 'percent') return formatPercent(locale, value, definition.fractionDigits)
  return `${formatDecimal(locale, value, definition.fractionDigits)} ${t(metricLabelKeys(code).unit)}`
}

export function fieldValueText(locale: Locale, field: RollupField, value: string | null): string {
  return formatDecimal(locale, value, field.endsWith('_kg') ? 1 : 0)
}

function comparisonText(t: Translate, comparison: TargetView['comparison'], value: string): string {
  const key = comparison === '>=' ? 'metrics.comparison.gte' : comparison === '<=' ? 'metrics.comparison.lte' : 'metrics.comparison.eq'
  return t(key, { value })
}

export function targetText(locale: Locale, t: Translate, target: Pick<TargetView, 'deadline' | 'kind' | 'value' | 'comparison' | 'metric'>): string {
  const deadline = formatDate(locale, target.deadline)
  if (target.kind === 'national_count') return t('reports.target.count', { value: formatDecimal(locale, target.value, 0), deadline })
  if (target.kind === 'relative_to_baseline') {
    return t('reports.target.relative', { comparison: comparisonText(t, target.comparison, formatPercent(locale, target.value, 0)), deadline })
  }
  const shown = getMetric(target.metric).unit === 'percent' ? formatPercent(locale, target.value, 0) : metricValueText(locale, t, target.metric, target.value)
  return t('reports.target.rate', { comparison: comparisonText(t, target.comparison, shown), deadline })
}

const statusIcon: Record<TargetStatus, string> = {
  met: '✓',
  on_track: '↗',
  at_risk: '!',
  missed: '✗',
  insufficient_data: '?',
  provisional: '…',
}

export function StatusBadge({ status }: { status: TargetStatus }) {
  const t = useT()
  return (
    <span className={`status status-${status}`} data-status={status}>
      <span aria-hidden>{statusIcon[status]}</span> {t(`metrics.status.${status}`)}
    </span>
  )
}

/**
 * What a compact contribution cell means, said once under its table: the
 * share of the national count target of its year, or why there is none.
 */
export function ContributionNote({ rows }: { rows: readonly CompactMetricRow[] }) {
  const t = useT()
  const years = new Map<number, boolean>()
  for (const row of rows) {
    if (row.evaluation?.kind !== 'contribution') continue
    const year = row.evaluation.targetYear
    years.set(year, (years.get(year) ?? true) && row.evaluation.noData)
  }
  if (years.size === 0) return null
  return (
    <p className="small muted" data-testid="contribution-note">
      {[...years.entries()].map(([year, noData]) =>
        noData ? t('reports.contribution.noData', { year }) : t('verdicts.contribution.note', { year }),
      ).join(' ')}
    </p>
  )
}

/**
 * The evaluation put in words: a badge and its reason, or a contribution. In a
 * table of many cells (`compact`) the badge or the share alone, from a row
 * that need hold no more than that (CompactMetricRow).
 */
export function EvaluationCell(props: { row: MetricRowView; compact?: false } | { row: CompactMetricRow; compact: true }) {
  const t = useT()
  const locale = useLocale()
  if (props.compact) return <CompactEvaluation row={props.row} />
  const { row } = props
  const evaluation = row.evaluation
  if (!evaluation || !row.target) return <span className="muted">—</span>
  if (evaluation.kind === 'contribution') {
    return (
      <span className="contribution">
        {evaluation.noData
          ? t('reports.contribution.noData', { year: evaluation.targetYear })
          : t('reports.contribution.total', {
              year: evaluation.targetYear,
              total: formatDecimal(locale, evaluation.total, 0),
              share: formatPercent(locale, evaluation.contribution, 4),
            })}
      </span>
    )
  }
  return (
    <>
      <StatusBadge status={evaluation.status} />
      <StatusDetails row={row} evaluation={evaluation} />
    </>
  )
}

function CompactEvaluation({ row }: { row: CompactMetricRow }) {
  const locale = useLocale()
  const evaluation = row.evaluation
  if (!evaluation || !row.target) return <span className="muted">—</span>
  // The share alone; the sentence is stated once, under the table (ContributionNote).
  if (evaluation.kind === 'contribution') {
    return <span className="contribution">{evaluation.noData ? '—' : formatPercent(locale, evaluation.contribution, 4)}</span>
  }
  return <StatusBadge status={evaluation.status} />
}

function StatusDetails({ row, evaluation }: { row: MetricRowView; evaluation: Extract<EvaluationView, { kind: 'status' }> }) {
  const t = useT()
  const locale = useLocale()
  const relative = row.target?.kind === 'relative_to_baseline'
  const show = (value: string) => (relative ? formatPercent(locale, value, 1) : metricValueText(locale, t, row.code, value))
  return (
    <span className="small muted status-reason">
      {' '}
      {t(evaluation.reason as MessageKey, evaluation.params)}
      {evaluation.pooled !== null && <> {t('reports.status.pooled', { value: show(evaluation.pooled) })}</>}
      {evaluation.projected !== null && <> {t('reports.status.projected', { value: show(evaluation.projected) })}</>}
      {evaluation.lowCoverageMonths.length > 0 && (
        <> {t('reports.status.lowCoverageMonths', { months: evaluation.lowCoverageMonths.map((m) => periodText(m, locale)).join('、') })}</>
      )}
      {evaluation.baseline !== null && evaluation.baselineFrom && (
        <> {t('reports.baseline', { from: periodText(evaluation.baselineFrom, locale), value: metricValueText(locale, t, row.code, evaluation.baseline) })}</>
      )}
    </span>
  )
}

// --- page parts -----------------------------------------------------------

/** Says when the figures are provisional (no month complete) or a period to date (complete months only). */
export function PeriodStateNote({ state, period, dataThrough }: { state: Report['periodState']; period: string | null; dataThrough: string }) {
  const t = useT()
  const locale = useLocale()
  if (state === 'complete') return null
  return (
    <p className={state === 'provisional' ? 'warning' : 'small muted'} data-testid="period-state" data-state={state}>
      {state === 'provisional'
        ? t('reports.periodState.provisional', { period: period ? periodText(period, locale) : '' })
        : t('reports.periodState.to_date', { month: periodText(dataThrough, locale) })}
    </p>
  )
}

export function PeriodPicker({ periods, current, hidden = {} }: { periods: PeriodChoices; current: string | null; hidden?: Record<string, string> }) {
  const t = useT()
  const locale = useLocale()
  if (!current) return null
  return (
    <Form method="get" className="period-picker no-print" data-testid="period-picker">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <label className="field inline-field">
        <span>{t('reports.period')}</span>
        <select name="period" defaultValue={current}>
          <optgroup label={t('reports.period.months')}>
            {periods.months.map((p) => (
              <option key={p} value={p}>
                {p === periods.inProgress ? t('reports.period.provisionalOption', { period: periodText(p, locale) }) : periodText(p, locale)}
              </option>
            ))}
          </optgroup>
          <optgroup label={t('reports.period.quarters')}>
            {periods.quarters.map((p) => <option key={p} value={p}>{periodText(p, locale)}</option>)}
          </optgroup>
          <optgroup label={t('reports.period.years')}>
            {periods.years.map((p) => <option key={p} value={p}>{periodText(p, locale)}</option>)}
          </optgroup>
        </select>
      </label>
      <button type="submit" className="secondary">{t('reports.period.show')}</button>
    </Form>
  )
}

export function ReportFacts({ report }: { report: ReportView }) {
  const t = useT()
  const locale = useLocale()
  return (
    <div className="stats">
      <div className="stat">
        <span className="stat-value" data-testid="report-coverage">{formatPercent(locale, report.coverage, 1)}</span>
        <span className="stat-label">
          {t('reports.coverage')} · {t('reports.coverageDetail', { reporting: formatDecimal(locale, report.reportingOutlets, 0), total: formatDecimal(locale, report.outletMonths, 0) })}
        </span>
      </div>
      <div className="stat">
        <span className="stat-value small-value">{periodText(report.dataThrough, locale)}</span>
        <span className="stat-label">{t('reports.dataThroughLabel')}</span>
      </div>
      <div className="stat">
        <span className="stat-value small-value" data-testid="report-factor-set">{report.factorSetVersions.join(', ') || '—'}</span>
        <span className="stat-label">{report.factorSetVersions.length > 0 ? t('reports.factorSet') : t('reports.factorSetNone')}</span>
      </div>
    </div>
  )
}

export function MetricsTable({ report, testId = 'metrics-table' }: { report: ReportView; testId?: string }) {
  const t = useT()
  const locale = useLocale()
  const avoided = report.metrics.find((m) => m.code === 'avoided_co2e_t')
  return (
    <StackTable data-testid={testId} className="report-table">
        <thead>
          <tr>
            <th>{t('reports.table.metric')}</th>
            <th className="num">{t('reports.table.value')}</th>
            {report.benchmarks.map((b) => (
              <th key={b.regionCode} className="num benchmark-col">{t('reports.table.benchmark', { region: localName(locale, b.name) })}</th>
            ))}
            <th className="num">{t('reports.table.numerator')}</th>
            <th className="num">{t('reports.table.denominator')}</th>
            <th className="num">{t('reports.table.coverage')}</th>
            <th>{t('reports.table.target')}</th>
            <th>{t('reports.table.status')}</th>
          </tr>
        </thead>
        <tbody>
          {report.metrics.map((row) => (
            <MetricTableRow key={row.code} row={row} benchmarks={report.benchmarks} />
          ))}
          {avoided && report.avoided && (
            <>
              <tr className="sub-row" data-testid="avoided-gross">
                <td>{t('reports.avoided.gross')}</td>
                <td className="num" data-label={t('reports.table.value')}>{formatDecimal(locale, report.avoided.grossT, 3)} {t('reports.avoided.unit')}</td>
                <td colSpan={5 + report.benchmarks.length} />
              </tr>
              <tr className="sub-row" data-testid="avoided-consumer">
                <td>{t('reports.avoided.consumer')}</td>
                <td className="num" data-label={t('reports.table.value')}>{formatDecimal(locale, report.avoided.consumerT, 3)} {t('reports.avoided.unit')}</td>
                <td colSpan={5 + report.benchmarks.length} />
              </tr>
            </>
          )}
        </tbody>
    </StackTable>
  )
}

function MetricTableRow({ row, benchmarks }: { row: MetricRowView; benchmarks: BenchmarkView[] }) {
  const t = useT()
  const locale = useLocale()
  const definition = getMetric(row.code)
  const keys = metricLabelKeys(row.code)
  return (
    <tr data-metric={row.code}>
      <td>
        <strong>{t(keys.name)}</strong>
        <br />
        <span className="small muted metric-def">{t(keys.definition)}</span>
      </td>
      <td className="num metric-value" data-label={t('reports.table.value')}>{metricValueText(locale, t, row.code, row.value)}</td>
      {benchmarks.map((b) => (
        <td key={b.regionCode} className="num benchmark-col" data-benchmark={b.regionCode} data-label={t('reports.table.benchmark', { region: localName(locale, b.name) })}>
          {b.suppressed ? (
            <span className="suppressed" title={b.reason ? t(b.reason.key, b.reason.params) : undefined}>
              {t('reports.table.suppressed')}
            </span>
          ) : (
            metricValueText(locale, t, row.code, b.values[row.code] ?? null)
          )}
        </td>
      ))}
      <td className="num" data-label={t('reports.table.numerator')}>
        {fieldValueText(locale, definition.numerator, row.numerator)}
        <br />
        <span className="small muted">{t(`metric.field.${definition.numerator}` as MessageKey)}</span>
      </td>
      <td className="num" data-label={t('reports.table.denominator')}>
        {definition.denominator ? (
          <>
            {fieldValueText(locale, definition.denominator, row.denominator)}
            <br />
            <span className="small muted">{t(`metric.field.${definition.denominator}` as MessageKey)}</span>
          </>
        ) : (
          '—'
        )}
      </td>
      <td className="num" data-label={t('reports.table.coverage')}>{formatPercent(locale, row.coverage, 1)}</td>
      <td className="target-cell" data-label={t('reports.table.target')}>
        {row.target ? (
          <>
            {targetText(locale, t, row.target)}
            <br />
            <span className="small muted">
              {localName(locale, { nameZh: row.target.setName.zh, nameEn: row.target.setName.en })}
              {row.target.deadlinePassed && ` ${t('reports.target.expired')}`}
            </span>
          </>
        ) : (
          <span className="muted">{t('reports.target.none')}</span>
        )}
      </td>
      <td className="status-cell" data-label={t('reports.table.status')}>
        <EvaluationCell row={row} />
      </td>
    </tr>
  )
}

export function BenchmarkNotes({ report }: { report: ReportView }) {
  const t = useT()
  const suppressed = report.benchmarks.filter((b) => b.suppressed && b.reason)
  if (suppressed.length === 0) return null
  const reason = suppressed[0]!.reason!
  return (
    <p className="warning small" data-testid="benchmark-suppressed">
      {t(reason.key, reason.params)}
    </p>
  )
}

export function DrillDown({ report, period }: { report: ReportView; period: string | null }) {
  const t = useT()
  const locale = useLocale()
  if (!report.childLevel) return null
  return (
    <section className="drilldown" data-testid="drilldown">
      <h2>{t('reports.drilldown.title', { level: t(`reports.level.${report.childLevel}`) })}</h2>
      <Form method="get" className="period-picker no-print">
        {period && <input type="hidden" name="period" value={period} />}
        <label className="field inline-field">
          <span>{t('reports.drilldown.metric')}</span>
          <select name="metric" defaultValue={report.metric}>
            {metricCodes.map((code) => <option key={code} value={code}>{t(metricLabelKeys(code).name)}</option>)}
          </select>
        </label>
        <button type="submit" className="secondary">{t('reports.period.show')}</button>
      </Form>
      {report.children.length === 0 ? (
        <p className="muted">{t('reports.drilldown.none')}</p>
      ) : (
        <StackTable data-testid="drilldown-table" className="report-table">
            <thead>
              <tr>
                <th>{t('reports.drilldown.name')}</th>
                <th className="num">{t(metricLabelKeys(report.metric).name)}</th>
                <th className="num">{t('reports.table.numerator')}</th>
                <th className="num">{t('reports.table.denominator')}</th>
                <th className="num">{t('reports.table.coverage')}</th>
                <th>{t('reports.table.status')}</th>
              </tr>
            </thead>
            <tbody>
              {report.children.map((child) => (
                <DrillDownRow key={child.key} child={child} period={period} metric={report.metric} />
              ))}
            </tbody>
        </StackTable>
      )}
      <ContributionNote rows={report.children.map((child) => child.metric)} />
      <p className="no-print">
        <a href={exportHref('children', report.scope.param, period, report.metric)} download data-testid="export-children">
          {t('reports.export.csv')} · {t('reports.export.children')}
        </a>
      </p>
    </section>
  )
}

function DrillDownRow({ child, period, metric }: { child: ChildRowView; period: string | null; metric: MetricCode }) {
  const t = useT()
  const locale = useLocale()
  const definition = getMetric(metric)
  const name = localName(locale, child.name)
  return (
    <tr>
      <td>
        {child.param ? (
          <Link to={scopeHref(child.param, { period, metric })} aria-label={t('reports.drilldown.open', { name })}>
            {name}
          </Link>
        ) : (
          name
        )}
      </td>
      <td className="num" data-label={t(metricLabelKeys(metric).name)}>{metricValueText(locale, t, metric, child.metric.value)}</td>
      <td className="num" data-label={t('reports.table.numerator')}>{fieldValueText(locale, definition.numerator, child.metric.numerator)}</td>
      <td className="num" data-label={t('reports.table.denominator')}>{definition.denominator ? fieldValueText(locale, definition.denominator, child.metric.denominator) : '—'}</td>
      <td className="num" data-label={t('reports.table.coverage')}>{formatPercent(locale, child.coverage, 1)}</td>
      <td data-label={t('reports.table.status')}>
        <EvaluationCell row={child.metric} compact />
      </td>
    </tr>
  )
}

export function Methodology({ open = false }: { open?: boolean }) {
  const t = useT()
  const params = ruleParams()
  return (
    <details className="methodology" open={open}>
      <summary>{t('reports.methodology.title')}</summary>
      {methodologyKeys.map((key) => (
        <p key={key}>{t(key, params)}</p>
      ))}
      <p>{t('reports.methodology.coverageDef')}</p>
      <p data-testid="methodology-consumer-credit">{t('reports.methodology.consumerCredit')}</p>
      <p>{t('reports.methodology.baseline')}</p>
      <p>{t('reports.methodology.runningPeriod')}</p>
      <p>{t('reports.methodology.sameCity')}</p>
      <p>{t('reports.methodology.rollups')}</p>
    </details>
  )
}

/** The whole report page: header, facts, metrics, drill-down, charts, methodology. */
export function ReportPage({ data }: { data: ReportPageView }) {
  const t = useT()
  const locale = useLocale()
  const report = data.report
  if (!report) {
    return (
      <section className="card" data-testid="report-page">
        <h1>{t('nav.reports')}</h1>
        <p className="muted">{t('reports.noPeriods')}</p>
      </section>
    )
  }
  const scope = report.scope
  return (
    <section className="card report" data-testid="report-page" data-scope={scope.param}>
      {scope.breadcrumbs.length > 0 && (
        <nav aria-label={t('reports.breadcrumbs')} className="breadcrumbs no-print" data-testid="breadcrumbs">
          {scope.breadcrumbs.map((crumb, i) => (
            <span key={crumb.param}>
              {i > 0 && ' › '}
              <Link to={scopeHref(crumb.param, { period: data.period })}>{localName(locale, crumb)}</Link>
            </span>
          ))}
        </nav>
      )}
      <h1>{scopeTitle(report, t, locale)}</h1>
      <p className="muted">
        {t(`reports.level.${scope.level}`)} · {t('reports.period')} {data.period ? periodText(data.period, locale) : '—'} ·{' '}
        {t('reports.dataThrough', { month: periodText(report.dataThrough, locale) })}
      </p>
      {data.invalidPeriod !== null && (
        <p className="warning" role="alert">{t('reports.period.invalid', { value: data.invalidPeriod })}</p>
      )}
      <PeriodStateNote state={report.periodState} period={data.period} dataThrough={report.dataThrough} />
      {scope.brandFiltered && scope.brand && report.benchmarks.length > 0 && (
        <p className="small muted">{t('reports.brandFiltered', { brand: localName(locale, scope.brand) })}</p>
      )}
      <div className="report-actions no-print">
        <PeriodPicker periods={data.periods} current={data.period} />
        <p className="links">
          <a href={exportHref('metrics', scope.param, data.period)} download data-testid="export-metrics">
            {t('reports.export.csv')} · {t('reports.export.metrics')}
          </a>
          {' · '}
          <Link to={printHref(scope.param, data.period)} data-testid="print-link">{t('reports.print.link')}</Link>
          {(data.role === 'bureau_officer' || data.role === 'admin') && scope.kind !== 'outlet' && (
            <>
              {' · '}
              <Link to={`/reports/brands?${new URLSearchParams({ ...(scope.regionCode ? { region: scope.regionCode } : {}), ...(data.period ? { period: data.period } : {}) })}`} data-testid="brands-link">
                {t('reports.brands.link')}
              </Link>
            </>
          )}
          {data.role !== 'outlet_operator' && (
            <>
              {' · '}
              <a
                href={`/reports/intensities.csv?month=${/^\d{4}-\d{2}$/.test(data.period ?? '') ? data.period : report.dataThrough.slice(0, 7)}`}
                download
                title={t('footprints.csv.linkHint')}
                data-testid="intensities-link"
              >
                {t('footprints.csv.link')}
              </a>
            </>
          )}
        </p>
      </div>
      <ReportFacts report={report} />
      <FallbackShare t={t} locale={locale} fallback={report.fallback} detailsHref={fallbackDetailsHref(scope.param, data.period)} />
      {report.outletMonths === '0' && <p className="muted">{t('reports.noData')}</p>}
      <h2>{t('reports.table.title')}</h2>
      <MetricsTable report={report} />
      <BenchmarkNotes report={report} />
      <DrillDown report={report} period={data.period} />
      <ReportCharts report={report} period={data.period} />
      <Methodology />
    </section>
  )
}
