import type { LoaderFunctionArgs } from '@remix-run/node'
import { outletViewerRoles } from '#app/domain/access.ts'
import { contentDisposition, exportReportCsv, homeScope, isExportTable, parseScopeParam } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getLocale } from '#app/utils/locale.server.ts'

// /reports/export.csv?table=metrics|children|brands&scope=region:410100&period=2026-10[&metric=…]
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, outletViewerRoles, context)
  const query = new URL(request.url).searchParams
  const table = query.get('table')
  if (!isExportTable(table)) throw new Response('Unknown table', { status: 400 })
  const scope = query.has('scope') ? parseScopeParam(query.get('scope')) : homeScope(viewer)
  if (!scope) throw new Response('Not found', { status: 404 })
  const result = await exportReportCsv(await getDb(), viewer, table, scope, query, getLocale(request), new Date())
  if (!result.ok) throw new Response(null, { status: result.status })
  return new Response(result.file.text, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': contentDisposition(result.file.fileName, result.file.asciiName),
      'Cache-Control': 'private, no-store',
    },
  })
}
