import type { CreditError } from './errors.ts'

/** An 11-digit Chinese mobile number with every prefix and separator removed. */
export type NormalisedPhone = string & { readonly __brand: 'NormalisedPhone' }

/** 'GP' + 8 digits + an ISO 7064 MOD 11-2 check character (0-9 or X). */
export type MemberCode = string & { readonly __brand: 'MemberCode' }

// Spaces of every width, hyphens and dashes, dots and brackets people type
// or paste around phone numbers; NFKC has already folded full-width forms.
const separators = /[\s\u00a0\u3000\-\u2010-\u2015\u2212.()]/g

/**
 * Accepts 13812341234, 138 1234 1234, 138-1234-1234, +86 138…, 86138…,
 * 0086 138… and full-width digits (１３８…). Chinese mobile numbers are 11
 * digits starting 13-19.
 */
export function normalisePhone(input: string, field = 'phone'): { ok: true; phone: NormalisedPhone } | { ok: false; error: CreditError } {
  let digits = input.normalize('NFKC').replace(separators, '')
  if (digits.startsWith('+86')) digits = digits.slice(3)
  else if (digits.startsWith('0086')) digits = digits.slice(4)
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2)
  if (!/^1[3-9]\d{9}$/.test(digits)) {
    return { ok: false, error: { field, key: 'credits.error.phoneInvalid' } }
  }
  return { ok: true, phone: digits as NormalisedPhone }
}

/** 138****1234: what may be stored and shown besides the keyed hash. */
export function maskPhone(phone: NormalisedPhone): string {
  return `${phone.slice(0, 3)}****${phone.slice(7)}`
}

const memberDigits = 8

/**
 * ISO 7064 MOD 11-2 (GB/T 17710; the check of the resident ID number, so
 * counter staff know the X). It catches every single mistyped digit, every
 * swap of two neighbouring digits and every swap across one digit.
 */
export function memberCheckCharacter(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError('memberCheckCharacter: digits only')
  let sum = 0
  for (const ch of digits) sum = ((sum + Number(ch)) * 2) % 11
  const check = (12 - sum) % 11
  return check === 10 ? 'X' : String(check)
}

/**
 * A new member code from a source of random integers in [0, maxExclusive)
 * (node:crypto's randomInt on the server; a fixed sequence in tests).
 * Uniqueness is the database's job: on a clash, draw again.
 */
export function generateMemberCode(randomInt: (maxExclusive: number) => number): MemberCode {
  let digits = ''
  for (let i = 0; i < memberDigits; i++) {
    const digit = randomInt(10)
    if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError('generateMemberCode: random source out of range')
    digits += String(digit)
  }
  return `GP${digits}${memberCheckCharacter(digits)}` as MemberCode
}

/**
 * Accepts 'GP12345678X', 'gp 1234 5678 x', full-width forms, and the nine
 * characters without GP (what a clerk types on a number pad).
 */
export function parseMemberCode(input: string, field = 'memberCode'): { ok: true; code: MemberCode } | { ok: false; error: CreditError } {
  const compact = input.normalize('NFKC').replace(separators, '').toUpperCase()
  const body = compact.startsWith('GP') ? compact.slice(2) : compact
  const match = /^(\d{8})([\dX])$/.exec(body)
  if (!match) return { ok: false, error: { field, key: 'credits.error.memberCodeInvalid' } }
  const [, digits = '', check] = match
  if (memberCheckCharacter(digits) !== check) {
    return { ok: false, error: { field, key: 'credits.error.memberCodeMistyped' } }
  }
  return { ok: true, code: `GP${body}` as MemberCode }
}

export type ConsumerIdentifier = { kind: 'member_code'; code: MemberCode } | { kind: 'phone'; phone: NormalisedPhone }

/**
 * The counter's single "member code or phone" field. The two cannot be
 * confused: a member code is GP + 9 characters, a phone number 11 digits.
 */
export function parseConsumerIdentifier(input: string, field = 'consumer'): { ok: true; consumer: ConsumerIdentifier } | { ok: false; error: CreditError } {
  const compact = input.normalize('NFKC').replace(separators, '').toUpperCase()
  if (compact.startsWith('GP') || /^\d{8}[\dX]$/.test(compact)) {
    const member = parseMemberCode(compact, field)
    return member.ok ? { ok: true, consumer: { kind: 'member_code', code: member.code } } : member
  }
  const phone = normalisePhone(compact, field)
  if (phone.ok) return { ok: true, consumer: { kind: 'phone', phone: phone.phone } }
  return { ok: false, error: { field, key: 'credits.error.consumerUnrecognised' } }
}
