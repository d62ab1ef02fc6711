import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, signIn, startApp, type RunningApp } from './support/app.ts'

// Issue 14, point 7: the app's own pages pass its Content-Security-Policy,
// HSTS goes out over HTTPS only, and the page that shows a secret is not stored.
// The app trusts a proxy here so that X-Forwarded-Proto can say "https".
let app: RunningApp
let browser: Browser

beforeAll(async () => {
  app = await startApp({ TRUST_PROXY: '1' })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

/** Every CSP violation the page reports, from the DOM event and from the console. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const fromConsole: string[] = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) fromConsole.push(message.text())
  })
  await page.addInitScript(() => {
    const seen: string[] = []
    ;(window as unknown as { __cspViolations: string[] }).__cspViolations = seen
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`))
  })
  return async () => [...fromConsole, ...(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations))]
}

async function hydrated(page: Page): Promise<boolean> {
  // Remix's browser entry sets this once its inline module script has run and hydrated the page.
  return page.evaluate(() => typeof (window as unknown as { __remixRouter?: unknown }).__remixRouter === 'object')
}

const pagesByUser = [
  { username: null, paths: ['/login', '/methodology', '/claim'] },
  { username: 'outlet.sf', paths: ['/outlet', '/activity', '/counter', '/imports/new'] },
  { username: 'bureau.zhengzhou', paths: ['/bureau', '/reports', '/reports/brands'] },
  { username: 'consumer.demo', paths: ['/me'] },
  { username: 'admin', paths: ['/admin', '/admin/users', '/admin/partners', '/admin/factors'] },
] as const

describe('Content-Security-Policy', () => {
  it('every response carries one, with a fresh nonce each time', async () => {
    const first = await fetch(`${app.url}/login`)
    const second = await fetch(`${app.url}/login`)
    const nonceOf = (r: Response) => /'nonce-([^']+)'/.exec(r.headers.get('content-security-policy') ?? '')?.[1]
    expect(nonceOf(first)).toMatch(/^[A-Za-z0-9+/]{22}==$/)
    expect(nonceOf(second)).not.toBe(nonceOf(first))
    // the nonce on the page's inline scripts is the header's
    const html = await first.text()
    expect(html).toContain(`nonce="${nonceOf(first)}"`)
  })

  for (const { username, paths } of pagesByUser) {
    it(`${username ?? 'anonymous'}: the main pages hydrate with no violation reported`, async () => {
      const context = await browser.newContext()
      try {
        const page = await context.newPage()
        const violations = await watchViolations(page)
        if (username) await signIn(page, app.url, username)
        for (const path of paths) {
          const response = await page.goto(`${app.url}${path}`)
          expect(response?.status(), path).toBe(200)
          await page.waitForLoadState('networkidle')
          expect(await hydrated(page), path).toBe(true)
          expect(await violations(), path).toEqual([])
        }
        // a client-side navigation (scripts running) reports nothing either
        if (username === 'bureau.zhengzhou') {
          const link = page.locator('.topbar-links a').first()
          const target = await link.getAttribute('href')
          await Promise.all([page.waitForURL(`${app.url}${target}`), link.click()])
          await page.waitForLoadState('networkidle')
          expect(await violations()).toEqual([])
        }
      } finally {
        await context.close()
      }
    })
  }
})

describe('HSTS', () => {
  it('is sent over HTTPS (behind the trusted proxy) and not over plain HTTP', async () => {
    const plain = await fetch(`${app.url}/login`)
    expect(plain.headers.get('strict-transport-security')).toBeNull()
    const secure = await fetch(`${app.url}/login`, { headers: { 'X-Forwarded-Proto': 'https' } })
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000')
  })
})

describe('secrets are not stored', () => {
  it('the page showing a new partner secret says no-store', async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      await signIn(page, app.url, 'admin')
      const response = await context.request.post(`${app.url}/admin/partners`, {
        form: { intent: 'create', name: 'Headers test shop', ratePerSecond: '5', burst: '10' },
        headers: { Origin: app.url },
      })
      expect(response.status()).toBe(200)
      expect(await response.text()).toMatch(/gpk_[0-9a-f]{24}/)
      expect(response.headers()['cache-control']).toBe('no-store')
    } finally {
      await context.close()
    }
  })
})
