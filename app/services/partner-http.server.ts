import type { IncomingMessage, ServerResponse } from 'node:http'
import { maxFootprintBodyBytes } from '#app/domain/footprints/request.ts'
import { BodyTooLarge, readBoundedBody, readBoundedNodeBody } from '#app/utils/body.server.ts'
import { creditContext } from './credit-data.server.ts'
import { footprintError, handleFootprintBatch, handleFootprintBatchRead, handleIntensities } from './footprints.server.ts'
import { apiError, greenActionsPath, handleGreenAction, maxBodyBytes, type PartnerHttpRequest, type PartnerHttpResponse } from './partners.server.ts'

// HTTP plumbing of every /api/partner/ endpoint, in one place for both ways in:
// the Remix routes (app/routes/api.partner.v1.*, thin wrappers) and the lean
// Node handler server.ts mounts before Remix (partnerApi, decision 086). Both
// run the same endpoint: the bounded body (app/utils/body.server.ts), the JSON
// envelope, and any failure as a 500 in the API's own error shape.

/** The connection carrying an unread body is closed once the answer is sent, never reused for another request. */
export const tooLargeHeaders = { Connection: 'close' } as const

/** One partner endpoint: the method it answers, its body bound, and the service call. */
export interface PartnerEndpoint {
  method: 'GET' | 'POST'
  /** Bytes of body accepted; 0 for a GET (anything sent is refused unread). */
  maxBytes: number
  tooLarge: () => PartnerHttpResponse
  /** The answer to any other method (405 with Allow). */
  notAllowed: () => PartnerHttpResponse
  handle: (req: PartnerHttpRequest, params: Record<string, string>, now: Date) => Promise<PartnerHttpResponse>
}

const footprintsPath = '/api/partner/v1/footprints'
const intensitiesPath = '/api/partner/v1/intensities'

export const partnerEndpoints = {
  greenActions: {
    method: 'POST',
    maxBytes: maxBodyBytes,
    tooLarge: () => apiError('body_too_large'),
    notAllowed: () => apiError('method_not_allowed', undefined, { Allow: 'POST' }),
    handle: async (req, _params, now) => handleGreenAction(await creditContext(), req, now),
  },
  footprints: {
    method: 'POST',
    maxBytes: maxFootprintBodyBytes,
    tooLarge: () => footprintError('body_too_large'),
    notAllowed: () => footprintError('method_not_allowed', { Allow: 'POST' }),
    handle: async (req, _params, now) => handleFootprintBatch(await creditContext(), req, now),
  },
  footprintBatch: {
    method: 'GET',
    maxBytes: 0,
    tooLarge: () => footprintError('body_too_large'),
    notAllowed: () => footprintError('method_not_allowed', { Allow: 'GET' }),
    handle: async (req, params, now) => handleFootprintBatchRead(await creditContext(), req, params.batchId ?? '', now),
  },
  intensities: {
    method: 'GET',
    maxBytes: 0,
    tooLarge: () => footprintError('body_too_large'),
    notAllowed: () => footprintError('method_not_allowed', { Allow: 'GET' }),
    handle: async (req, _params, now) => handleIntensities(await creditContext(), req, now),
  },
} as const satisfies Record<string, PartnerEndpoint>

/** The endpoint a path names (query string excluded), with its parameters; undefined for any other path. */
export function matchPartnerEndpoint(pathname: string): { endpoint: PartnerEndpoint; params: Record<string, string> } | undefined {
  if (pathname === greenActionsPath) return { endpoint: partnerEndpoints.greenActions, params: {} }
  if (pathname === footprintsPath) return { endpoint: partnerEndpoints.footprints, params: {} }
  if (pathname === intensitiesPath) return { endpoint: partnerEndpoints.intensities, params: {} }
  if (pathname.startsWith(footprintsPath + '/')) {
    const segment = pathname.slice(footprintsPath.length + 1)
    if (segment === '' || segment.includes('/')) return undefined
    try {
      return { endpoint: partnerEndpoints.footprintBatch, params: { batchId: decodeURIComponent(segment) } }
    } catch {
      return undefined
    }
  }
  return undefined
}

function jsonHeaders(answer: PartnerHttpResponse): Record<string, string> {
  return { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...answer.headers }
}

export function partnerJsonResponse(answer: PartnerHttpResponse): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: jsonHeaders(answer) })
}

/**
 * Runs one endpoint on a request, whichever way it came in: bounded body (413
 * past maxBytes, the connection closed after it), the signed path as sent, any
 * failure a 500 in the API's envelope.
 */
async function runEndpoint(
  endpoint: PartnerEndpoint,
  params: Record<string, string>,
  request: { method: string; path: string; headers: PartnerHttpRequest['headers']; readBody: (maxBytes: number) => Promise<Uint8Array> },
): Promise<PartnerHttpResponse> {
  try {
    let body: Uint8Array
    try {
      body = await request.readBody(endpoint.maxBytes)
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error
      const refused = endpoint.tooLarge()
      return { ...refused, headers: { ...refused.headers, ...tooLargeHeaders } }
    }
    return await endpoint.handle({ method: request.method, path: request.path, headers: request.headers, body }, params, new Date())
  } catch (error) {
    console.error(`partner API ${request.path.split('?')[0]}:`, error)
    return apiError('internal_error')
  }
}

/** An endpoint served through Remix (the route modules' action or loader). */
export async function servePartnerRequest(request: Request, endpoint: PartnerEndpoint, params: Record<string, string> = {}): Promise<Response> {
  const url = new URL(request.url)
  const answer = await runEndpoint(endpoint, params, {
    method: request.method,
    path: url.pathname + url.search,
    headers: request.headers,
    readBody: (maxBytes) => readBoundedBody(request, maxBytes),
  })
  return partnerJsonResponse(answer)
}

/** Node's request headers behind the one method the services read (Headers.get: names in any case, repeats joined). */
function nodeHeaders(req: IncomingMessage): PartnerHttpRequest['headers'] {
  return {
    get(name: string) {
      const value = req.headers[name.toLowerCase()]
      if (value === undefined) return null
      return Array.isArray(value) ? value.join(', ') : value
    },
  }
}

/**
 * The partner API without Remix's request pipeline (route matching, web
 * Request and Response objects) or the page middleware after it
 * (compression, static files): server.ts mounts it after its first middleware
 * (security headers, the lingering close, the origin check) and before
 * everything else. It answers exactly the (method, path) pairs of
 * partnerEndpoints; anything else (another method, HEAD, an unknown path)
 * goes on to the Remix routes, which run the same endpoints.
 */
export function partnerApi(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const url = req.url ?? '/'
  const queryAt = url.indexOf('?')
  const matched = matchPartnerEndpoint(queryAt === -1 ? url : url.slice(0, queryAt))
  if (!matched || req.method !== matched.endpoint.method) return next()
  void runEndpoint(matched.endpoint, matched.params, {
    method: req.method,
    path: url,
    headers: nodeHeaders(req),
    readBody: (maxBytes) => readBoundedNodeBody(req, maxBytes),
  })
    .then((answer) => {
      const text = JSON.stringify(answer.body)
      res.writeHead(answer.status, { ...jsonHeaders(answer), 'Content-Length': String(Buffer.byteLength(text)) })
      res.end(text)
    })
    .catch((error: unknown) => {
      // Only writing the answer can fail here (the client went away): nothing left to tell it.
      console.error(`partner API ${url.split('?')[0]}: the answer could not be written:`, error)
      res.destroy()
    })
}

/**
 * How server.ts finds partnerApi: it runs outside the Vite build and must use
 * the build's own copy of this module (one key cache, one database pool), and
 * a route module cannot export it (Remix would pull it into the browser
 * bundle). So the build, which loads every route and hence this module,
 * leaves the handler here for server.ts to take once the build is loaded.
 */
export const partnerApiGlobal = '__greenparcelPartnerApi'
;(globalThis as Record<string, unknown>)[partnerApiGlobal] = partnerApi
