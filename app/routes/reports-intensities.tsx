import type { LoaderFunctionArgs } from '@remix-run/node'
import { intensityCsvRoles } from '#app/domain/access.ts'
import { intensitiesCsv } from '#app/services/footprints-csv.server.ts'
import { contentDisposition } from '#app/services/reports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getLocale } from '#app/utils/locale.server.ts'

// /reports/intensities.csv?month=2026-10: the parcel footprint intensities of the viewer's own reach.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, intensityCsvRoles, context)
  const result = await intensitiesCsv(await getDb(), viewer, new URL(request.url).searchParams.get('month'), getLocale(request), new Date())
  if (!result.ok) throw new Response(null, { status: result.status })
  return new Response(result.text, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': contentDisposition(result.fileName, result.asciiName),
      'Cache-Control': 'private, no-store',
    },
  })
}
