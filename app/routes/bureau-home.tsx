import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import type { Kysely } from 'kysely'
import { OutletRegister } from '#app/components/outlet-table.tsx'
import { pageOf, pageView } from '#app/domain/paging.ts'
import { metricLabelKeys } from '#app/domain/metrics/definitions.ts'
import { formatPercent } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { compactMetricRow, loadReportPage } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import type { Database } from '#db/schema.ts'
import { countVisibleOutletsByCityAndBrand, pageVisibleOutlets } from '#db/models/outlets.ts'
import { findRegion } from '#db/models/reference.ts'
import { ContributionNote, EvaluationCell, metricValueText, PeriodPicker, PeriodStateNote, periodText, scopeHref, targetText } from './reports-view.tsx'
import { StackTable } from '#app/components/stack-table.tsx'

// The bureau's jurisdiction at a glance: each target in force with its
// current value, status and coverage; then the outlets it regulates.
/** Outlets per page of the register: a province holds thousands. */
const outletsPerPage = 20

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['bureau_officer'], context)
  const db = await getDb()
  const query = new URL(request.url).searchParams
  const asked = pageOf(query.get('outlets'), outletsPerPage)
  const [cells, register, page] = await Promise.all([
    countVisibleOutletsByCityAndBrand(db, viewer),
    pageVisibleOutlets(db, viewer, asked),
    loadReportPage(db, viewer, { kind: 'region', regionCode: viewer.regionCode! }, query, new Date(), { children: false, benchmarks: false }),
  ])
  // The report refuses a jurisdiction that does not exist (404), and names it; without data to report, it is read here.
  if (!page.ok) throw new Response(null, { status: page.status })
  const region = page.data.report?.scope.name ?? (await jurisdictionName(db, viewer.regionCode!))
  const outlets = { rows: register.rows, view: pageView(asked, register.rows.length, register.total) }
  // Only what the overview shows goes into the page (and its serialised data): the metrics with a
  // target, each as its compact cells show it.
  const { period, periods, report } = page.data
  const overview = report && {
    scope: { param: report.scope.param },
    periodState: report.periodState,
    dataThrough: report.dataThrough,
    metrics: report.metrics.filter((m) => m.target !== null).map(compactMetricRow),
  }
  return { region: { nameZh: region.nameZh, nameEn: region.nameEn }, cells, outlets, page: { period, periods, report: overview } }
}

async function jurisdictionName(db: Kysely<Database>, code: string) {
  const region = await findRegion(db, code)
  if (!region) throw new Response('Not found', { status: 404 })
  return { nameZh: region.name_zh, nameEn: region.name_en }
}

export default function BureauHome() {
  const { region, cells, outlets, page } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const brands = [...new Map(cells.map((c) => [c.brandCode, c])).values()]
  const cities = [...new Map(cells.map((c) => [c.cityCode, c])).values()]
  const count = (city: string, brand: string) => cells.find((c) => c.cityCode === city && c.brandCode === brand)?.outlets ?? '0'
  const report = page.report
  const withTargets = report?.metrics ?? []
  const pageHref = (n: number) => `?${new URLSearchParams({ ...(page.period ? { period: page.period } : {}), outlets: String(n) })}#register`
  return (
    <section className="card" data-testid="home-bureau_officer">
      <h1>{t('bureauHome.title', { region: localName(locale, region) })}</h1>
      {report && page.period && (
        <section data-testid="jurisdiction-targets">
          <h2 data-testid="targets-period" data-period={page.period}>{t('bureauHome.targets', { period: periodText(page.period, locale) })}</h2>
          <PeriodPicker periods={page.periods} current={page.period} />
          <PeriodStateNote state={report.periodState} period={page.period} dataThrough={report.dataThrough} />
          {withTargets.length === 0 ? (
            <p className="muted">{t('bureauHome.noTargets')}</p>
          ) : (
            <StackTable className="report-table" data-testid="targets-overview">
                <thead>
                  <tr>
                    <th>{t('reports.table.metric')}</th>
                    <th className="num">{t('reports.table.value')}</th>
                    <th>{t('reports.table.target')}</th>
                    <th>{t('reports.table.status')}</th>
                    <th className="num">{t('reports.table.coverage')}</th>
                  </tr>
                </thead>
                <tbody>
                  {withTargets.map((row) => (
                    <tr key={row.code} data-metric={row.code}>
                      <td>{t(metricLabelKeys(row.code).name)}</td>
                      <td className="num">{metricValueText(locale, t, row.code, row.value)}</td>
                      <td>{targetText(locale, t, row.target!)}</td>
                      <td><EvaluationCell row={row} compact /></td>
                      <td className="num">{formatPercent(locale, row.coverage, 1)}</td>
                    </tr>
                  ))}
                </tbody>
              </StackTable>
          )}
          <ContributionNote rows={withTargets} />
          <p>
            <Link to={scopeHref(report.scope.param, { period: page.period })} data-testid="full-report-link">{t('bureauHome.fullReport')} →</Link>
          </p>
        </section>
      )}
      <p className="muted">{t('bureauHome.intro')}</p>
      <div className="stats">
        <div className="stat">
          <span className="stat-value">{outlets.view.total}</span>
          <span className="stat-label">{t('bureauHome.outletsTotal')}</span>
        </div>
        <div className="stat">
          <span className="stat-value">{brands.length}</span>
          <span className="stat-label">{t('bureauHome.brands')}</span>
        </div>
      </div>
      <StackTable data-testid="city-brand-table">
          <thead>
            <tr>
              <th>{t('bureauHome.city')}</th>
              {brands.map((b) => (
                <th key={b.brandCode} className="num">{localName(locale, { nameZh: b.brandNameZh, nameEn: b.brandNameEn })}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cities.map((c) => (
              <tr key={c.cityCode}>
                <td>{localName(locale, { nameZh: c.cityNameZh, nameEn: c.cityNameEn })}</td>
                {brands.map((b) => (
                  <td key={b.brandCode} className="num">{count(c.cityCode, b.brandCode)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </StackTable>
      <h2 id="register">{t('bureauHome.outletList')}</h2>
      <OutletRegister outlets={outlets.rows} view={outlets.view} hrefOf={pageHref} />
    </section>
  )
}
