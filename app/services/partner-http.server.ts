import { apiError, type PartnerHttpRequest, type PartnerHttpResponse } from './partners.server.ts'

// HTTP plumbing of every /api/partner/ route: the bounded body, the JSON
// envelope, and any failure as a 500 in the API's own error shape.

export type BoundedBody = { ok: true; body: Uint8Array } | { ok: false }

/**
 * The request body, counted chunk by chunk as it arrives and left unread past
 * `max` bytes: a chunked request has no Content-Length, and a declared one
 * may lie, so only the bytes actually read are trusted. At most `max` bytes
 * plus one chunk of the stream's buffer are ever held. The rest is not read
 * and not cancelled (cancelling destroys the socket before the answer can be
 * sent); the answer closes the connection instead (tooLargeHeaders).
 */
export async function readBoundedBody(request: Request, max: number): Promise<BoundedBody> {
  const declared = Number(request.headers.get('Content-Length') ?? '0')
  if (declared > max) return { ok: false }
  if (!request.body) return { ok: true, body: new Uint8Array(0) }
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      reader.releaseLock()
      return { ok: false }
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { ok: true, body }
}

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
    const read = await readBoundedBody(request, limit.maxBytes)
    if (!read.ok) {
      const refused = limit.tooLarge()
      return partnerJsonResponse({ ...refused, headers: { ...refused.headers, ...tooLargeHeaders } })
    }
    const url = new URL(request.url)
    return partnerJsonResponse(await handle({ method: request.method, path: url.pathname + url.search, headers: request.headers, body: read.body }))
  } catch (error) {
    console.error(`partner API ${new URL(request.url).pathname}:`, error)
    return partnerJsonResponse(apiError('internal_error'))
  }
}
