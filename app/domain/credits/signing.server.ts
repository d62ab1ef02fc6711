import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes as nodeRandomBytes, timingSafeEqual } from 'node:crypto'

/** Request headers of the partner API. */
export const partnerHeaders = {
  keyId: 'X-GP-Key-Id',
  timestamp: 'X-GP-Timestamp',
  signature: 'X-GP-Signature',
  idempotencyKey: 'Idempotency-Key',
} as const

/** How far a request's timestamp may be from the server clock, either way. */
export const defaultSignatureToleranceSeconds = 300

export type SignatureErrorCode = 'signature_missing' | 'signature_invalid' | 'timestamp_stale' | 'timestamp_invalid'

export type RandomBytes = (size: number) => Uint8Array

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

export interface CanonicalRequestParts {
  method: string
  /** The request target exactly as sent: path and query string, not re-encoded ('/api/partner/v1/actions?dryRun=1'). */
  path: string
  /** Unix seconds, as sent in X-GP-Timestamp. */
  timestamp: number | string
  /** The raw body bytes (a string is taken as UTF-8); '' when there is none. */
  body: string | Uint8Array
}

/** METHOD \n path?query \n unix-seconds \n hex(sha256(raw body)) */
export function canonicalRequest({ method, path, timestamp, body }: CanonicalRequestParts): string {
  return `${method.toUpperCase()}\n${path}\n${timestamp}\n${sha256Hex(body)}`
}

function hmacHex(secret: string, canonical: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(canonical, 'utf8').digest('hex')
}

/**
 * Sign a partner request: for tests, the load script and the partner docs.
 * Returns the headers to send (Idempotency-Key included when given).
 */
export function signRequest(
  parts: Omit<CanonicalRequestParts, 'timestamp'> & { timestamp: number; keyId: string; secret: string; idempotencyKey?: string },
): { signature: string; canonical: string; headers: Record<string, string> } {
  if (!Number.isInteger(parts.timestamp)) throw new RangeError('signRequest: timestamp is whole unix seconds')
  const canonical = canonicalRequest(parts)
  const signature = hmacHex(parts.secret, canonical)
  const headers: Record<string, string> = {
    [partnerHeaders.keyId]: parts.keyId,
    [partnerHeaders.timestamp]: String(parts.timestamp),
    [partnerHeaders.signature]: signature,
  }
  if (parts.idempotencyKey !== undefined) headers[partnerHeaders.idempotencyKey] = parts.idempotencyKey
  return { signature, canonical, headers }
}

export interface VerifySignatureInput {
  method: string
  path: string
  /** X-GP-Timestamp as received (null when absent). */
  timestamp: string | null | undefined
  body: string | Uint8Array
  /** X-GP-Signature as received (null when absent). */
  signature: string | null | undefined
  /** The partner key's secret, unsealed with openPartnerSecret. */
  secret: string
  now: Date
  toleranceSeconds?: number
}

/**
 * Check a partner request's signature. The timestamp is checked first (a
 * stale request is refused whatever it carries); the HMAC is compared in
 * constant time. Refusing replays within the window is the caller's job
 * (remember signatures seen for toleranceSeconds; the idempotency key and
 * the per-waybill award uniqueness back it up).
 */
export function verifySignature(input: VerifySignatureInput): { ok: true } | { ok: false; code: SignatureErrorCode } {
  const tolerance = input.toleranceSeconds ?? defaultSignatureToleranceSeconds
  const signature = input.signature?.trim().toLowerCase()
  if (!signature) return { ok: false, code: 'signature_missing' }

  const timestamp = input.timestamp?.trim()
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, code: 'timestamp_invalid' }
  const nowSeconds = Math.floor(input.now.getTime() / 1000)
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return { ok: false, code: 'timestamp_stale' }

  if (!/^[0-9a-f]{64}$/.test(signature)) return { ok: false, code: 'signature_invalid' }
  const expected = Buffer.from(hmacHex(input.secret, canonicalRequest({ ...input, timestamp })), 'hex')
  const received = Buffer.from(signature, 'hex')
  return timingSafeEqual(expected, received) ? { ok: true } : { ok: false, code: 'signature_invalid' }
}

// --- partner keys (see docs/decisions/051-partner-keys.md) ---

/** A public key id, safe to log and show: 'gpk_' + 24 hex characters. */
export function generatePartnerKeyId(randomBytes: RandomBytes = nodeRandomBytes): string {
  return `gpk_${Buffer.from(randomBytes(12)).toString('hex')}`
}

/** A partner secret, shown to the admin once: 'gpsk_' + 256 random bits in base64url. */
export function generatePartnerSecret(randomBytes: RandomBytes = nodeRandomBytes): string {
  const bytes = randomBytes(32)
  if (bytes.length !== 32) throw new RangeError('generatePartnerSecret: need 32 random bytes')
  return `gpsk_${Buffer.from(bytes).toString('base64url')}`
}

/**
 * sha256(keyId + ':' + secret), hex: stored beside the sealed secret. Its
 * first 12 characters are shown so admin and partner can confirm they hold
 * the same key; after unsealing it proves the right server key was used.
 */
export function partnerSecretFingerprint(keyId: string, secret: string): string {
  return sha256Hex(`${keyId}:${secret}`)
}

/** The server key from its environment text: 32 bytes as 64 hex characters or base64. */
export function parseServerKey(text: string): Uint8Array {
  const trimmed = text.trim()
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64')
  if (bytes.length !== 32) throw new RangeError('The partner-secret server key must be 32 bytes (64 hex characters or base64)')
  return new Uint8Array(bytes)
}

const sealVersion = 'v1'
const aad = (keyId: string) => Buffer.from(`greenparcel-partner-key:${keyId}`, 'utf8')

/**
 * Encrypt a partner secret for storage: AES-256-GCM under the server key,
 * with the key id as associated data so a sealed secret copied onto another
 * key's row does not open. Format: v1.<iv>.<ciphertext>.<tag>, base64url.
 */
export function sealPartnerSecret(input: { keyId: string; secret: string; serverKey: Uint8Array; randomBytes?: RandomBytes }): string {
  if (input.serverKey.length !== 32) throw new RangeError('sealPartnerSecret: server key must be 32 bytes')
  const iv = (input.randomBytes ?? nodeRandomBytes)(12)
  const cipher = createCipheriv('aes-256-gcm', input.serverKey, iv)
  cipher.setAAD(aad(input.keyId))
  const ciphertext = Buffer.concat([cipher.update(input.secret, 'utf8'), cipher.final()])
  const tag = cipher.getAuthTag()
  return [sealVersion, Buffer.from(iv), ciphertext, tag].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.')
}

/**
 * Decrypt a sealed partner secret. Any failure (wrong server key, another
 * key's row, tampering, fingerprint mismatch) is the same 'secret_unreadable':
 * the caller refuses the request and alerts, it never falls back.
 */
export function openPartnerSecret(input: {
  keyId: string
  sealed: string
  serverKey: Uint8Array
  fingerprint?: string
}): { ok: true; secret: string } | { ok: false; code: 'secret_unreadable' } {
  const parts = input.sealed.split('.')
  if (parts.length !== 4 || parts[0] !== sealVersion || input.serverKey.length !== 32) return { ok: false, code: 'secret_unreadable' }
  try {
    const [iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url')) as [Buffer, Buffer, Buffer]
    if (iv.length !== 12 || tag.length !== 16) return { ok: false, code: 'secret_unreadable' }
    const decipher = createDecipheriv('aes-256-gcm', input.serverKey, iv)
    decipher.setAAD(aad(input.keyId))
    decipher.setAuthTag(tag)
    const secret = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
    if (input.fingerprint !== undefined && partnerSecretFingerprint(input.keyId, secret) !== input.fingerprint) {
      return { ok: false, code: 'secret_unreadable' }
    }
    return { ok: true, secret }
  } catch {
    return { ok: false, code: 'secret_unreadable' }
  }
}
