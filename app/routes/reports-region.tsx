import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { regionReportRoles } from '#app/domain/access.ts'
import { loadReportPage, reportPageView } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { ReportPage } from './reports-view.tsx'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, regionReportRoles, context)
  const code = params.code ?? ''
  if (!/^\d{6}$/.test(code)) throw new Response('Not found', { status: 404 })
  const result = await loadReportPage(await getDb(), viewer, { kind: 'region', regionCode: code }, new URL(request.url).searchParams, new Date())
  if (!result.ok) throw new Response(null, { status: result.status })
  return reportPageView(result.data)
}

export default function RegionReport() {
  return <ReportPage data={useLoaderData<typeof loader>()} />
}
