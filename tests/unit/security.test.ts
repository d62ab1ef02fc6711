import { describe, expect, it } from 'vitest'
import { isAllowedMutation } from '#app/domain/security.ts'

const base = { method: 'POST', path: '/login', host: 'localhost:3000', origin: undefined, secFetchSite: undefined }

describe('origin check on mutations', () => {
  it('lets reads through whatever their origin', () => {
    expect(isAllowedMutation({ ...base, method: 'GET', origin: 'https://evil.example' })).toBe(true)
  })
  it('accepts a form posted from our own pages', () => {
    expect(isAllowedMutation({ ...base, origin: 'http://localhost:3000' })).toBe(true)
  })
  it('refuses a form posted from another site or an opaque origin', () => {
    expect(isAllowedMutation({ ...base, origin: 'https://evil.example' })).toBe(false)
    expect(isAllowedMutation({ ...base, origin: 'http://localhost:3001' })).toBe(false)
    expect(isAllowedMutation({ ...base, origin: 'null' })).toBe(false)
  })
  it('falls back to Sec-Fetch-Site when Origin is absent', () => {
    expect(isAllowedMutation({ ...base, secFetchSite: 'cross-site' })).toBe(false)
    expect(isAllowedMutation({ ...base, secFetchSite: 'same-site' })).toBe(false)
    expect(isAllowedMutation({ ...base, secFetchSite: 'same-origin' })).toBe(true)
  })
  it('exempts the signed partner API', () => {
    expect(isAllowedMutation({ ...base, path: '/api/partner/v1/green-actions', origin: 'https://shop.example' })).toBe(true)
  })
})
