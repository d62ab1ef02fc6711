import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { int4Id } from '#app/domain/ids.ts'
import { OutletCard } from '#app/components/outlet-table.tsx'
import { outletViewerRoles } from '#app/domain/access.ts'
import { formatDateTime } from '#app/i18n/format.ts'
import { localName, useLocale, useT } from '#app/i18n/react.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { listAuditFor } from '#db/models/audit.ts'
import { findVisibleOutlet } from '#db/models/outlets.ts'

const paramsSchema = z.object({ outletId: int4Id })

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, outletViewerRoles, context)
  const parsed = paramsSchema.safeParse(params)
  if (!parsed.success) throw new Response('Not found', { status: 404 })
  const db = await getDb()
  // Scoped in SQL: another brand's or another city's outlet is simply not found.
  const outlet = await findVisibleOutlet(db, viewer, parsed.data.outletId)
  if (!outlet) throw new Response('Not found', { status: 404 })
  const history = await listAuditFor(db, 'outlet', outlet.id)
  return { outlet, history }
}

export default function OutletDetail() {
  const { outlet, history } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  return (
    <section className="card" data-testid="outlet-detail">
      <h1>{localName(locale, outlet)}</h1>
      <OutletCard outlet={outlet} />
      <h2>{t('outlet.history')}</h2>
      {history.length === 0 ? (
        <p className="muted">{t('outlet.noHistory')}</p>
      ) : (
        <ul className="history">
          {history.map((h) => (
            <li key={h.id}>
              {formatDateTime(locale, h.occurredAt)} · {h.actor ?? '—'} · <span className="mono">{h.action}</span>
              {h.reason ? ` · ${h.reason}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
