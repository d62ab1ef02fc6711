import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { MonthAtGlance } from '#app/components/month-glance.tsx'
import { OutletCard } from '#app/components/outlet-table.tsx'
import { recordCodes, recordDefinitions } from '#app/domain/activity/definitions.ts'
import { formatDecimal } from '#app/i18n/format.ts'
import { useLocale, useT } from '#app/i18n/react.ts'
import { outletHome } from '#app/services/outlet-home.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['outlet_operator'], context)
  const home = await outletHome(await getDb(), viewer)
  if (!home.ok) throw new Response('Not found', { status: home.status })
  return { outlet: home.outlet, recent: home.recent, glance: home.glance }
}

export default function OutletHome() {
  const { outlet, recent, glance } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const entry = glance.todayShipment
  return (
    <>
      <section className="card" data-testid="today-entry">
        <h2>{t('outletHome.today', { date: glance.today })}</h2>
        {entry ? (
          <>
            <p>{t('outletHome.todayDone', { parcels: formatDecimal(locale, entry.parcels), eWaybill: formatDecimal(locale, entry.eWaybillParcels) })}</p>
            <Link className="button" to={`/activity/shipment_stats/${entry.id}/edit`}>
              {t('outletHome.editToday')}
            </Link>
          </>
        ) : (
          <>
            <p className="muted">{t('outletHome.todayMissing')}</p>
            <Link className="button" to={`/activity/shipment_stats/new?outletCode=${encodeURIComponent(outlet.code)}&date=${glance.today}`} data-testid="enter-today">
              {t('outletHome.enterToday')}
            </Link>
          </>
        )}
      </section>
      <MonthAtGlance glance={glance} outletId={outlet.id} />
      <section className="card" data-testid="home-outlet_operator">
        <h1>{t('outletHome.title')}</h1>
        <p className="muted">{t('outletHome.intro')}</p>
        <OutletCard outlet={outlet} />
        <p>
          <Link to={`/outlets/${outlet.id}`}>{t('outlet.history')} →</Link>
        </p>
      </section>
      <section className="card">
        <h2>{t('outletHome.forms')}</h2>
        <ul className="link-grid">
          {recordCodes.map((code) => (
            <li key={code}>
              <Link to={`/activity/${code}/new?outletCode=${encodeURIComponent(outlet.code)}&siteCode=${encodeURIComponent(outlet.code)}`}>{t(recordDefinitions[code].label)}</Link>
            </li>
          ))}
        </ul>
        <p>
          <Link to="/activity">{t('activityPages.title')} →</Link> · <Link to="/imports/new">{t('activityPages.upload')} →</Link>
        </p>
        <h2>{t('outletHome.recent')}</h2>
        {recent.length === 0 ? (
          <p className="muted">{t('common.none')}</p>
        ) : (
          <ul className="record-list">
            {recent.map((r) => (
              <li key={`${r.recordType}-${r.id}`}>
                <Link to={`/activity/${r.recordType}/${r.id}`}>
                  {t(recordDefinitions[r.recordType].label)} · {r.label}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  )
}
