import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { partnerEndpoints, partnerJsonResponse, servePartnerRequest } from '#app/services/partner-http.server.ts'

// GET /api/partner/v1/intensities?brand=&region=&month=: signed, cookieless
// (server.ts exempts /api/partner/ from the browser origin check).
export async function loader({ request }: LoaderFunctionArgs) {
  // A GET carries no body: anything beyond it is refused unread.
  return servePartnerRequest(request, partnerEndpoints.intensities)
}

export async function action(_args: ActionFunctionArgs) {
  return partnerJsonResponse(partnerEndpoints.intensities.notAllowed())
}
