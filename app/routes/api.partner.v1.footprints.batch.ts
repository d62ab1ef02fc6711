import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { creditContext } from '#app/services/credit-data.server.ts'
import { footprintError, handleFootprintBatchRead, partnerJsonResponse, servePartnerRequest } from '#app/services/footprints.server.ts'

// GET /api/partner/v1/footprints/:batchId: a batch's answer again, signed, to its own partner only.
export async function loader({ request, params }: LoaderFunctionArgs) {
  return servePartnerRequest(request, 0, async (req) => handleFootprintBatchRead(await creditContext(), req, params.batchId ?? '', new Date()))
}

export async function action(_args: ActionFunctionArgs) {
  return partnerJsonResponse(footprintError('method_not_allowed', { Allow: 'GET' }))
}
