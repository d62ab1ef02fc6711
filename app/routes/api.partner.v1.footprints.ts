import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { maxFootprintBodyBytes } from '#app/domain/footprints/request.ts'
import { creditContext } from '#app/services/credit-data.server.ts'
import { footprintError, handleFootprintBatch } from '#app/services/footprints.server.ts'
import { partnerJsonResponse, servePartnerRequest } from '#app/services/partner-http.server.ts'

// POST /api/partner/v1/footprints: a signed batch of parcels; answers their footprints.
export async function loader(_args: LoaderFunctionArgs) {
  return partnerJsonResponse(footprintError('method_not_allowed', { Allow: 'POST' }))
}

export async function action({ request }: ActionFunctionArgs) {
  return servePartnerRequest(request, { maxBytes: maxFootprintBodyBytes, tooLarge: () => footprintError('body_too_large') }, async (req) =>
    handleFootprintBatch(await creditContext(), req, new Date()),
  )
}
