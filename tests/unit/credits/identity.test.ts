import { describe, expect, it } from 'vitest'
import {
  generateMemberCode,
  maskPhone,
  memberCheckCharacter,
  normalisePhone,
  parseConsumerIdentifier,
  parseMemberCode,
} from '#app/domain/credits/identity.ts'
import { phoneHash, phoneIdentity } from '#app/domain/credits/identity.server.ts'

const pepper = 'pepper-pepper-pepper-pepper-pepper!'

describe('phone numbers', () => {
  const forms = [
    '13812341234',
    '138 1234 1234',
    '138-1234-1234',
    '+86 138 1234 1234',
    '+8613812341234',
    '8613812341234',
    '0086 13812341234',
    '(+86) 138.1234.1234',
    '１３８１２３４１２３４',
    '＋８６　１３８－１２３４－１２３４',
  ]

  it('gives every written form the same hash and mask', () => {
    // printf 13812341234 | openssl dgst -sha256 -hmac 'pepper-pepper-pepper-pepper-pepper!'
    const expectedHash = '0694816a0171894224ae1220548b382a94597c32cf4f39ad7bfaffed4e1c778a'
    for (const form of forms) {
      expect(phoneIdentity(form, pepper), form).toEqual({ ok: true, phoneHash: expectedHash, phoneMasked: '138****1234' })
    }
  })

  it('refuses what is not a mainland mobile number', () => {
    for (const bad of ['1381234123', '138123412345', '12812341234', '23812341234', '+85213812341234', 'abc', '']) {
      expect(normalisePhone(bad), bad).toEqual({ ok: false, error: { field: 'phone', key: 'credits.error.phoneInvalid' } })
    }
  })

  it('keys the hash: another pepper gives another hash, a short pepper is refused', () => {
    const phone = normalisePhone('13812341234')
    if (!phone.ok) throw new Error('fixture')
    expect(maskPhone(phone.phone)).toBe('138****1234')
    expect(phoneHash(phone.phone, `${pepper}x`)).not.toBe(phoneHash(phone.phone, pepper))
    expect(() => phoneHash(phone.phone, 'short')).toThrow(RangeError)
  })
})

describe('member codes', () => {
  it('computes the ISO 7064 MOD 11-2 check character', () => {
    // The resident ID example 11010519491231002X checks to X under the same scheme.
    expect(memberCheckCharacter('11010519491231002')).toBe('X')
    // 12345678: p = ((p + digit) × 2) mod 11 → 2, 8, 0, 8, 4, 9, 10, 3; check = (12 − 3) mod 11 = 9
    expect(memberCheckCharacter('12345678')).toBe('9')
    // 00000000: p = 0; check = 12 mod 11 = 1
    expect(memberCheckCharacter('00000000')).toBe('1')
    // 00031676: p → 0, 0, 0, 6, 3, 7, 6, 2; check = 10 → X
    expect(memberCheckCharacter('00031676')).toBe('X')
  })

  it('generates GP + 8 digits + check from the random source', () => {
    const digits = [1, 2, 3, 4, 5, 6, 7, 8]
    expect(generateMemberCode(() => digits.shift()!)).toBe('GP123456789')
    expect(() => generateMemberCode(() => 10)).toThrow(RangeError)
  })

  it('reads the code as typed: lower case, spaces, full width, without GP', () => {
    for (const typed of ['GP123456789', 'gp 1234 5678 9', '123456789', 'ＧＰ１２３４５６７８９', 'GP-1234-5678-9']) {
      expect(parseMemberCode(typed), typed).toEqual({ ok: true, code: 'GP123456789' })
    }
    expect(parseMemberCode('gp00031676x')).toEqual({ ok: true, code: 'GP00031676X' })
    expect(parseMemberCode('GP1234')).toEqual({ ok: false, error: { field: 'memberCode', key: 'credits.error.memberCodeInvalid' } })
  })

  it('catches a mistyped digit and a swap of neighbours (examples)', () => {
    const mistyped = { ok: false, error: { field: 'memberCode', key: 'credits.error.memberCodeMistyped' } }
    expect(parseMemberCode('GP123456788')).toEqual(mistyped) // check character wrong
    expect(parseMemberCode('GP123457789')).toEqual(mistyped) // 6 typed as 7
    expect(parseMemberCode('GP213456789')).toEqual(mistyped) // 1 and 2 swapped
    expect(parseMemberCode('GP123465789')).toEqual(mistyped) // 5 and 6 swapped
    expect(parseMemberCode('GP123456798')).toEqual(mistyped) // last digit and check swapped
  })

  it('catches every single-digit error and every adjacent swap over many codes', () => {
    let seed = 20240501
    const random = (max: number) => {
      // MINSTD generator: reproducible, exact in doubles, enough to spread the digits
      seed = (seed * 48271) % 2147483647
      return seed % max
    }
    let tried = 0
    for (let n = 0; n < 200; n++) {
      const code = generateMemberCode(random)
      const body = code.slice(2)
      expect(parseMemberCode(code).ok).toBe(true)
      for (let i = 0; i < body.length; i++) {
        for (const ch of '0123456789X') {
          if (ch === body[i] || (ch === 'X' && i < 8)) continue
          const typo = `GP${body.slice(0, i)}${ch}${body.slice(i + 1)}`
          expect(parseMemberCode(typo).ok, typo).toBe(false)
          tried++
        }
        if (i < body.length - 1 && body[i] !== body[i + 1]) {
          const swapped = `GP${body.slice(0, i)}${body[i + 1]}${body[i]}${body.slice(i + 2)}`
          expect(parseMemberCode(swapped).ok, swapped).toBe(false)
          tried++
        }
      }
    }
    expect(tried).toBeGreaterThan(200 * 80)
  })
})

describe('the counter field: member code or phone', () => {
  it('tells them apart by form', () => {
    expect(parseConsumerIdentifier('GP123456789')).toEqual({ ok: true, consumer: { kind: 'member_code', code: 'GP123456789' } })
    expect(parseConsumerIdentifier('1234 5678 9')).toEqual({ ok: true, consumer: { kind: 'member_code', code: 'GP123456789' } })
    expect(parseConsumerIdentifier('+86 138-1234-1234')).toEqual({ ok: true, consumer: { kind: 'phone', phone: '13812341234' } })
    expect(parseConsumerIdentifier('GP123456788')).toEqual({ ok: false, error: { field: 'consumer', key: 'credits.error.memberCodeMistyped' } })
    expect(parseConsumerIdentifier('12345')).toEqual({ ok: false, error: { field: 'consumer', key: 'credits.error.consumerUnrecognised' } })
  })
})
