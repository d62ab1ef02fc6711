import { BodyTooLarge, readBoundedBody } from '#app/utils/body.server.ts'
import { apiError, type PartnerHttpRequest, type PartnerHttpResponse } from './partners.server.ts'

// HTTP plumbing of every /api/partner/ route: the bounded body (app/utils/body.server.ts), the JSON
// envelope, and any failure as a 500 in the API's own error shape.

/** The connection carrying an unread body is closed once the answer is sent, never reused for another request. */
export const tooLargeHeaders = { Connection: 'close' } as const

export function partnerJsonResponse(answer: PartnerHttpResponse): Response {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...answer.headers },
  })
}

/** Runs one partner endpoint on a request: bounded body (413 past maxBytes), the signed path as sent, any failure a 500 in the API's envelope. */
export async function servePartnerRequest(
  request: Request,
  limit: { maxBytes: number; tooLarge: () => PartnerHttpResponse },
  handle: (req: PartnerHttpRequest) => Promise<PartnerHttpResponse>,
): Promise<Response> {
  try {
    let body: Uint8Array
    try {
      body = await readBoundedBody(request, limit.maxBytes)
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error
      const refused = limit.tooLarge()
      return partnerJsonResponse({ ...refused, headers: { ...refused.headers, ...tooLargeHeaders } })
    }
    const url = new URL(request.url)
    return partnerJsonResponse(await handle({ method: request.method, path: url.pathname + url.search, headers: request.headers, body }))
  } catch (error) {
    console.error(`partner API ${new URL(request.url).pathname}:`, error)
    return partnerJsonResponse(apiError('internal_error'))
  }
}
