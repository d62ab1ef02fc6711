import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { OutletTable } from '#app/components/outlet-table.tsx'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { countVisibleOutletsByCityAndBrand, listVisibleOutlets } from '#db/models/outlets.ts'
import { findRegion } from '#db/models/reference.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['bureau_officer'])
  const db = await getDb()
  const region = await findRegion(db, viewer.regionCode!)
  if (!region) throw new Response('Not found', { status: 404 })
  const [cells, outlets] = await Promise.all([
    countVisibleOutletsByCityAndBrand(db, viewer),
    listVisibleOutlets(db, viewer),
  ])
  return { region: { nameZh: region.name_zh, nameEn: region.name_en }, cells, outlets }
}

export default function BureauHome() {
  const { region, cells, outlets } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const brands = [...new Map(cells.map((c) => [c.brandCode, c])).values()]
  const cities = [...new Map(cells.map((c) => [c.cityCode, c])).values()]
  const count = (city: string, brand: string) => cells.find((c) => c.cityCode === city && c.brandCode === brand)?.outlets ?? '0'
  return (
    <section className="card" data-testid="home-bureau_officer">
      <h1>{t('bureauHome.title', { region: localName(locale, region) })}</h1>
      <p className="muted">{t('bureauHome.intro')}</p>
      <div className="stats">
        <div className="stat">
          <span className="stat-value">{outlets.length}</span>
          <span className="stat-label">{t('bureauHome.outletsTotal')}</span>
        </div>
        <div className="stat">
          <span className="stat-value">{brands.length}</span>
          <span className="stat-label">{t('bureauHome.brands')}</span>
        </div>
      </div>
      <div className="table-wrap">
        <table data-testid="city-brand-table">
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
        </table>
      </div>
      <h2>{t('bureauHome.outletList')}</h2>
      <OutletTable outlets={outlets} />
    </section>
  )
}
