import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { creditContext } from '#app/services/credit-data.server.ts'
import { footprintError, handleIntensities } from '#app/services/footprints.server.ts'
import { partnerJsonResponse, servePartnerRequest } from '#app/services/partner-http.server.ts'

// GET /api/partner/v1/intensities?brand=&region=&month=: signed, cookieless
// (server.ts exempts /api/partner/ from the browser origin check).
export async function loader({ request }: LoaderFunctionArgs) {
  // A GET carries no body: anything beyond it is refused unread.
  return servePartnerRequest(request, { maxBytes: 0, tooLarge: () => footprintError('body_too_large') }, async (req) =>
    handleIntensities(await creditContext(), req, new Date()),
  )
}

export async function action(_args: ActionFunctionArgs) {
  return partnerJsonResponse(footprintError('method_not_allowed', { Allow: 'GET' }))
}
