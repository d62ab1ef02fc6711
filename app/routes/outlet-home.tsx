import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { OutletCard } from '#app/components/outlet-table.tsx'
import { useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { findVisibleOutlet } from '#db/models/outlets.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, ['outlet_operator'])
  const outlet = await findVisibleOutlet(await getDb(), viewer, viewer.outletId!)
  if (!outlet) throw new Response('Not found', { status: 404 })
  return { outlet }
}

export default function OutletHome() {
  const { outlet } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <section className="card" data-testid="home-outlet_operator">
      <h1>{t('outletHome.title')}</h1>
      <p className="muted">{t('outletHome.intro')}</p>
      <OutletCard outlet={outlet} />
      <p>
        <Link to={`/outlets/${outlet.id}`}>{t('outlet.history')} →</Link>
      </p>
    </section>
  )
}
