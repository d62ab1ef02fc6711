/**
 * CSRF defence in depth, beside SameSite=Lax cookies: a browser sends Origin
 * (and Sec-Fetch-Site) on every POST, so a mutation from another site is
 * refused before any route runs. Partner API calls are signed and carry no
 * cookie, so they are exempt.
 */
export interface MutationRequest {
  method: string
  path: string
  host: string | undefined
  origin: string | undefined
  secFetchSite: string | undefined
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])
export const cookielessPrefixes = ['/api/partner/'] as const

export function isAllowedMutation(req: MutationRequest): boolean {
  if (safeMethods.has(req.method.toUpperCase())) return true
  if (cookielessPrefixes.some((prefix) => req.path.startsWith(prefix))) return true
  if (req.origin !== undefined) {
    if (req.origin === 'null') return false
    try {
      return new URL(req.origin).host === req.host
    } catch {
      return false
    }
  }
  if (req.secFetchSite !== undefined) return req.secFetchSite === 'same-origin' || req.secFetchSite === 'none'
  // No browser signal at all: not a browser, so no ambient cookie to abuse.
  return true
}
