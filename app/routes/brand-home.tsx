import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { OutletTable } from '#app/components/outlet-table.tsx'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { listVisibleOutlets } from '#db/models/outlets.ts'
import { findBrand } from '#db/models/reference.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['carrier_admin'])
  const db = await getDb()
  const brand = await findBrand(db, viewer.brandId!)
  if (!brand) throw new Response('Not found', { status: 404 })
  const outlets = await listVisibleOutlets(db, viewer)
  return { brand: { nameZh: brand.name_zh, nameEn: brand.name_en }, outlets }
}

export default function BrandHome() {
  const { brand, outlets } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const provinces = new Set(outlets.map((o) => o.provinceCode)).size
  return (
    <section className="card" data-testid="home-carrier_admin">
      <h1>{t('brandHome.title', { brand: localName(locale, brand) })}</h1>
      <p className="muted">{t('brandHome.outletCount', { count: outlets.length, provinces })}</p>
      <OutletTable outlets={outlets} showBrand={false} />
    </section>
  )
}
