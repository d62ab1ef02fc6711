import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { partnerEndpoints, partnerJsonResponse, servePartnerRequest } from '#app/services/partner-http.server.ts'

// POST /api/partner/v1/footprints: a signed batch of parcels; answers their footprints.
export async function loader(_args: LoaderFunctionArgs) {
  return partnerJsonResponse(partnerEndpoints.footprints.notAllowed())
}

export async function action({ request }: ActionFunctionArgs) {
  return servePartnerRequest(request, partnerEndpoints.footprints)
}
