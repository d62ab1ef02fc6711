import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { creditContext } from '#app/services/credit-data.server.ts'
import { partnerJsonResponse, servePartnerRequest } from '#app/services/partner-http.server.ts'
import { apiError, handleGreenAction, maxBodyBytes } from '#app/services/partners.server.ts'

// POST /api/partner/v1/green-actions: signed JSON from e-commerce partners.
// Cookieless (server.ts exempts /api/partner/ from the browser origin check).

export async function loader(_args: LoaderFunctionArgs) {
  return partnerJsonResponse(apiError('method_not_allowed', undefined, { Allow: 'POST' }))
}

export async function action({ request }: ActionFunctionArgs) {
  return servePartnerRequest(request, { maxBytes: maxBodyBytes, tooLarge: () => apiError('body_too_large') }, async (req) =>
    handleGreenAction(await creditContext(), req, new Date()),
  )
}
