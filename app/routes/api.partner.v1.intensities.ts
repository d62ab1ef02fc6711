import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { creditContext } from '#app/services/credit-data.server.ts'
import { footprintError, handleIntensities, partnerJsonResponse, servePartnerRequest } from '#app/services/footprints.server.ts'

// GET /api/partner/v1/intensities?brand=&region=&month=: signed, cookieless
// (server.ts exempts /api/partner/ from the browser origin check).
export async function loader({ request }: LoaderFunctionArgs) {
  // A GET carries no body: anything beyond a few bytes is refused unread.
  return servePartnerRequest(request, 0, async (req) => handleIntensities(await creditContext(), req, new Date()))
}

export async function action(_args: ActionFunctionArgs) {
  return partnerJsonResponse(footprintError('method_not_allowed', { Allow: 'GET' }))
}
