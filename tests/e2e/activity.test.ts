import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { signIn, useE2eSession } from './support/app.ts'

const e2e = useE2eSession()

describe('CSV upload in a real browser', () => {
  it('previews a file with a bad row (row and column named), commits the good rows, and hands back the rejected row with its reason', async () => {
    const context = await e2e.newContext({ acceptDownloads: true })
    const page = await context.newPage()
    await signIn(page, e2e.app.url, 'outlet.sf')
    await page.goto(`${e2e.app.url}/imports/new?recordType=shipment_stats`)
    expect(await page.getByTestId('template-links').locator('a').first().getAttribute('href')).toBe('/templates/shipment_stats.csv?lang=zh-CN')

    // UTF-8 with BOM, Chinese headers as the template has them; row 3 has more e-waybills than parcels.
    const csv = '\uFEFF网点编码,日期,收寄件数,电子运单件数,纸质运单件数,数据质量\r\nSF-410105-01,2026/11/1,"1,200",1150,50,实测\r\nSF-410105-01,2026-11-02,900,950,0,实测\r\nSF-410105-01,2026年11月3日,800,780,20,估算\r\n'
    await page.getByLabel(/CSV 文件/).setInputFiles({ name: 'november.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') })
    await Promise.all([page.waitForURL(/\/imports\/\d+$/), page.getByTestId('upload').click()])

    const detail = page.getByTestId('import-detail')
    // A 2-core machine shared with other suites: the first preview loads the factor set, give it time.
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 90_000 }).toBe('validated')
    expect(await page.getByTestId('count-rows').locator('.stat-value').textContent()).toBe('3')
    expect(await page.getByTestId('count-accepted').locator('.stat-value').textContent()).toBe('2')
    expect(await page.getByTestId('count-rejected').locator('.stat-value').textContent()).toBe('1')
    const errorRow = page.getByTestId('import-errors').locator('tbody tr')
    expect(await errorRow.count()).toBe(1)
    expect(await errorRow.locator('td').allTextContents()).toEqual([
      '第 3 行',
      '电子运单件数',
      '“电子运单件数”（950）不能大于“收寄件数”（900），请核对这两个数。',
    ])

    // The first rows as they will be stored: file rows 2 and 4, the dates as stored, the quality in words.
    const sample = page.getByTestId('import-sample')
    expect(await sample.locator('thead th').allTextContents()).toEqual(['项目', '第 2 行', '第 4 行'])
    expect(await sample.locator('tr[data-field=action] td').allTextContents()).toEqual(['写入方式', '新增', '新增'])
    expect(await sample.locator('tr[data-field=date] td').allTextContents()).toEqual(['日期', '2026-11-01', '2026-11-03'])
    expect(await sample.locator('tr[data-field=parcels] td').allTextContents()).toEqual(['收寄件数', '1,200', '800'])
    expect(await sample.locator('tr[data-field=dataQuality] td').allTextContents()).toEqual(['数据质量', '实测', '估算'])

    // The wording says exactly what the commit writes and what it leaves out; the error codes stay in the CSV.
    expect(await page.getByTestId('commit-hint').textContent()).toContain('确认后写入 2 行（新增 2 行，替换 0 行）；有错误的 1 行不写入')
    await page.getByTestId('commit').click()
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 60_000 }).toBe('committed')
    expect(await page.getByTestId('import-committed').textContent()).toContain('已导入 2 行')

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-rejected').click()])
    const text = await readFile((await download.path())!, 'utf8')
    expect(text.startsWith('\uFEFF')).toBe(true)
    const lines = text.slice(1).trim().split('\r\n')
    expect(lines).toEqual([
      '网点编码,日期,收寄件数,电子运单件数,纸质运单件数,数据质量,错误原因',
      'SF-410105-01,2026-11-02,900,950,0,实测,第 3 行；电子运单件数：“电子运单件数”（950）不能大于“收寄件数”（900），请核对这两个数。',
    ])

    // The committed rows are there, each with its CO2e, and today's entry on the home page is still open.
    await page.goto(`${e2e.app.url}/activity?month=2026-11`)
    expect(await page.getByTestId('records-shipment_stats').locator('.record-list li').count()).toBe(2)
    await page.getByTestId('records-shipment_stats').locator('.record-list a').last().click()
    await page.waitForURL(/\/activity\/shipment_stats\/\d+$/)
    expect(await page.getByTestId('record-results').textContent()).toContain('减排')
  }, 240_000)
})

describe('forms', () => {
  it('work without JavaScript: the server names the field in error, then saves', async () => {
    const context = await e2e.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await signIn(page, e2e.app.url, 'outlet.sf')
    await page.goto(`${e2e.app.url}/activity/recovery_collections/new?outletCode=SF-410105-01&date=2026-11-05`)
    await page.fill('[name=cartonsCollected]', '50')
    await page.fill('[name=cartonsReused]', '60')
    await page.selectOption('[name=dataQuality]', 'measured')
    await Promise.all([page.waitForLoadState('load'), page.getByTestId('save').click()])
    expect(await page.getByTestId('error-cartonsReused').textContent()).toBe('“复用纸箱数”（60）不能大于“回收纸箱数”（50），请核对这两个数。')
    expect(await page.inputValue('[name=cartonsCollected]')).toBe('50')
    await page.fill('[name=cartonsReused]', '40')
    await Promise.all([page.waitForURL(/\/activity\/recovery_collections\/\d+\?saved=created$/), page.getByTestId('save').click()])
    expect(await page.getByRole('status').textContent()).toBe('已保存。')
  })

  it('with JavaScript the same schema refuses before anything is sent, in English after the switch', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'outlet.sf')
    await page.goto(`${e2e.app.url}/activity/shipment_stats/new?outletCode=SF-410105-01&date=2026-11-06`)
    await Promise.all([page.waitForURL(/\/activity\/shipment_stats\/new/), page.getByTestId('switch-language').click()])
    await page.fill('[name=parcels]', '100')
    await page.fill('[name=eWaybillParcels]', '60')
    await page.fill('[name=paperWaybillParcels]', '30')
    await page.selectOption('[name=dataQuality]', 'estimated')
    const posts: string[] = []
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url())
    })
    await page.getByTestId('save').click()
    expect(await page.getByTestId('error-eWaybillParcels').textContent()).toBe('“Parcels with e-waybill”, “Parcels with paper waybill” add up to 90 but must equal “Parcels handled” (100). Check the figures.')
    expect(posts).toEqual([])
  })
})
