import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { creditContext } from '#app/services/credit-data.server.ts'
import { footprintError, handleFootprintBatchRead } from '#app/services/footprints.server.ts'
import { partnerJsonResponse, servePartnerRequest } from '#app/services/partner-http.server.ts'

// GET /api/partner/v1/footprints/:batchId: a batch's answer again, signed, to its own partner only.
export async function loader({ request, params }: LoaderFunctionArgs) {
  // A GET carries no body: anything beyond it is refused unread.
  return servePartnerRequest(request, { maxBytes: 0, tooLarge: () => footprintError('body_too_large') }, async (req) =>
    handleFootprintBatchRead(await creditContext(), req, params.batchId ?? '', new Date()),
  )
}

export async function action(_args: ActionFunctionArgs) {
  return partnerJsonResponse(footprintError('method_not_allowed', { Allow: 'GET' }))
}
