import type { LoaderFunctionArgs } from '@remix-run/node'
import { useEffect } from 'react'
import { Link, useLoaderData } from '@remix-run/react'
import { fallbackDetailsHref, FallbackShare } from '#app/components/fallback-notes.tsx'
import { outletViewerRoles } from '#app/domain/access.ts'
import { getMetric, metricLabelKeys } from '#app/domain/metrics/definitions.ts'
import { formatDateTime, formatPercent } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { homeScope, loadReportCharts, loadReportPage, parseScopeParam } from '#app/services/reports.server.ts'
import { translator } from '#app/i18n/index.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getLocale } from '#app/utils/locale.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { ChartsView } from '#app/components/charts/report-charts.tsx'
import { BenchmarkNotes, ContributionNote, EvaluationCell, fieldValueText, Methodology, MetricsTable, metricValueText, periodText, scopeHref, scopeTitle } from './reports-view.tsx'

// /reports/print?scope=region:410100&period=2026-Q3: the report on A4, for the browser's "Save as PDF".
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, outletViewerRoles, context)
  const query = new URL(request.url).searchParams
  const scope = query.has('scope') ? parseScopeParam(query.get('scope')) : homeScope(viewer)
  if (!scope) throw new Response('Not found', { status: 404 })
  const db = await getDb()
  const now = new Date()
  const result = await loadReportPage(db, viewer, scope, query, now)
  if (!result.ok) throw new Response(null, { status: result.status })
  // Paper cannot fetch: the charts' data comes with the page (issue 13.7).
  const charts = result.data.report ? await loadReportCharts(db, viewer, scope, query, now) : null
  const locale = getLocale(request)
  const t = translator(locale)
  const report = result.data.report
  const documentTitle = report
    ? t('verdicts.print.documentTitle', {
        scope: scopeTitle(report, t, locale),
        period: result.data.period ? periodText(result.data.period, locale) : '—',
        title: t('reports.print.title'),
      })
    : t('reports.print.title')
  return { ...result.data, charts: charts?.ok ? charts.charts : null, documentTitle }
}



export default function PrintReport() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const report = data.report
  // The document title names jurisdiction and period: it is the PDF's default file name and its title.
  // Set here because the root layout's own <title> comes first in the head.
  useEffect(() => {
    document.title = data.documentTitle
  }, [data.documentTitle])
  if (!report) return <p className="muted">{t('reports.noPeriods')}</p>
  const definition = getMetric(report.metric)
  return (
    <article className="print-report" data-testid="print-report">
      <p className="no-print print-toolbar">
        <Link to={scopeHref(report.scope.param, { period: data.period })}>← {t('reports.print.back')}</Link>{' '}
        <button type="button" className="primary" onClick={() => window.print()}>{t('reports.print.button')}</button>{' '}
        <span className="small muted">{t('reports.print.hint')}</span>
      </p>
      <header className="print-header" data-testid="print-header">
        <h1 data-testid="print-title">{data.documentTitle}</h1>
        <dl className="facts">
          <dt>{t('reports.print.jurisdiction')}</dt>
          <dd data-testid="print-scope">{scopeTitle(report, t, locale)}</dd>
          <dt>{t('reports.period')}</dt>
          <dd data-testid="print-period">
            {data.period ? periodText(data.period, locale) : '—'} ({t('reports.dataThrough', { month: periodText(report.dataThrough, locale) })})
          </dd>
          <dt>{t('reports.factorSet')}</dt>
          <dd data-testid="print-factor-set">{report.factorSetVersions.join(', ') || t('reports.factorSetNone')}</dd>
          <dt>{t('reports.generatedAt')}</dt>
          <dd data-testid="print-generated">{formatDateTime(locale, report.generatedAt)}</dd>
          <dt>{t('reports.coverage')}</dt>
          <dd>{formatPercent(locale, report.coverage, 1)}</dd>
        </dl>
      </header>
      <PageNumbers />
      <FallbackShare t={t} locale={locale} fallback={report.fallback} detailsHref={fallbackDetailsHref(report.scope.param, data.period)} print />
      <h2>{t('reports.table.title')}</h2>
      <MetricsTable report={report} testId="print-metrics-table" />
      <BenchmarkNotes report={report} />
      {report.childLevel && report.children.length > 0 && (
        <>
          <h2>
            {t('reports.drilldown.title', { level: t(`reports.level.${report.childLevel}`) })} · {t(metricLabelKeys(report.metric).name)}
          </h2>
          <table className="report-table" data-testid="print-children">
            <thead>
              <tr>
                <th>{t('reports.drilldown.name')}</th>
                <th className="num">{t('reports.table.value')}</th>
                <th className="num">{t('reports.table.numerator')}</th>
                <th className="num">{t('reports.table.denominator')}</th>
                <th className="num">{t('reports.table.coverage')}</th>
                <th>{t('reports.table.status')}</th>
              </tr>
            </thead>
            <tbody>
              {report.children.map((child) => (
                <tr key={child.key}>
                  <td>{localName(locale, child.name)}</td>
                  <td className="num">{metricValueText(locale, t, report.metric, child.metric.value)}</td>
                  <td className="num">{fieldValueText(locale, definition.numerator, child.metric.numerator)}</td>
                  <td className="num">{definition.denominator ? fieldValueText(locale, definition.denominator, child.metric.denominator) : '—'}</td>
                  <td className="num">{formatPercent(locale, child.coverage, 1)}</td>
                  <td><EvaluationCell row={child.metric} compact /></td>
                </tr>
              ))}
            </tbody>
          </table>
          <ContributionNote rows={report.children.map((child) => child.metric)} />
        </>
      )}
      {data.charts && <ChartsView report={report} charts={data.charts} />}
      <Methodology open />
    </article>
  )
}

/**
 * Page numbers in the printed page's bottom margin (CSS @page counters). The
 * words come from the catalog; each {page}/{pages} becomes a counter.
 */
function PageNumbers() {
  const t = useT()
  const parts = t('verdicts.print.pageNumber').split(/(\{page\}|\{pages\})/).filter((part) => part !== '')
  const content = parts
    .map((part) => (part === '{page}' ? 'counter(page)' : part === '{pages}' ? 'counter(pages)' : JSON.stringify(part)))
    .join(' ')
  // Inner HTML: React would escape the quotes of the CSS strings as text; the words are the catalog's own, '<' escaped.
  const css = `@media print { @page { @bottom-center { content: ${content}; font-size: 8pt; } } }`.replace(/</g, '\\3c ')
  return <style dangerouslySetInnerHTML={{ __html: css }} />
}
