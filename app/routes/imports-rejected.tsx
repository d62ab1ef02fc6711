import type { LoaderFunctionArgs } from '@remix-run/node'
import { batchRejectedCsv, uploaderRoles } from '#app/services/imports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getLocale } from '#app/utils/locale.server.ts'

// /imports/:id/rejected.csv: every rejected row as uploaded, with a reason
// column in the reader's language, to fix in Excel and upload again.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, uploaderRoles, context)
  const file = await batchRejectedCsv(await getDb(), viewer, params.id ?? '', getLocale(request))
  if (!file) throw new Response('Not found', { status: 404 })
  return new Response(file.stream, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="rejected.csv"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'Cache-Control': 'no-store',
    },
  })
}
