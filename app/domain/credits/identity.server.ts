import { createHmac } from 'node:crypto'
import { maskPhone, normalisePhone, type NormalisedPhone } from './identity.ts'
import type { CreditError } from './errors.ts'

/**
 * The only form in which a phone number is stored besides its mask (PIPL):
 * HMAC-SHA256 under a server-held pepper, hex. A plain hash would not do:
 * there are only ~10^10 mobile numbers, so an unkeyed hash is reversed by
 * enumeration in minutes. The pepper lives outside the database.
 */
export function phoneHash(phone: NormalisedPhone, pepper: string | Uint8Array): string {
  const keyBytes = typeof pepper === 'string' ? Buffer.from(pepper, 'utf8') : pepper
  if (keyBytes.length < 32) throw new RangeError('phoneHash: the pepper must be at least 32 bytes')
  return createHmac('sha256', keyBytes).update(phone, 'utf8').digest('hex')
}

/** Normalise, then the two stored forms. */
export function phoneIdentity(
  input: string,
  pepper: string | Uint8Array,
  field = 'phone',
): { ok: true; phoneHash: string; phoneMasked: string } | { ok: false; error: CreditError } {
  const normalised = normalisePhone(input, field)
  if (!normalised.ok) return normalised
  return { ok: true, phoneHash: phoneHash(normalised.phone, pepper), phoneMasked: maskPhone(normalised.phone) }
}
