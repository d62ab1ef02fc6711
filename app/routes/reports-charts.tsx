import type { LoaderFunctionArgs } from '@remix-run/node'
import { outletViewerRoles } from '#app/domain/access.ts'
import { loadReportCharts, parseScopeParam } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'

// /reports/charts?scope=region:410100&period=2026: the chart data of a report
// page, which the page asks for once it is live (charts are drawn in the browser).
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, outletViewerRoles, context)
  const query = new URL(request.url).searchParams
  const scope = parseScopeParam(query.get('scope'))
  if (!scope) throw new Response('Not found', { status: 404 })
  const result = await loadReportCharts(await getDb(), viewer, scope, query, new Date())
  if (!result.ok) throw new Response(null, { status: result.status })
  return result.charts
}
