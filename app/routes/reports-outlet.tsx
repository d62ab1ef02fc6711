import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { outletViewerRoles } from '#app/domain/access.ts'
import { isInt4Id } from '#app/domain/ids.ts'
import { loadReportPage, reportPageView } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { ReportPage } from './reports-view.tsx'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, outletViewerRoles, context)
  const id = Number(params.outletId)
  if (!isInt4Id(id)) throw new Response('Not found', { status: 404 })
  const result = await loadReportPage(await getDb(), viewer, { kind: 'outlet', outletId: id }, new URL(request.url).searchParams, new Date())
  if (!result.ok) throw new Response(null, { status: result.status })
  return reportPageView(result.data)
}

export default function OutletReport() {
  return <ReportPage data={useLoaderData<typeof loader>()} />
}
