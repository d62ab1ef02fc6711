import { describe, expect, it } from 'vitest'
import {
  canonicalRequest,
  generatePartnerKeyId,
  generatePartnerSecret,
  openPartnerSecret,
  parseServerKey,
  partnerHeaders,
  partnerSecretFingerprint,
  sealPartnerSecret,
  sha256Hex,
  signRequest,
  verifySignature,
} from '#app/domain/credits/signing.server.ts'

const secret = 'gpsk_test-secret'
const path = '/api/partner/v1/actions?dryRun=1'
const body = '{"a":1}'
const timestamp = 1714530600 // 2024-05-01T02:30:00Z
const now = new Date(timestamp * 1000)

describe('partner request signing', () => {
  it('signs METHOD, path with query, timestamp and the body hash', () => {
    // Vectors computed independently with coreutils/openssl:
    //   printf '{"a":1}' | sha256sum
    //   printf 'POST\n/api/partner/v1/actions?dryRun=1\n1714530600\n<hash>' | openssl dgst -sha256 -hmac gpsk_test-secret
    const bodyHash = '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862'
    expect(sha256Hex(body)).toBe(bodyHash)
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(canonicalRequest({ method: 'post', path, timestamp, body })).toBe(`POST\n${path}\n1714530600\n${bodyHash}`)
    const signed = signRequest({ method: 'POST', path, timestamp, body, keyId: 'gpk_1', secret, idempotencyKey: 'order-1-abc' })
    expect(signed.signature).toBe('a2947709d30376413012850391e44377925e235494836cd72f465fea7446f9ce')
    expect(signed.headers).toEqual({
      'X-GP-Key-Id': 'gpk_1',
      'X-GP-Timestamp': '1714530600',
      'X-GP-Signature': 'a2947709d30376413012850391e44377925e235494836cd72f465fea7446f9ce',
      'Idempotency-Key': 'order-1-abc',
    })
    expect(partnerHeaders).toEqual({ keyId: 'X-GP-Key-Id', timestamp: 'X-GP-Timestamp', signature: 'X-GP-Signature', idempotencyKey: 'Idempotency-Key' })
  })

  const good = { method: 'POST', path, timestamp: String(timestamp), body, signature: signRequest({ method: 'POST', path, timestamp, body, keyId: 'k', secret }).signature, secret, now }

  it('accepts a good signature, in upper-case hex too, and bytes equal to the string', () => {
    expect(verifySignature(good)).toEqual({ ok: true })
    expect(verifySignature({ ...good, signature: good.signature.toUpperCase() })).toEqual({ ok: true })
    const chinese = '{"note":"绿色"}'
    const signed = signRequest({ method: 'POST', path, timestamp, body: chinese, keyId: 'k', secret })
    expect(verifySignature({ ...good, body: new TextEncoder().encode(chinese), signature: signed.signature })).toEqual({ ok: true })
  })

  it('refuses a signature made with another key', () => {
    const other = signRequest({ method: 'POST', path, timestamp, body, keyId: 'k', secret: 'gpsk_someone-else' })
    expect(verifySignature({ ...good, signature: other.signature })).toEqual({ ok: false, code: 'signature_invalid' })
  })

  it('refuses a tampered body, another path or query, another method', () => {
    expect(verifySignature({ ...good, body: '{"a":2}' })).toEqual({ ok: false, code: 'signature_invalid' })
    expect(verifySignature({ ...good, path: '/api/partner/v1/actions' })).toEqual({ ok: false, code: 'signature_invalid' })
    expect(verifySignature({ ...good, path: '/api/partner/v1/actions?dryRun=0' })).toEqual({ ok: false, code: 'signature_invalid' })
    expect(verifySignature({ ...good, method: 'PUT' })).toEqual({ ok: false, code: 'signature_invalid' })
    // a timestamp changed after signing is a different canonical string
    expect(verifySignature({ ...good, timestamp: String(timestamp + 1) })).toEqual({ ok: false, code: 'signature_invalid' })
  })

  it('refuses timestamps more than 300 s from the server clock, either way', () => {
    const at = (offsetSeconds: number) => new Date((timestamp + offsetSeconds) * 1000)
    expect(verifySignature({ ...good, now: at(300) })).toEqual({ ok: true })
    expect(verifySignature({ ...good, now: at(301) })).toEqual({ ok: false, code: 'timestamp_stale' })
    expect(verifySignature({ ...good, now: at(-301) })).toEqual({ ok: false, code: 'timestamp_stale' })
    expect(verifySignature({ ...good, now: at(61), toleranceSeconds: 60 })).toEqual({ ok: false, code: 'timestamp_stale' })
  })

  it('names missing and malformed headers', () => {
    expect(verifySignature({ ...good, signature: undefined })).toEqual({ ok: false, code: 'signature_missing' })
    expect(verifySignature({ ...good, signature: '  ' })).toEqual({ ok: false, code: 'signature_missing' })
    expect(verifySignature({ ...good, timestamp: null })).toEqual({ ok: false, code: 'timestamp_invalid' })
    expect(verifySignature({ ...good, timestamp: '2024-05-01T02:30:00Z' })).toEqual({ ok: false, code: 'timestamp_invalid' })
    expect(verifySignature({ ...good, timestamp: '1714530600000' })).toEqual({ ok: false, code: 'timestamp_invalid' })
    expect(verifySignature({ ...good, signature: 'not-hex' })).toEqual({ ok: false, code: 'signature_invalid' })
    expect(verifySignature({ ...good, signature: good.signature.slice(0, 62) })).toEqual({ ok: false, code: 'signature_invalid' })
  })
})

describe('partner keys', () => {
  const fixedBytes = (value: number) => (size: number) => new Uint8Array(size).fill(value)
  const serverKey = parseServerKey('00'.repeat(31) + '01')

  it('generates ids and secrets from the random source', () => {
    expect(generatePartnerKeyId(fixedBytes(0xab))).toBe(`gpk_${'ab'.repeat(12)}`)
    // 32 bytes of 0xff in base64url: 42 '_' then '8' (the last 4 bits padded), 43 characters
    expect(generatePartnerSecret(fixedBytes(0xff))).toBe(`gpsk_${'_'.repeat(42)}8`)
    const a = generatePartnerSecret()
    const b = generatePartnerSecret()
    expect(a).toMatch(/^gpsk_[A-Za-z0-9_-]{43}$/)
    expect(a).not.toBe(b)
  })

  it('seals a secret that only the same server key and key id open', () => {
    const keyId = 'gpk_0123'
    const sealed = sealPartnerSecret({ keyId, secret, serverKey })
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(sealed).not.toContain(secret)
    const fingerprint = partnerSecretFingerprint(keyId, secret)
    expect(fingerprint).toBe(sha256Hex(`${keyId}:${secret}`))
    expect(openPartnerSecret({ keyId, sealed, serverKey, fingerprint })).toEqual({ ok: true, secret })

    const unreadable = { ok: false, code: 'secret_unreadable' }
    expect(openPartnerSecret({ keyId, sealed, serverKey: parseServerKey('02'.repeat(32)) })).toEqual(unreadable)
    expect(openPartnerSecret({ keyId: 'gpk_other', sealed, serverKey })).toEqual(unreadable)
    expect(openPartnerSecret({ keyId, sealed, serverKey, fingerprint: partnerSecretFingerprint(keyId, 'gpsk_other') })).toEqual(unreadable)
    const parts = sealed.split('.')
    const flipped = parts[2]!.startsWith('A') ? `B${parts[2]!.slice(1)}` : `A${parts[2]!.slice(1)}`
    expect(openPartnerSecret({ keyId, sealed: [parts[0], parts[1], flipped, parts[3]].join('.'), serverKey })).toEqual(unreadable)
    expect(openPartnerSecret({ keyId, sealed: 'garbage', serverKey })).toEqual(unreadable)
  })

  it('uses a fresh IV each time, so the same secret seals differently', () => {
    const one = sealPartnerSecret({ keyId: 'k', secret, serverKey })
    const two = sealPartnerSecret({ keyId: 'k', secret, serverKey })
    expect(one).not.toBe(two)
  })

  it('reads the server key as 64 hex characters or base64 of 32 bytes, nothing else', () => {
    expect(parseServerKey('ff'.repeat(32))).toEqual(new Uint8Array(32).fill(255))
    expect(parseServerKey(Buffer.alloc(32, 7).toString('base64'))).toEqual(new Uint8Array(32).fill(7))
    expect(() => parseServerKey('ff'.repeat(16))).toThrow(RangeError)
    expect(() => parseServerKey('short')).toThrow(RangeError)
  })
})
