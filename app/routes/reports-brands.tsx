import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { brandComparisonRoles } from '#app/domain/access.ts'
import { metricCodes, metricLabelKeys } from '#app/domain/metrics/definitions.ts'
import { formatDecimal, formatPercent } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { loadBrandComparisonPage } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { ContributionNote, EvaluationCell, exportHref, metricValueText, PeriodPicker, periodText, scopeHref } from './reports-view.tsx'
import { StackTable } from '#app/components/stack-table.tsx'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, brandComparisonRoles, context)
  const result = await loadBrandComparisonPage(await getDb(), viewer, new URL(request.url).searchParams, new Date())
  if (!result.ok) throw new Response(null, { status: result.status })
  return result.data
}

export default function BrandComparisonPage() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const comparison = data.comparison
  if (!comparison) {
    return (
      <section className="card" data-testid="brand-comparison">
        <h1>{t('nav.brandComparison')}</h1>
        <p className="muted">{t('reports.noPeriods')}</p>
      </section>
    )
  }
  const scope = comparison.scope
  const region = localName(locale, scope.name)
  return (
    <section className="card report" data-testid="brand-comparison">
      <h1>{t('reports.brands.title', { region })}</h1>
      <p className="muted">{t('reports.brands.intro')}</p>
      {data.invalidPeriod !== null && <p className="warning" role="alert">{t('reports.period.invalid', { value: data.invalidPeriod })}</p>}
      <div className="report-actions no-print">
        <PeriodPicker periods={data.periods} current={data.period} hidden={scope.regionCode ? { region: scope.regionCode } : {}} />
        <p className="links">
          <Link to={scopeHref(scope.param, { period: data.period })}>{t('nav.reports')} · {region}</Link>
          {' · '}
          <a href={exportHref('brands', scope.param, data.period)} download data-testid="export-brands">
            {t('reports.export.csv')} · {t('reports.export.brands')}
          </a>
        </p>
      </div>
      <p className="muted">{t('reports.period')} {data.period ? periodText(data.period, locale) : '—'}</p>
      {comparison.rows.length === 0 ? (
        <p className="muted">{t('reports.brands.none')}</p>
      ) : (
        <StackTable data-testid="brand-table" className="report-table brand-table">
            <thead>
              <tr>
                <th>{t('reports.table.metric')}</th>
                {comparison.rows.map((row) => (
                  <th key={row.brand.code} className="num">{localName(locale, row.brand)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>{t('reports.table.coverage')}</td>
                {comparison.rows.map((row) => (
                  <td key={row.brand.code} className="num">
                    {formatPercent(locale, row.coverage, 1)}
                    <br />
                    <span className="small muted">{t('reports.csv.outletMonths')} {formatDecimal(locale, row.outletMonths, 0)}</span>
                  </td>
                ))}
              </tr>
              {metricCodes.map((code) => (
                <tr key={code} data-metric={code}>
                  <td>{t(metricLabelKeys(code).name)}</td>
                  {comparison.rows.map((row) => {
                    const metric = row.metrics.find((m) => m.code === code)!
                    return (
                      <td key={row.brand.code} className="num">
                        {metricValueText(locale, t, code, metric.value)}
                        <br />
                        <EvaluationCell row={metric} compact />
                      </td>
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </StackTable>
      )}
      <ContributionNote rows={comparison.rows.flatMap((row) => row.metrics)} />
    </section>
  )
}
