import { describe, expect, it } from 'vitest'
import { signIn, useE2eSession } from './support/app.ts'

const e2e = useE2eSession()

// Each role, its home page, a heading a person expects in Chinese and in English,
// and a page of another role that must answer 403.
const cases = [
  { username: 'outlet.sf', role: 'outlet_operator', path: '/outlet', zh: '我的网点', en: 'My outlet', forbidden: '/admin' },
  { username: 'carrier.sf', role: 'carrier_admin', path: '/brand', zh: '顺丰速运 · 网点管理', en: 'SF Express · Outlets', forbidden: '/bureau' },
  { username: 'consumer.demo', role: 'consumer', path: '/me', zh: '我的账户', en: 'My account', forbidden: '/outlet' },
  { username: 'bureau.zhengzhou', role: 'bureau_officer', path: '/bureau', zh: '郑州市 · 辖区概况', en: 'Zhengzhou · Jurisdiction overview', forbidden: '/brand' },
  { username: 'admin', role: 'admin', path: '/admin', zh: '平台管理', en: 'Platform administration', forbidden: '/me' },
] as const

describe('each role in a real browser', () => {
  for (const c of cases) {
    it(`${c.role}: signs in to its Chinese home page, switches to English, meets 403 elsewhere, signs out`, async () => {
      const page = await e2e.context.newPage()
      await signIn(page, e2e.app.url, c.username)
      expect(new URL(page.url()).pathname).toBe(c.path)
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-CN')
      expect(await page.getByTestId(`home-${c.role}`).locator('h1').textContent()).toBe(c.zh)

      await Promise.all([page.waitForURL(`${e2e.app.url}${c.path}`), page.getByTestId('switch-language').click()])
      await expect.poll(() => page.locator('h1').textContent()).toBe(c.en)
      expect(await page.getAttribute('html', 'lang')).toBe('en')

      const response = await page.goto(`${e2e.app.url}${c.forbidden}`)
      expect(response?.status()).toBe(403)
      expect(await page.getByTestId('error-page').textContent()).toContain('Your role may not open this page.')

      // The language choice is remembered across pages.
      await page.goto(`${e2e.app.url}${c.path}`)
      expect(await page.locator('h1').textContent()).toBe(c.en)

      await Promise.all([page.waitForURL(/\/login\?signedOut=1/), page.getByTestId('sign-out').click()])
      expect(await page.getByRole('status').textContent()).toBe('You have signed out.')
      const after = await page.goto(`${e2e.app.url}${c.path}`)
      expect(new URL(after!.url()).pathname).toBe('/login')
    })
  }
})

describe('scope and safety', () => {
  it('an outlet operator opening another outlet gets 404, its own outlet opens', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'outlet.sf')
    const ownLink = page.getByRole('link', { name: /变更记录/ })
    await Promise.all([page.waitForURL(/\/outlets\/\d+$/), ownLink.click()])
    const ownId = Number(new URL(page.url()).pathname.split('/').pop())
    expect(await page.getByTestId('outlet-detail').locator('h1').textContent()).toBe('顺丰速运郑州市金水区花园路营业部')
    for (const otherId of [ownId + 1, ownId - 1, 9999]) {
      const response = await page.goto(`${e2e.app.url}/outlets/${otherId}`)
      expect(response?.status()).toBe(404)
    }
  })

  it('a bureau officer sees every brand in its city and none in the next', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await page.getByTestId('outlet-table').waitFor()
    const rows = await page.getByTestId('outlet-table').locator('tbody tr').count()
    expect(rows).toBe(17)
    const text = await page.getByTestId('outlet-table').textContent()
    expect(text).not.toContain('鹤壁')
    expect(text).toContain('极兔速递')
  })

  it('a province bureau reads its outlet register page by page, without JavaScript too', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.henan')
    const pager = page.getByTestId('outlet-pager')
    await pager.waitFor()
    // The demo's Henan has 30 outlets and sorting centres: 20 on the first page, 10 on the second.
    expect(await pager.textContent()).toContain('第 1–20 家，共 30 家')
    expect(await page.getByTestId('outlet-table').locator('tbody tr').count()).toBe(20)
    await Promise.all([page.waitForURL(/outlets=2/), pager.getByRole('link', { name: '下一页 →' }).click()])
    await expect.poll(() => pager.textContent()).toContain('第 21–30 家，共 30 家')
    expect(await page.getByTestId('outlet-table').locator('tbody tr').count()).toBe(10)
  })

  it('refuses a wrong password without saying which part was wrong', async () => {
    const page = await e2e.context.newPage()
    await page.goto(`${e2e.app.url}/login`)
    await page.getByLabel('用户名').fill('admin')
    await page.getByLabel('密码').fill('not-the-password')
    await page.getByRole('button', { name: '登录' }).click()
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('用户名或密码不正确，请检查后重试。')
  })

  it('rate-limits repeated failed sign-ins for one username', async () => {
    const attempt = () =>
      fetch(`${e2e.app.url}/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: e2e.app.url },
        body: 'username=bureau.kunming&password=wrong-password',
        redirect: 'manual',
      })
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await attempt()).status)
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429])
    // even the right password is refused while the limit holds
    const right = await fetch(`${e2e.app.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: e2e.app.url },
      body: 'username=bureau.kunming&password=GreenParcel-demo',
      redirect: 'manual',
    })
    expect(right.status).toBe(429)
  })

  it('refuses a sign-in form posted from another site', async () => {
    const response = await fetch(`${e2e.app.url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
      body: 'username=admin&password=GreenParcel-demo',
      redirect: 'manual',
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('set-cookie')).toBeNull()
  })

  it('keeps only a random session id in the cookie, HttpOnly and SameSite=Lax', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'admin')
    const cookie = (await e2e.context.cookies()).find((c) => c.name === 'gp_session')!
    expect(cookie.httpOnly).toBe(true)
    expect(cookie.sameSite).toBe('Lax')
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
