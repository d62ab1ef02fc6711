import { createHash, randomBytes } from 'node:crypto'
import { redirect, type AppLoadContext } from '@remix-run/node'
import { homePath, type Role, type Viewer } from '#app/domain/access.ts'
import { safeRedirectPath } from '#app/domain/security.ts'
import type { Kysely } from 'kysely'
import { findSessionUser, insertSession, markAttemptSucceeded, reserveAttempt, revokeSession, type SessionUser } from '#db/models/sessions.ts'
import type { Database } from '#db/schema.ts'
import { findLoginCandidate } from '#db/models/users.ts'
import { readCookie, serializeCookie } from './cookies.server.ts'
import { getDb } from './db.server.ts'
import { env } from './env.server.ts'
import { decoyHash, verifyPassword } from './password.server.ts'

const cookieName = 'gp_session'

export const loginLimits = {
  windowMinutes: 15,
  maxFailuresPerUsername: 5,
  maxFailuresPerIp: 30,
} as const

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function clientIp(request: Request): string {
  // Set by server.ts from the socket (or the proxy's header when trusted).
  return request.headers.get('X-GreenParcel-Client-Ip') ?? 'unknown'
}

/**
 * The signed-in user behind a request's session cookie, or null. Given the
 * request's load context (every loader of one request gets the same object),
 * the lookup is made once for all of them: the root's loader and the page's
 * share it. Loaders only: an action may change what the lookup would find.
 */
export async function getSessionUser(request: Request, context?: AppLoadContext): Promise<SessionUser | null> {
  const token = readCookie(request, cookieName)
  if (!token || token.length > 128) return null
  if (!context) return lookUpSession(token)
  let lookups = sessionLookups.get(context)
  if (!lookups) sessionLookups.set(context, (lookups = new Map()))
  let lookup = lookups.get(token)
  if (!lookup) lookups.set(token, (lookup = lookUpSession(token)))
  return lookup
}

/** Each request's session lookups by token, dropped with its load context. */
const sessionLookups = new WeakMap<AppLoadContext, Map<string, Promise<SessionUser | null>>>()

async function lookUpSession(token: string): Promise<SessionUser | null> {
  const db = await getDb()
  return (await findSessionUser(db, hashToken(token), new Date())) ?? null
}

/** The signed-in viewer, or a redirect to the sign-in page that comes back here. */
export async function requireViewer(request: Request, context?: AppLoadContext): Promise<SessionUser> {
  const user = await getSessionUser(request, context)
  if (user) return user
  const url = new URL(request.url)
  throw redirect(`/login?${new URLSearchParams({ redirectTo: url.pathname + url.search })}`)
}

/** The viewer if their role is allowed here; otherwise 403. A loader passes its load context (getSessionUser). */
export async function requireRole(request: Request, allowed: readonly Role[], context?: AppLoadContext): Promise<SessionUser> {
  const user = await requireViewer(request, context)
  if (!allowed.includes(user.role)) throw new Response('Forbidden', { status: 403 })
  return user
}

export type LoginResult =
  | { ok: true; setCookie: string; user: Viewer }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterMinutes: number }

export type Authentication =
  | { ok: true; userId: number }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterMinutes: number }

/**
 * Check a username and password under the sign-in limits. The attempt is
 * counted (as a failure until proven otherwise) in the same locked step that
 * checks the limits, before the password is looked at, so parallel guesses
 * cannot outrun the limit.
 */
export async function authenticate(db: Kysely<Database>, usernameInput: string, password: string, ip: string, now = new Date()): Promise<Authentication> {
  const username = usernameInput.trim().toLowerCase()
  const reservation = await reserveAttempt(db, {
    username,
    ip,
    since: new Date(now.getTime() - loginLimits.windowMinutes * 60_000),
    maxPerUsername: loginLimits.maxFailuresPerUsername,
    maxPerIp: loginLimits.maxFailuresPerIp,
  })
  if (!reservation.ok) return { ok: false, reason: 'rate_limited', retryAfterMinutes: loginLimits.windowMinutes }
  const candidate = await findLoginCandidate(db, username)
  // Always verify against something, so timing does not reveal which usernames exist.
  const valid = await verifyPassword(password, candidate?.passwordHash ?? decoyHash)
  const succeeded = valid && !!candidate && !candidate.disabled && candidate.passwordHash !== null
  if (!succeeded) return { ok: false, reason: 'invalid' }
  await markAttemptSucceeded(db, reservation.attemptId)
  return { ok: true, userId: candidate.id }
}

export async function login(request: Request, usernameInput: string, password: string): Promise<LoginResult> {
  const db = await getDb()
  const ip = clientIp(request)
  const auth = await authenticate(db, usernameInput, password, ip)
  if (!auth.ok) return auth

  const token = randomBytes(32).toString('base64url')
  const ttlSeconds = env().SESSION_TTL_HOURS * 3600
  await insertSession(db, {
    id: hashToken(token),
    userId: auth.userId,
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    ip,
    userAgent: request.headers.get('User-Agent'),
  })
  const user = (await findSessionUser(db, hashToken(token), new Date()))!
  return { ok: true, setCookie: serializeCookie(cookieName, token, request, { maxAgeSeconds: ttlSeconds }), user }
}

export async function logout(request: Request): Promise<string> {
  const token = readCookie(request, cookieName)
  if (token) await revokeSession(await getDb(), hashToken(token))
  return serializeCookie(cookieName, '', request, { maxAgeSeconds: 0 })
}

export function homeFor(role: Role): string {
  return homePath[role]
}

/** Only same-origin paths may be redirected to (after sign-in, after a language switch). */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback: string): string {
  return safeRedirectPath(to, fallback)
}
