import type { LoaderFunctionArgs } from '@remix-run/node'
import { partnerOpenApiDocument } from '#app/services/partner-openapi.server.ts'

// GET /api/openapi.json: public, so partners' tools can fetch it.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const proto = request.headers.get('X-Forwarded-Proto') === 'https' ? 'https:' : url.protocol
  return new Response(JSON.stringify(partnerOpenApiDocument(`${proto}//${url.host}`), null, 2), {
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
  })
}
