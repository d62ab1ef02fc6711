import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { signIn, useE2eSession } from './support/app.ts'

// The app boots on a fresh embedded database with the demo data, including
// 24 months of demo activity ending October 2026 (seeds/activity-profile.json).

const e2e = useE2eSession()

async function switchLanguage(page: Page) {
  const url = page.url()
  await Promise.all([page.waitForURL(url), page.getByTestId('switch-language').click()])
}

describe('a bureau officer reads its jurisdiction', () => {
  it('overview → city → district → outlet, in Chinese, then English', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    // The overview: each target in force with value, status (as text) and coverage.
    const overview = page.getByTestId('targets-overview')
    await overview.waitFor()
    expect(await overview.locator('tr[data-metric="e_waybill_rate"]').textContent()).toContain('电子运单使用率')
    expect(await overview.locator('[data-status]').count()).toBeGreaterThan(3)
    expect(await overview.textContent()).toMatch(/已达标|未达标|数据不足/)

    await Promise.all([page.waitForURL(/\/reports\/region\/410100/), page.getByTestId('full-report-link').click()])
    await expect.poll(() => page.locator('h1').textContent()).toBe('郑州市')
    expect(await page.getByTestId('report-factor-set').textContent()).toBe('2026.1')
    const cities = page.getByTestId('drilldown-table')
    expect(await cities.locator('tbody tr').count()).toBe(3)

    await Promise.all([page.waitForURL(/\/reports\/region\/410105/), cities.getByRole('link', { name: /金水区/ }).click()])
    await expect.poll(() => page.locator('h1').textContent()).toBe('金水区')
    expect(await page.getByTestId('breadcrumbs').textContent()).toContain('郑州市')
    const outlets = page.getByTestId('drilldown-table')
    expect(await outlets.locator('tbody tr').count()).toBe(8)

    await Promise.all([page.waitForURL(/\/reports\/outlet\/\d+/), outlets.getByRole('link', { name: /顺丰速运郑州市金水区花园路营业部/ }).click()])
    await expect.poll(() => page.locator('h1').textContent()).toBe('顺丰速运郑州市金水区花园路营业部')
    // A bureau sees the outlet's cross-brand benchmarks unsuppressed.
    expect(await page.locator('th.benchmark-col').count()).toBe(2)
    expect(await page.locator('td.benchmark-col .suppressed').count()).toBe(0)

    await switchLanguage(page)
    await expect.poll(() => page.locator('h1').textContent()).toBe('SF Express Jinshui No.1 outlet')
    expect(await page.getByTestId('metrics-table').locator('tr[data-metric="no_repack_rate"]').textContent()).toContain('E-commerce parcels not re-packed')
    await page.goto(`${e2e.app.url}/reports/region/410100`)
    expect(await page.locator('h1').textContent()).toBe('Zhengzhou')
    expect(await page.getByTestId('drilldown').locator('h2').textContent()).toBe('By District')
  })

  it('draws the charts once the page is live', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await page.goto(`${e2e.app.url}/reports`)
    for (const id of ['chart-trend', 'chart-energy', 'chart-emissions', 'chart-materials', 'chart-avoided']) {
      await page.getByTestId(id).locator('svg.recharts-surface').first().waitFor({ timeout: 15_000 })
    }
  })

  it('picks a quarter and compares brands', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await page.goto(`${e2e.app.url}/reports`)
    await page.getByTestId('period-picker').locator('select').selectOption('2026-Q3')
    await Promise.all([page.waitForURL(/period=2026-Q3/), page.getByTestId('period-picker').getByRole('button').click()])
    await expect.poll(() => page.locator('.report > p.muted').first().textContent()).toContain('2026年第3季度')
    await Promise.all([page.waitForURL(/\/reports\/brands/), page.getByTestId('brands-link').click()])
    await expect.poll(() => page.locator('h1').textContent()).toBe('郑州市 · 品牌对比')
    expect(await page.getByTestId('brand-table').locator('thead th').count()).toBe(9) // metric + 8 brands
  })

  it('prints: A4 page with jurisdiction, period, factor set and generation time, in both languages', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await page.goto(`${e2e.app.url}/reports/region/410105?period=2026`)
    await Promise.all([page.waitForURL(/\/reports\/print\?/), page.getByTestId('print-link').click()])
    await expect.poll(() => page.getByTestId('print-scope').textContent()).toBe('金水区')
    expect(await page.getByTestId('print-period').textContent()).toContain('2026年')
    expect(await page.getByTestId('print-period').textContent()).toContain('2026年10月')
    expect(await page.getByTestId('print-factor-set').textContent()).toBe('2026.1')
    expect(await page.getByTestId('print-generated').textContent()).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/)
    expect(await page.getByTestId('print-metrics-table').locator('tbody tr[data-metric]').count()).toBe(19)
    // The print stylesheet: no header bar, no toolbar, an A4 page.
    await page.emulateMedia({ media: 'print' })
    expect(await page.locator('.topbar').isVisible()).toBe(false)
    expect(await page.locator('.print-toolbar').isVisible()).toBe(false)
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true })
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    await page.emulateMedia({ media: 'screen' })

    await switchLanguage(page)
    await expect.poll(() => page.locator('h1').textContent()).toBe('Express packaging and carbon compliance report: Jinshui District, 2026')
    expect(await page.getByTestId('print-scope').textContent()).toBe('Jinshui District')
    expect(await page.getByTestId('print-period').textContent()).toContain('2026 (Data through October 2026)')
  })

  it('exports the table as CSV with a Chinese file name', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    await page.goto(`${e2e.app.url}/reports?period=2026-10`)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-metrics').click()])
    expect(download.suggestedFilename()).toBe('合规报表_郑州市_2026-10.csv')
    const stream = await download.createReadStream()
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    const bytes = Buffer.concat(chunks)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(bytes.toString('utf8')).toContain('e_waybill_rate')
  })

  it('cannot open another city', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'bureau.zhengzhou')
    expect((await page.goto(`${e2e.app.url}/reports/region/410600`))?.status()).toBe(404)
    expect(await page.getByTestId('error-page').count()).toBe(1)
    expect((await page.goto(`${e2e.app.url}/reports/region/410000`))?.status()).toBe(404)
    const csv = await page.request.get(`${e2e.app.url}/reports/export.csv?table=metrics&scope=region:410600`)
    expect(csv.status()).toBe(404)
  })
})

describe('brands and outlets see their own figures beside a benchmark', () => {
  it('an outlet operator: own outlet with district and city benchmarks', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'outlet.sf')
    await Promise.all([page.waitForURL(/\/reports/), page.getByRole('link', { name: '合规报表' }).click()])
    await expect.poll(() => page.locator('h1').textContent()).toBe('顺丰速运郑州市金水区花园路营业部')
    const headers = await page.locator('th.benchmark-col').allTextContents()
    expect(headers).toEqual(['基准：金水区', '基准：郑州市'])
    // Jinshui's benchmark is shown; Zhengzhou's is hidden in every row, because Guancheng
    // (a district inside it) has 2 other-brand outlets: city − districts would give them away.
    expect(await page.locator('td[data-benchmark="410105"] .suppressed').count()).toBe(0)
    expect(await page.locator('td[data-benchmark="410100"] .suppressed').count()).toBe(19)
    expect((await page.goto(`${e2e.app.url}/reports/region/410105`))?.status()).toBe(403)
  })

  it('a brand admin: a district with 2 other-brand outlets has its benchmark hidden', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'carrier.sf')
    await page.goto(`${e2e.app.url}/reports/region/410104`)
    expect(await page.locator('h1').textContent()).toBe('顺丰速运 · 管城回族区')
    expect(await page.locator('td.benchmark-col .suppressed').count()).toBe(19)
    expect(await page.getByTestId('benchmark-suppressed').textContent()).toContain('其他品牌网点少于3个')
    expect((await page.goto(`${e2e.app.url}/reports/brands`))?.status()).toBe(403)
  })
})

describe('admins keep the target sets', () => {
  it('adds a set for a province, is told what is wrong with a field, then adds a target to it', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'admin')
    await page.goto(`${e2e.app.url}/admin/targets`)
    expect(await page.getByTestId('target-set-table').locator('tbody tr').count()).toBe(13)
    const form = page.getByTestId('new-set-form')
    await form.getByLabel('目标集编号').fill('henan-2026-e2e')
    await form.getByLabel('适用地区代码').fill('4100')
    await form.getByLabel('中文名称').fill('河南省示例目标')
    await form.getByLabel('英文名称').fill('Henan example targets')
    await form.getByLabel('文件标题').fill('示例')
    await form.getByLabel('发文机关').fill('河南省邮政管理局')
    await form.getByLabel('发布日期').fill('2026-03')
    await form.getByLabel('核对情况').fill('Browser test.')
    await form.getByRole('button', { name: '保存目标集' }).click()
    await expect.poll(() => page.locator('#regionCode-error').textContent()).toBe('适用地区应为6位行政区划代码，全国写 000000。')
    await page.getByTestId('new-set-form').getByLabel('适用地区代码').fill('410000')
    await page.getByTestId('new-set-form').getByRole('button', { name: '保存目标集' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('已新增目标集 henan-2026-e2e。')

    await page.goto(`${e2e.app.url}/admin/targets?set=henan-2026-e2e`)
    const target = page.getByTestId('new-target-form')
    await target.getByLabel('指标').selectOption('no_repack_rate')
    await target.getByLabel('目标值').fill('0.95')
    await target.getByLabel('截止日期').fill('2026-12-31')
    await target.getByRole('button', { name: '添加目标' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('已在 henan-2026-e2e 中添加目标。')

    // The bureau of Zhengzhou (in Henan) is now held to it.
    const bureau = await e2e.newContext()
    const bureauPage = await bureau.newPage()
    await signIn(bureauPage, e2e.app.url, 'bureau.zhengzhou')
    const row = bureauPage.getByTestId('targets-overview').locator('tr[data-metric="no_repack_rate"]')
    expect(await row.textContent()).toContain('不低于 95%，截止 2026/12/31')
    await bureau.close()
  })
})
