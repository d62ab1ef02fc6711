import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { signRequest } from '#app/domain/credits/signing.server.ts'
import { signIn, useE2eSession } from './support/app.ts'

const e2e = useE2eSession()

async function record(page: Page, consumer: string, waybillNo: string, quantity: number, action = 'carton_returned') {
  await page.getByLabel(/会员码或手机号|Member code or phone number/).fill(consumer)
  await page.locator(`input[name="action"][value="${action}"]`).check()
  await page.getByLabel(/^运单号|^Waybill number/).fill(waybillNo)
  await page.getByLabel(/数量|Quantity/).fill(String(quantity))
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: /登记并发放积分|Record and award points/ }).click()])
}

const path = '/api/partner/v1/green-actions'
async function postAction(keyId: string, secret: string, idempotencyKey: string, body: object) {
  const text = JSON.stringify(body)
  const { headers } = signRequest({ method: 'POST', path, timestamp: Math.floor(Date.now() / 1000), body: text, keyId, secret, idempotencyKey })
  const res = await fetch(`${e2e.app.url}${path}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: text })
  return { status: res.status, json: (await res.json()) as any }
}

describe('credits in a real browser', () => {
  it('counter: a new phone opens an account, awards points once per waybill, the consumer claims it and sees the points', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'outlet.sf')
    await page.goto(`${e2e.app.url}/counter`)
    expect(await page.locator('h1').textContent()).toBe('柜台积分登记')

    // 2 cartons × 37 g = 74 g → 74 points
    await record(page, '136 0000 1234', 'sf1999000000001', 2)
    const result = page.getByTestId('counter-result')
    await expect.poll(() => result.textContent()).toContain('已发放 74 积分')
    expect(await page.getByTestId('masked-phone').textContent()).toBe('136****1234')
    expect(await page.getByTestId('new-member').isVisible()).toBe(true)
    const memberCode = (await page.getByTestId('member-code').textContent())!
    expect(memberCode).toMatch(/^GP\d{8}[\dX]$/)

    // the same waybill and action again, now by member code: nothing twice
    await record(page, memberCode, 'SF1999000000001', 2)
    await expect.poll(() => result.textContent()).toContain('没有重复发放')
    expect(await page.getByTestId('new-member').count()).toBe(0)
    expect(await page.getByTestId('counter-today').locator('tbody tr').count()).toBe(1)

    // a field error names the field
    await record(page, '12345', 'SF1999000000002', 1)
    expect(await page.locator('#consumer-error').textContent()).toContain('会员码')

    // the consumer claims the account (signed out, on their own phone) and sees the award
    const consumerContext = await e2e.newContext()
    const claim = await consumerContext.newPage()
    await claim.goto(`${e2e.app.url}/claim`)
    // scripts loaded and the form hydrated before it is filled: a click while the page was still
    // hydrating ended, now and then, on the error page ("状态码 500") with nothing in the server's log
    // (2 of 3 runs on one afternoon, 3 CI runs before); with this wait, 4 of 4 passed. Not yet
    // understood; the failure message now shows the page and the server's output.
    await claim.waitForLoadState('networkidle')
    await claim.getByLabel('会员码').fill(memberCode)
    await claim.getByLabel('手机号').fill('13600001234')
    await claim.getByLabel('用户名').fill('e2e.claimer')
    await claim.getByLabel('称呼').fill('王先生')
    await claim.getByLabel('密码').fill('claimed-password-1')
    await claim.getByRole('button', { name: '认领账户' }).click()
    // the claim hashes a password (scrypt): wait for its answer, a confirmation or an error, on a busy machine
    const answered = await claim
      .locator('[data-testid="claimed"], [role="alert"], [aria-invalid="true"]')
      .first()
      .waitFor({ timeout: 30_000 })
      .then(() => true, () => false)
    const seen = async () => `${claim.url()}\n${await claim.locator('body').innerText()}\n--- server output ---\n${e2e.app.output().slice(-3000)}`
    expect(answered, await seen()).toBe(true)
    expect(await claim.getByTestId('claimed').isVisible(), await seen()).toBe(true)
    const me = await consumerContext.newPage()
    await signIn(me, e2e.app.url, 'e2e.claimer', 'claimed-password-1')
    expect(new URL(me.url()).pathname).toBe('/me')
    expect(await me.getByTestId('balance').textContent()).toBe('74')
    expect(await me.getByTestId('my-member-code').textContent()).toBe(memberCode)
    expect(await me.getByTestId('credit-history').locator('tbody tr').count()).toBe(1)
    await consumerContext.close()
  })

  it('counter works without JavaScript', async () => {
    const noJs = await e2e.newContext({ javaScriptEnabled: false })
    const page = await noJs.newPage()
    await signIn(page, e2e.app.url, 'outlet.zto')
    await page.goto(`${e2e.app.url}/counter`)
    await page.getByLabel(/会员码或手机号/).fill('GP202405189')
    await page.locator('input[name="action"][value="recyclable_box_returned"]').check()
    await page.getByLabel(/^运单号/).fill('75300000009999')
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '登记并发放积分' }).click()])
    await page.waitForSelector('[data-testid="counter-result"]')
    // one recyclable trip: 364.8 g → 364 points; the demo consumer's masked phone
    expect(await page.getByTestId('counter-result').textContent()).toContain('已发放 364 积分')
    expect(await page.getByTestId('masked-phone').textContent()).toBe('138****8000')
    await noJs.close()
  })

  it('consumer page: balance, chart, history, redeem, in Chinese and English', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'consumer.demo')
    expect(await page.getByTestId('home-consumer').locator('h1').textContent()).toBe('我的账户')
    const balance = Number((await page.getByTestId('balance').textContent())!.replace(/,/g, ''))
    // 3109 from the demo history, plus 364 if the no-JavaScript counter test ran first
    expect([3109, 3473]).toContain(balance)
    await page.waitForSelector('[data-testid="avoided-chart"] svg')
    expect(await page.getByTestId('avoided-table').locator('tbody tr').count()).toBe(12)
    expect(await page.getByTestId('credit-history').locator('tbody tr').count()).toBeGreaterThanOrEqual(16)

    // Spending takes a confirmation that says what is spent and what remains; nothing is spent before it.
    await Promise.all([page.waitForURL(/confirm=/), page.getByTestId('redeem-send_coupon_2').click()])
    expect(await page.getByTestId('redeem-confirm').textContent()).toContain(`兑换后可用积分为 ${(balance - 500).toLocaleString('zh-CN')}`)
    expect(Number((await page.getByTestId('balance').textContent())!.replace(/,/g, ''))).toBe(balance)
    await page.getByTestId('confirm-redeem').click()
    await expect.poll(() => page.getByTestId('redeemed').textContent()).toMatch(/兑换码 GR-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)
    await expect.poll(async () => Number((await page.getByTestId('balance').textContent())!.replace(/,/g, ''))).toBe(balance - 500)

    await Promise.all([page.waitForURL(`${e2e.app.url}/me`), page.getByTestId('switch-language').click()])
    await expect.poll(() => page.locator('h1').textContent()).toBe('My account')
    expect(await page.getByText('Points balance').count()).toBe(1)
    expect(await page.getByRole('heading', { name: 'Points history' }).count()).toBe(1)
  })

  it('partner API through the real server; admin creates and revokes a key', async () => {
    const demo = await postAction('gpk_de00000000000000000000de', 'gpsk_DEMO-ONLY-not-a-secret-GreenParcel-2026', 'e2e-demo-0001', {
      partnerOrderId: 'E2E-1',
      waybillNo: 'YT8000000000001',
      consumer: { memberCode: 'GP202405189' },
      action: 'reduced_packaging_chosen',
      occurredAt: new Date().toISOString(),
    })
    expect(demo.status).toBe(201)
    expect(Object.keys(demo.json.award)).not.toContain('balance')

    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'admin')
    await page.goto(`${e2e.app.url}/admin/partners`)
    await page.getByLabel('平台名称').fill('E2E 商城')
    await page.getByRole('button', { name: '创建合作平台' }).click()
    await page.waitForSelector('[data-testid="issued-secret"]')
    const keyId = (await page.getByTestId('issued-key-id').textContent())!
    const secret = (await page.getByTestId('issued-secret').textContent())!
    const body = { partnerOrderId: 'E2E-2', waybillNo: 'YT8000000000002', consumer: { phone: '13600005678' }, action: 'recyclable_box_chosen', occurredAt: new Date().toISOString() }
    expect((await postAction(keyId, secret, 'e2e-new-0001', body)).status).toBe(201)

    await page.goto(`${e2e.app.url}/admin/partners`)
    await page.locator('tr', { hasText: keyId }).getByRole('button', { name: '吊销' }).click()
    await page.waitForSelector('text=已吊销')
    const refused = await postAction(keyId, secret, 'e2e-new-0002', { ...body, waybillNo: 'YT8000000000003' })
    expect(refused).toMatchObject({ status: 401, json: { error: { code: 'key_revoked' } } })

    await page.goto(`${e2e.app.url}/admin/credit-rules`)
    expect(await page.getByTestId('admin-credit-rules').locator('h2').first().textContent()).toBe('2024.1 · 已发布')

    const openapi = await fetch(`${e2e.app.url}/api/openapi.json`)
    expect((await openapi.json()).openapi).toBe('3.1.0')
  })

  it('keeps the counter to outlet operators and partner keys to admins', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'consumer.demo')
    expect((await page.goto(`${e2e.app.url}/counter`))?.status()).toBe(403)
    expect((await page.goto(`${e2e.app.url}/admin/partners`))?.status()).toBe(403)
  })
})
