/** Minimal cookie reading and writing; every cookie of ours is SameSite=Lax. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('Cookie')
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim())
      } catch {
        return undefined
      }
    }
  }
  return undefined
}

export function isSecureRequest(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || request.headers.get('X-Forwarded-Proto') === 'https'
}

export function serializeCookie(
  name: string,
  value: string,
  request: Request,
  { maxAgeSeconds, httpOnly = true }: { maxAgeSeconds: number; httpOnly?: boolean },
): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`]
  if (httpOnly) parts.push('HttpOnly')
  if (isSecureRequest(request)) parts.push('Secure')
  return parts.join('; ')
}
