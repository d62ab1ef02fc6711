import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { partnerEndpoints, partnerJsonResponse, servePartnerRequest } from '#app/services/partner-http.server.ts'

// POST /api/partner/v1/green-actions: signed JSON from e-commerce partners.
// Cookieless (server.ts exempts /api/partner/ from the browser origin check).
// In production server.ts serves the POST before Remix (partnerApi, the same endpoint).

export async function loader(_args: LoaderFunctionArgs) {
  return partnerJsonResponse(partnerEndpoints.greenActions.notAllowed())
}

export async function action({ request }: ActionFunctionArgs) {
  return servePartnerRequest(request, partnerEndpoints.greenActions)
}
