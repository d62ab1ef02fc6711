import { type ActionFunctionArgs } from '@remix-run/node'
import { receiveUpload, uploaderRoles } from '#app/services/imports.server.ts'
import { requireRole } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import type { UploadResult } from './imports-new.tsx'

// The upload form's JavaScript path (see imports-new.tsx): the same upload,
// answered with JSON so that the page can show upload progress and then go on.
export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireRole(request, uploaderRoles)
  const result = await receiveUpload(await getDb(), viewer, request)
  if (result.ok) return Response.json({ redirectTo: `/imports/${result.batchId}` })
  return Response.json({ errors: { [result.field]: result.error }, recordType: result.recordType } satisfies UploadResult, { status: 400 })
}
