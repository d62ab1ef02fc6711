import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { OutletRegister } from '#app/components/outlet-table.tsx'
import { pageOf, pageView } from '#app/domain/paging.ts'
import { isRecordCode, recordDefinitions } from '#app/domain/activity/definitions.ts'
import { formatDateTime, formatDecimal } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { listBatches } from '#db/models/imports.ts'
import { pageVisibleOutlets } from '#db/models/outlets.ts'
import { findBrand } from '#db/models/reference.ts'

/** Outlets per page of the register: a brand holds thousands nationwide. */
const outletsPerPage = 20

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['carrier_admin'], context)
  const db = await getDb()
  const brand = await findBrand(db, viewer.brandId!)
  if (!brand) throw new Response('Not found', { status: 404 })
  const asked = pageOf(new URL(request.url).searchParams.get('outlets'), outletsPerPage)
  const [register, batches] = await Promise.all([pageVisibleOutlets(db, viewer, asked), listBatches(db, viewer, 5)])
  return {
    brand: { nameZh: brand.name_zh, nameEn: brand.name_en },
    outlets: { rows: register.rows, provinces: register.provinces, view: pageView(asked, register.rows.length, register.total) },
    batches: batches.map((b) => ({ id: String(b.id), recordType: b.record_type, fileName: b.file_name, status: b.status, createdAt: b.created_at.toISOString(), accepted: b.rows_accepted })),
  }
}

export default function BrandHome() {
  const { brand, outlets, batches } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  return (
    <>
      <section className="card" data-testid="home-carrier_admin">
        <h1>{t('brandHome.title', { brand: localName(locale, brand) })}</h1>
        <p className="muted">{t('brandHome.outletCount', { count: outlets.view.total, provinces: outlets.provinces })}</p>
        <div id="register">
          <OutletRegister outlets={outlets.rows} view={outlets.view} hrefOf={(n) => `?outlets=${n}#register`} showBrand={false} />
        </div>
      </section>
      <section className="card" data-testid="brand-activity">
        <h2>{t('brandHome.activity')}</h2>
        <p>
          <Link className="button" to="/imports/new">
            {t('activityPages.upload')}
          </Link>{' '}
          <Link to="/activity">{t('activityPages.title')} →</Link> · <Link to="/activity/vehicles/new">{t('activity.record.vehicles')} →</Link>
        </p>
        <h2>{t('brandHome.uploads')}</h2>
        {batches.length === 0 ? (
          <p className="muted">{t('importPages.noBatches')}</p>
        ) : (
          <ul className="record-list">
            {batches.map((b) => (
              <li key={b.id}>
                <Link to={`/imports/${b.id}`}>{b.fileName}</Link> · {isRecordCode(b.recordType) ? t(recordDefinitions[b.recordType].label) : b.recordType} ·{' '}
                {t(`importPages.status.${b.status}`)} · {formatDecimal(locale, b.accepted)} · {formatDateTime(locale, b.createdAt)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  )
}
