import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import type { GridRegion } from '#db/schema.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { listBrands, listRegions } from '#db/models/reference.ts'
import { StackTable } from '#app/components/stack-table.tsx'

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireRole(request, ['admin'], context)
  const db = await getDb()
  const [regions, brands, users] = await Promise.all([
    listRegions(db),
    listBrands(db),
    db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { regions, brands, userCount: Number(users.n) }
}

export default function AdminHome() {
  const { regions, brands, userCount } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const outletCount = brands.reduce((n, b) => n + Number(b.outlets), 0)
  return (
    <section className="card" data-testid="home-admin">
      <h1>{t('adminHome.title')}</h1>
      <div className="stats">
        <div className="stat"><span className="stat-value">{regions.length}</span><span className="stat-label">{t('adminHome.regions')}</span></div>
        <div className="stat"><span className="stat-value">{brands.length}</span><span className="stat-label">{t('adminHome.brands')}</span></div>
        <div className="stat"><span className="stat-value">{outletCount}</span><span className="stat-label">{t('adminHome.outlets')}</span></div>
        <div className="stat"><span className="stat-value">{userCount}</span><span className="stat-label">{t('adminHome.users')}</span></div>
      </div>
      <p><Link to="/admin/users">{t('adminHome.manageUsers')} →</Link></p>
      <h2>{t('adminHome.brands')}</h2>
      <StackTable>
          <thead><tr><th>{t('adminHome.regionCode')}</th><th>{t('adminHome.regionName')}</th><th className="num">{t('adminHome.outlets')}</th></tr></thead>
          <tbody>
            {brands.map((b) => (
              <tr key={b.id}><td className="mono">{b.code}</td><td>{localName(locale, { nameZh: b.name_zh, nameEn: b.name_en })}</td><td className="num">{b.outlets}</td></tr>
            ))}
          </tbody>
        </StackTable>
      <h2>{t('adminHome.regionTree')}</h2>
      <StackTable>
          <thead><tr><th>{t('adminHome.regionCode')}</th><th>{t('adminHome.regionName')}</th><th>{t('adminHome.gridRegion')}</th></tr></thead>
          <tbody>
            {regions.map((r) => (
              <tr key={r.code} className={`level-${r.level}`}>
                <td className="mono">{r.code}</td>
                <td>{localName(locale, { nameZh: r.name_zh, nameEn: r.name_en })}</td>
                <td>{t(`grid.${r.grid_region as GridRegion}`)}</td>
              </tr>
            ))}
          </tbody>
        </StackTable>
    </section>
  )
}
