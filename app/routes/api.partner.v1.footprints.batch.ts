import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { partnerEndpoints, partnerJsonResponse, servePartnerRequest } from '#app/services/partner-http.server.ts'

// GET /api/partner/v1/footprints/:batchId: a batch's answer again, signed, to its own partner only.
export async function loader({ request, params }: LoaderFunctionArgs) {
  // A GET carries no body: anything beyond it is refused unread.
  return servePartnerRequest(request, partnerEndpoints.footprintBatch, { batchId: params.batchId ?? '' })
}

export async function action(_args: ActionFunctionArgs) {
  return partnerJsonResponse(partnerEndpoints.footprintBatch.notAllowed())
}
