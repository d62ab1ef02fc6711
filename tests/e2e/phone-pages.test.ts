import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { recordCodes } from '#app/domain/activity/definitions.ts'
import { signIn, useE2eSession } from './support/app.ts'

// Each role's daily pages on a 390 px phone and a 1366 px desktop, in
// Chinese and English: the page never scrolls sideways, no table is wider
// than its box, and the page's key figure is there. One page load serves
// both widths (the layout is CSS only), so each page is loaded once per
// language.

const e2e = useE2eSession()
const widths = [390, 1366] as const
type Lang = 'zh' | 'en'

/** What overflows at the current width: the page itself, or a table wider than its box. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = []
    const root = document.scrollingElement!
    if (root.scrollWidth > window.innerWidth) problems.push(`page ${root.scrollWidth}px wide in ${window.innerWidth}px`)
    for (const table of document.querySelectorAll('table')) {
      if (table.closest('details:not([open])')) continue
      const box = table.parentElement!
      const width = Math.round(table.getBoundingClientRect().width)
      if (width > box.clientWidth + 1) problems.push(`table ${table.dataset.testid ?? table.className} ${width}px in ${box.clientWidth}px`)
    }
    return problems
  })
}

async function checkWidths(page: Page, what: string): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 })
    expect(await layoutProblems(page), `${what} at ${width}px`).toEqual([])
  }
}

async function setLang(context: BrowserContext, lang: Lang): Promise<void> {
  await context.addCookies([{ name: 'gp_lang', value: lang === 'en' ? 'en' : 'zh-CN', url: e2e.app.url }])
}

interface PageCheck {
  path: string
  /** The page's key figure or part, asserted after the load. */
  key: (page: Page, lang: Lang) => Promise<void>
}

async function visitAll(page: Page, context: BrowserContext, checks: readonly PageCheck[]): Promise<void> {
  for (const lang of ['zh', 'en'] as const) {
    await setLang(context, lang)
    for (const check of checks) {
      await page.setViewportSize({ width: 390, height: 900 })
      await page.goto(`${e2e.app.url}${check.path}`)
      expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'en' ? 'en' : 'zh-CN')
      await check.key(page, lang)
      await checkWidths(page, `${check.path} (${lang})`)
    }
  }
}

const visible = (testId: string) => async (page: Page) => {
  await page.getByTestId(testId).first().waitFor()
}

describe('an outlet clerk’s day on a phone', () => {
  it('enters today’s shipments with the defaults filled in and reads the month at a glance', async () => {
    const page = await e2e.context.newPage()
    await page.setViewportSize({ width: 390, height: 900 })
    await signIn(page, e2e.app.url, 'outlet.sf')
    // The form comes with today's date, the outlet and "measured": only the counts are typed.
    await page.goto(`${e2e.app.url}/activity/shipment_stats/new`)
    const today = await page.inputValue('[name=date]')
    expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(await page.inputValue('[name=dataQuality]')).toBe('measured')
    await page.fill('[name=parcels]', '1200')
    await page.fill('[name=eWaybillParcels]', '1150')
    await page.fill('[name=paperWaybillParcels]', '50')
    await Promise.all([page.waitForURL(/\/activity\/shipment_stats\/\d+\?saved=created$/), page.getByTestId('save').click()])

    await page.goto(`${e2e.app.url}/outlet`)
    const glance = page.getByTestId('month-glance')
    // 1,150 of 1,200 parcels with an e-waybill = 95.83…%, shown 95.8%; the running month is never judged.
    expect(await glance.getByTestId('glance-this').locator('[data-figure=parcels]').textContent()).toContain('1,200 件')
    const rate = glance.getByTestId('glance-metrics').locator('tr[data-metric=e_waybill_rate] td').nth(1)
    expect(await rate.textContent()).toContain('95.8%')
    expect(await rate.locator('[data-status]').getAttribute('data-status')).toBe('provisional')
    expect(await glance.getByTestId('glance-metrics').locator('tbody tr td:nth-child(2)').locator('[data-status=met], [data-status=missed]').count()).toBe(0)
    // Today is entered, so today is not among the missing days.
    expect(await glance.getByTestId('glance-missing').textContent()).not.toContain(`${Number(today.slice(5, 7))}月${Number(today.slice(8, 10))}日`)
    expect(await glance.getByTestId('glance-this').locator('[data-figure=co2e]').textContent()).toMatch(/千克 CO₂e|尚无数据/)

    // An import preview: two rows to be written, one refused; its page is one of the clerk's daily pages.
    const csv = '网点编码,日期,收寄件数,电子运单件数,纸质运单件数,数据质量\r\nSF-410105-01,2024-06-01,1200,1150,50,实测\r\nSF-410105-01,2024-06-02,900,950,0,实测\r\nSF-410105-01,2024-06-03,800,780,20,估算\r\n'
    await page.goto(`${e2e.app.url}/imports/new`)
    await page.selectOption('[name=recordType]', 'shipment_stats')
    await page.setInputFiles('[name=file]', { name: 'june.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
    await Promise.all([page.waitForURL(/\/imports\/\d+$/), page.getByTestId('upload').click()])
    const importPath = new URL(page.url()).pathname
    await expect.poll(() => page.getByTestId('import-detail').getAttribute('data-status'), { timeout: 90_000 }).toBe('validated')

    await visitAll(page, e2e.context, [
      {
        path: '/outlet',
        key: async (p, lang) => {
          expect(await p.getByTestId('glance-this').locator('[data-figure=parcels]').textContent()).toContain(lang === 'en' ? '1,200 parcels' : '1,200 件')
        },
      },
      { path: '/activity', key: visible('activity-page') },
      {
        path: '/activity/shipment_stats/new',
        key: async (p) => {
          expect(await p.inputValue('[name=date]')).toBe(today)
        },
      },
      // Every record form, not only shipments.
      ...recordCodes.filter((code) => code !== 'shipment_stats').map((code) => ({ path: `/activity/${code}/new`, key: visible('activity-form') })),
      { path: '/counter', key: visible('counter') },
      { path: '/imports/new', key: visible('template-links') },
      { path: '/imports', key: visible('imports') },
      {
        path: importPath,
        key: async (p, lang) => {
          expect(await p.getByTestId('import-sample').locator('tr[data-field=parcels] td').allTextContents()).toEqual([lang === 'en' ? 'Parcels handled' : '收寄件数', '1,200', '800'])
          expect(await p.getByTestId('import-errors').locator('tbody tr').count()).toBe(1)
        },
      },
      {
        path: '/reports',
        key: async (p) => {
          expect(await p.getByTestId('metrics-table').locator('tr[data-metric=e_waybill_rate]').count()).toBe(1)
        },
      },
    ])
  }, 240_000)
})

describe('brand and bureau pages', () => {
  it('a brand admin’s home and report', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'carrier.sf')
    await visitAll(page, e2e.context, [
      { path: '/brand', key: visible('outlet-table') },
      {
        path: '/reports',
        key: async (p) => {
          expect(await p.getByTestId('metrics-table').locator('tr[data-metric]').count()).toBeGreaterThan(10)
        },
      },
    ])
    // The brand comparison names every brand's figures: a bureau's page, refused to a brand (it reads the suppressed benchmark instead).
    expect((await page.goto(`${e2e.app.url}/reports/brands`))!.status()).toBe(403)
  }, 180_000)

  it('a bureau’s overview, report and brand comparison', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await visitAll(page, e2e.context, [
      {
        path: '/bureau',
        key: async (p) => {
          expect(await p.getByTestId('targets-overview').locator('[data-status]').count()).toBeGreaterThan(3)
        },
      },
      {
        path: '/reports',
        key: async (p) => {
          expect(await p.getByTestId('drilldown-table').locator('tbody tr').count()).toBe(3)
        },
      },
      {
        path: '/reports/brands',
        key: async (p) => {
          expect(await p.getByTestId('brand-table').locator('tr[data-metric=e_waybill_rate] td').count()).toBeGreaterThan(3)
        },
      },
    ])
    // The drill-down: Zhengzhou → its first district → that district's first outlet.
    await page.goto(`${e2e.app.url}/reports`)
    const district = (await page.getByTestId('drilldown-table').locator('tbody a').first().getAttribute('href'))!
    await page.goto(`${e2e.app.url}${district}`)
    const outlet = (await page.getByTestId('drilldown-table').locator('tbody a').first().getAttribute('href'))!
    expect([district, outlet]).toEqual([expect.stringMatching(/^\/reports\/region\/4101\d\d/), expect.stringMatching(/^\/reports\/outlet\/\d+/)])
    await visitAll(page, e2e.context, [
      { path: district, key: visible('drilldown-table') },
      {
        path: outlet,
        key: async (p) => {
          expect(await p.getByTestId('metrics-table').locator('tr[data-metric=e_waybill_rate]').count()).toBe(1)
        },
      },
    ])
    // On a phone a report row is a card: every value says which column it is.
    await page.goto(`${e2e.app.url}/reports/brands`)
    await page.setViewportSize({ width: 390, height: 900 })
    const cell = page.getByTestId('brand-table').locator('tr[data-metric=e_waybill_rate] td').nth(1)
    expect(await cell.getAttribute('data-label')).toBeTruthy()
  }, 180_000)
})

describe('a consumer on a phone, without JavaScript', () => {
  it('confirms before points are spent, and reads the history', async () => {
    const context = await e2e.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 900 } })
    const page = await context.newPage()
    await signIn(page, e2e.app.url, 'consumer.demo')
    const balance = async () => Number((await page.getByTestId('balance').textContent())!.replace(/,/g, ''))
    const before = await balance()
    expect(await page.getByTestId('whoami').textContent()).toBe('消费者 张女士')
    // The first award and the online account's opening are two labelled dates.
    expect(await page.getByTestId('first-award').textContent()).toMatch(/^\d{4}\/\d{2}\/\d{2}$/)
    expect(await page.getByTestId('sign-in-since').textContent()).toMatch(/^\d{4}\/\d{2}\/\d{2}$/)
    expect(await page.getByTestId('home-consumer').textContent()).not.toContain('CO2e')

    await Promise.all([page.waitForURL(/confirm=/), page.getByTestId('redeem-send_coupon_2').click()])
    const confirmPath = new URL(page.url()).pathname + new URL(page.url()).search
    expect(await page.getByTestId('redeem-confirm').textContent()).toContain('500 积分')
    expect(await balance()).toBe(before)
    await Promise.all([page.waitForURL(`${e2e.app.url}/me#rewards`), page.getByTestId('cancel-redeem').click()])
    expect(await page.getByTestId('redeem-confirm').count()).toBe(0)
    expect(await balance()).toBe(before)

    await Promise.all([page.waitForURL(/confirm=/), page.getByTestId('redeem-send_coupon_2').click()])
    await Promise.all([page.waitForURL(`${e2e.app.url}/me`), page.getByTestId('confirm-redeem').click()])
    expect(await page.getByTestId('redeemed').textContent()).toMatch(/兑换码 GR-/)
    expect(await balance()).toBe(before - 500)

    await visitAll(page, context, [
      {
        path: '/me',
        key: async (p) => {
          // The points column is on screen at 390 px: each history row is a card.
          const points = p.getByTestId('credit-history').locator('tbody tr').first().locator('td').nth(3)
          const box = (await points.boundingBox())!
          expect(box.x + box.width).toBeLessThanOrEqual(390)
        },
      },
      // The confirmation step, before anything is spent.
      { path: confirmPath, key: visible('confirm-redeem') },
    ])
  }, 180_000)
})

describe('admin and methodology', () => {
  it('admin pages, a factor set’s factors, the file format page', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'admin')
    await visitAll(page, e2e.context, [
      { path: '/admin', key: visible('home-admin') },
      {
        path: '/admin/factors?factors=2026.1',
        key: async (p) => {
          expect(await p.getByTestId('factor-list').locator('tbody tr').count()).toBeGreaterThan(20)
        },
      },
      { path: '/admin/formats', key: visible('formats-page') },
      { path: '/admin/targets', key: visible('target-set-table') },
      {
        path: '/admin/credit-rules',
        key: async (p, lang) => {
          // The rule set's English source summary is not passed off as a Chinese sentence.
          const summary = p.getByTestId('rule-set-summary').first()
          if (lang === 'zh') expect(await summary.locator('summary').textContent()).toBe('来源说明（英文原文）')
          else expect(await summary.textContent()).toContain('1 point per gram')
        },
      },
      { path: '/admin/users', key: visible('user-table') },
      { path: '/admin/partners', key: visible('partner-table') },
    ])
    expect(await page.locator('body').textContent()).not.toContain('README')
  }, 240_000)

  it('the methodology, signed out: fits a phone, links to sign-in; a favicon and a manifest', async () => {
    const context = await e2e.newContext()
    const page = await context.newPage()
    await visitAll(page, context, [
      {
        path: '/methodology',
        key: async (p) => {
          expect(await p.getByTestId('sign-in-link').getAttribute('href')).toBe('/login')
        },
      },
      { path: '/login', key: async (p) => expect(await p.getByLabel(/用户名|Username/).count()).toBe(1) },
      { path: '/claim', key: async (p) => expect(await p.locator('input[name=phone]').count()).toBe(1) },
    ])
    const icon = await page.request.get(`${e2e.app.url}/favicon.ico`)
    expect(icon.status()).toBe(200)
    const manifest = await page.request.get(`${e2e.app.url}/manifest.webmanifest`)
    expect(manifest.status()).toBe(200)
    const body = (await manifest.json()) as { start_url: string; icons: { sizes: string }[] }
    expect(body.start_url).toBe('/')
    expect(body.icons.map((i) => i.sizes)).toEqual(['192x192', '512x512'])
    expect((await page.request.get(`${e2e.app.url}/icon-512.png`)).status()).toBe(200)
  }, 120_000)
})
