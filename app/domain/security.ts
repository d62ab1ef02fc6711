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

// Any origin will do: only the path is compared, and this one is never served.
const probeOrigin = 'http://greenparcel.invalid'

/**
 * The path as the router will see it, after the URL parser has resolved `..`,
 * `%2e%2e` and backslashes; undefined if it does not parse as a path.
 */
export function normalisedPath(path: string): string | undefined {
  try {
    const url = new URL(path, probeOrigin)
    return url.origin === probeOrigin ? url.pathname : undefined
  } catch {
    return undefined
  }
}

export function isAllowedMutation(req: MutationRequest): boolean {
  if (safeMethods.has(req.method.toUpperCase())) return true
  // Judge the path the router will run, not the raw one: /api/partner/../login is /login.
  const path = normalisedPath(req.path)
  if (path !== undefined && cookielessPrefixes.some((prefix) => path.startsWith(prefix))) return true
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

/**
 * A same-origin path to redirect to, or the fallback. Judged after the URL
 * parser has normalised it, resolved against an origin and compared: browsers
 * drop tab, CR and LF inside URLs and read `\\` as `/`, so `/\t/evil.example`
 * would become `//evil.example`. Control characters and backslashes are
 * refused outright (a CR or LF could not go into a Location header either).
 */
export function safeRedirectPath(to: unknown, fallback: string): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.length > 2048) return fallback
  if (/[\u0000-\u001f\u007f\\]/.test(to)) return fallback
  let url: URL
  try {
    url = new URL(to, probeOrigin)
  } catch {
    return fallback
  }
  if (url.origin !== probeOrigin) return fallback
  const path = url.pathname + url.search + url.hash
  // The result must stay a path on this origin when the browser reads it again.
  return path.startsWith('//') ? fallback : path
}

/**
 * The Content-Security-Policy of every response. Scripts only from this
 * origin or carrying the request's nonce (Remix's inline hydration and
 * streaming scripts get it in entry.server.tsx and root.tsx). Style
 * attributes stay allowed: React's `style` props and recharts' SVG write
 * inline `style="…"`, and an attribute cannot carry a nonce; `<style>`
 * elements are held to this origin where the browser knows style-src-elem.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "style-src-elem 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/**
 * HSTS, sent only on a response that went out over HTTPS (directly, or behind
 * a trusted proxy that says so): over plain HTTP the header is ignored by
 * browsers and would be a lie. No includeSubDomains: the app does not own its
 * parent domain's other hosts.
 */
export const strictTransportSecurity = 'max-age=31536000'
