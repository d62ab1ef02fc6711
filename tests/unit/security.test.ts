import { describe, expect, it } from 'vitest'
import { isAllowedMutation, normalisedPath, safeRedirectPath } from '#app/domain/security.ts'

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

describe('the origin check sees the normalised path', () => {
  it('refuses a cross-site post that climbs out of the partner prefix', () => {
    for (const path of ['/api/partner/../../login', '/api/partner/%2e%2e/%2E%2E/admin/users', '/api/partner/v1/../../../claim']) {
      expect(isAllowedMutation({ ...base, path, origin: 'https://evil.example' })).toBe(false)
    }
  })
  it('still exempts the partner API itself', () => {
    expect(isAllowedMutation({ ...base, path: '/api/partner/v1/./green-actions', origin: 'https://shop.example' })).toBe(true)
  })
  it('normalises as the router will', () => {
    expect(normalisedPath('/api/partner/../../login')).toBe('/login')
    expect(normalisedPath('/a/%2E%2E/b')).toBe('/b')
  })
})

describe('redirects only to same-origin paths', () => {
  const fallback = '/home'
  it('keeps an ordinary path with its query and hash', () => {
    expect(safeRedirectPath('/reports?scope=region:410000#top', fallback)).toBe('/reports?scope=region:410000#top')
    expect(safeRedirectPath('/a/../b', fallback)).toBe('/b')
  })
  it('refuses other origins however they are spelt', () => {
    for (const to of [
      '//evil.example/x',
      '/\t/evil.example/x',
      '/\r\n/evil.example/x',
      '/\n/evil.example',
      '/\\evil.example',
      '\\/evil.example',
      '/\\/evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      ' /x',
      '/x\u0000',
      '',
      null,
      undefined,
    ]) {
      expect(safeRedirectPath(to, fallback), JSON.stringify(to)).toBe(fallback)
    }
  })
  it('never returns something a browser reads as another host', () => {
    for (const to of ['/.//evil.example', '/./\t/evil.example', '/%2F/evil.example', '/..//evil.example']) {
      const out = safeRedirectPath(to, fallback)
      expect(new URL(out, 'https://greenparcel.example').host, JSON.stringify(to)).toBe('greenparcel.example')
    }
  })
})
