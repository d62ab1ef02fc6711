import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { outletViewerRoles } from '#app/domain/access.ts'
import { homeScope, loadReportPage, reportPageView } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { ReportPage } from './reports-view.tsx'

export const meta: MetaFunction = () => [{ name: 'robots', content: 'noindex' }]

// The viewer's own reach: a bureau its jurisdiction, a brand admin its brand
// nationwide, an operator its outlet, an admin the nation.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, outletViewerRoles, context)
  const scope = homeScope(viewer)
  if (!scope) throw new Response('Not found', { status: 404 })
  const result = await loadReportPage(await getDb(), viewer, scope, new URL(request.url).searchParams, new Date())
  if (!result.ok) throw new Response(null, { status: result.status })
  return reportPageView(result.data)
}

export default function ReportsHome() {
  return <ReportPage data={useLoaderData<typeof loader>()} />
}
