import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { FallbackShare, fallbackDetailsHref } from '#app/components/fallback-notes.tsx'
import { outletViewerRoles } from '#app/domain/access.ts'
import { hasMessage } from '#app/i18n/index.ts'
import { formatDecimal } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { loadFallbackPage } from '#app/services/fallbacks.server.ts'
import { homeScope, parseScopeParam } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { periodText, scopeHref } from './reports-view.tsx'

// /reports/fallbacks?scope=region:330600&period=2023: which fallback factors a report's CO2e rests on.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, outletViewerRoles, context)
  const query = new URL(request.url).searchParams
  const scope = query.has('scope') ? parseScopeParam(query.get('scope')) : homeScope(viewer)
  if (!scope) throw new Response('Not found', { status: 404 })
  const result = await loadFallbackPage(await getDb(), viewer, scope, query, new Date())
  if (!result.ok) throw new Response(null, { status: result.status })
  return result.data
}

export default function FallbackDetails() {
  const data = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  if (!data.scope) return <section className="card"><p className="muted">{t('reports.noPeriods')}</p></section>
  const period = data.period ? periodText(data.period, locale) : '—'
  return (
    <section className="card" data-testid="fallback-page">
      <p className="small">
        <Link to={scopeHref(data.scope.param, { period: data.period })}>← {localName(locale, data.scope.name)}</Link>
      </p>
      <h1>{t('fallbacks.page.title', { scope: localName(locale, data.scope.name), period })}</h1>
      {data.fallback && (
        <FallbackShare t={t} locale={locale} fallback={data.fallback} detailsHref={fallbackDetailsHref(data.scope.param, data.period)} print />
      )}
      <p className="small muted">{t('fallbacks.page.intro')}</p>
      {data.rows.length === 0 ? (
        <p className="muted">{t('fallbacks.page.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="report-table" data-testid="fallback-table">
            <thead>
              <tr>
                <th>{t('fallbacks.col.factor')}</th>
                <th>{t('fallbacks.col.kind')}</th>
                <th className="num">{t('fallbacks.col.requestedYear')}</th>
                <th className="num">{t('fallbacks.col.usedYear')}</th>
                <th>{t('fallbacks.col.level')}</th>
                <th>{t('fallbacks.col.recordType')}</th>
                <th className="num">{t('fallbacks.col.records')}</th>
                <th className="num">{t('fallbacks.col.co2e')}</th>
                <th>{t('fallbacks.col.example')}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((row) => (
                <tr key={`${row.factorId}-${row.requestedYear}-${row.recordType}-${row.kinds.join()}`} data-factor={row.factorId}>
                  <td className="mono">{row.factorId}</td>
                  <td>{row.kinds.map((k) => t(`fallbacks.kind.${k}`)).join('、')}</td>
                  <td className="num">{row.requestedYear ?? '—'}</td>
                  <td className="num">{row.usedYear}</td>
                  <td>{t(`emissions.level.${row.level}`)}</td>
                  <td>{hasMessage(`activity.record.${row.recordType}`) ? t(`activity.record.${row.recordType}` as 'activity.record.facility_electricity') : row.recordType}</td>
                  <td className="num">{formatDecimal(locale, row.records, 0)}</td>
                  <td className="num">{formatDecimal(locale, row.co2eKg, 3)}</td>
                  <td>
                    <Link to={`/activity/${row.recordType}/${row.exampleRecordId}`}>#{row.exampleRecordId}</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.truncated && <p className="small muted">{t('fallbacks.page.truncated', { limit: data.limit })}</p>}
    </section>
  )
}
