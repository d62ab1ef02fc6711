import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { creditContext } from '#app/services/credit-data.server.ts'
import { apiError, handleGreenAction, maxBodyBytes, type PartnerHttpResponse } from '#app/services/partners.server.ts'

// POST /api/partner/v1/green-actions: signed JSON from e-commerce partners.
// Cookieless (server.ts exempts /api/partner/ from the browser origin check).

function respond(answer: PartnerHttpResponse): Response {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...answer.headers },
  })
}

export async function loader(_args: LoaderFunctionArgs) {
  return respond(apiError('method_not_allowed', undefined, { Allow: 'POST' }))
}

export async function action({ request }: ActionFunctionArgs) {
  const declared = Number(request.headers.get('Content-Length') ?? '0')
  if (declared > maxBodyBytes) return respond(apiError('body_too_large'))
  try {
    const body = new Uint8Array(await request.arrayBuffer())
    const url = new URL(request.url)
    const answer = await handleGreenAction(
      await creditContext(),
      { method: request.method, path: url.pathname + url.search, headers: request.headers, body },
      new Date(),
    )
    return respond(answer)
  } catch (error) {
    console.error('partner API:', error)
    return respond(apiError('internal_error'))
  }
}
