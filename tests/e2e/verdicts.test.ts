import { describe, expect, it } from 'vitest'
import { signIn, useE2eSession } from './support/app.ts'

// Verdicts a bureau can sign (issue 13), in the browser, on the demo data
// (24 months of activity ending October 2026; the tests run later than that).

const e2e = useE2eSession()

/** Today in Asia/Shanghai, YYYY-MM-DD: months are complete by that clock. */
function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

describe('the bureau overview opens on the last complete month', () => {
  it('after an outlet logs a day of the month in progress', async () => {
    const today = shanghaiToday()
    const outlet = await e2e.context.newPage()
    await signIn(outlet, e2e.app.url, 'outlet.sf')
    await outlet.goto(`${e2e.app.url}/activity/shipment_stats/new?outletCode=SF-410105-01&date=${today}`)
    await outlet.fill('[name=parcels]', '120')
    await outlet.fill('[name=eWaybillParcels]', '118')
    await outlet.fill('[name=paperWaybillParcels]', '2')
    await outlet.selectOption('[name=dataQuality]', 'measured')
    await Promise.all([outlet.waitForURL(/\/activity\/shipment_stats\/\d+\?saved=created$/), outlet.getByTestId('save').click()])

    const context = await e2e.newContext()
    const page = await context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await page.goto(`${e2e.app.url}/`)
    const heading = page.getByTestId('targets-period')
    await heading.waitFor()
    // The month in progress holds one day of one outlet; the last complete month with data is October 2026.
    expect(await heading.getAttribute('data-period')).toBe('2026-10')
    expect(await heading.getAttribute('data-period')).not.toBe(today.slice(0, 7))
    expect(await heading.textContent()).toContain('2026年10月')
    // Its verdicts are verdicts, not "provisional".
    expect(await page.getByTestId('targets-overview').locator('[data-status="provisional"]').count()).toBe(0)
    // The month in progress can still be chosen, and is then provisional.
    const options = await page.getByTestId('period-picker').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))
    expect(options).toContain(today.slice(0, 7))
    await page.goto(`${e2e.app.url}/bureau?period=${today.slice(0, 7)}`)
    expect(await page.getByTestId('targets-overview').locator('[data-status="provisional"]').count()).toBeGreaterThan(0)
  })
})

describe('reports that read well', () => {
  it('the printed report: title with jurisdiction and period, page numbers, the charts', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await page.goto(`${e2e.app.url}/reports/print?scope=region:410105&period=2026-10`)
    await expect.poll(() => page.title()).toBe('金水区 2026年10月 快递绿色包装与碳排放合规报表')
    expect(await page.getByTestId('print-title').textContent()).toBe('金水区 2026年10月 快递绿色包装与碳排放合规报表')
    const css = await page.locator('style').evaluateAll((els) => els.map((e) => e.textContent ?? '').join('\n'))
    expect(css).toContain('@bottom-center { content: "第 " counter(page) " 页，共 " counter(pages) " 页"')
    await page.getByTestId('print-report').getByTestId('chart-trend').locator('svg.recharts-surface').first().waitFor({ timeout: 15_000 })
    await page.emulateMedia({ media: 'print' })
    expect(await page.getByTestId('chart-trend').isVisible()).toBe(true)
  })

  it('the brand comparison fits 1366 px and states the national-count note once', async () => {
    const context = await e2e.newContext({ viewport: { width: 1366, height: 800 } })
    const page = await context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await page.goto(`${e2e.app.url}/reports/brands?scope=region:410100&period=2026-10`)
    await page.getByTestId('brand-table').waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366)
    const text = (await page.getByTestId('brand-comparison').textContent()) ?? ''
    // Each national count target's sentence once, under the table, never in every cell.
    expect(await page.getByTestId('contribution-note').count()).toBe(1)
    expect(text.split('无法计算贡献').length - 1).toBeLessThanOrEqual(1)
  })
})
