import { describe, expect, it } from 'vitest'
import { signIn, useE2eSession } from './support/app.ts'

// Issue 13.4 in the browser, on the demo data: Henan has no provincial grid
// factor in set 2026.1 and no factor is published after 2023, so an outlet's
// 2026 electricity is costed with the Central grid 2023 factor. That is said
// on the report, its details, the printed report and the record page.

const e2e = useE2eSession()

describe('fallback factors are shown where the figure is', () => {
  it('report → which factors → a record; and on paper', async () => {
    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'outlet.sf')
    await page.goto(`${e2e.app.url}/reports?period=2026-10`)
    const share = page.getByTestId('fallback-share')
    await share.waitFor()
    expect(await share.textContent()).toMatch(/本期排放中有 \d+(\.\d)?%（[\d.,]+ 吨 CO₂e，共 [\d.,]+ 吨）由使用了替代因子的记录计算。/)

    await Promise.all([page.waitForURL(/\/reports\/fallbacks\?/), page.getByTestId('fallback-details-link').click()])
    const table = page.getByTestId('fallback-table')
    await table.waitFor()
    const central = table.locator('tr[data-factor="grid.central.2023"]').filter({ has: page.locator('a[href*="/activity/facility_electricity/"]') })
    // Zhengzhou asked for 2026; the Central grid factor of 2023 was used, a region and a year fallback.
    expect(await central.textContent()).toMatch(/grid\.central\.2023地区、年份20262023区域电网因子/)

    await Promise.all([page.waitForURL(/\/activity\/facility_electricity\/\d+/), central.getByRole('link').click()])
    const notes = page.getByTestId('fallback-notes')
    await notes.waitFor()
    const text = await notes.textContent()
    expect(text).toContain('未找到410105的省级因子，使用区域电网因子（grid.central.2023）')
    expect(text).toContain('未找到 2026 年的因子，使用 2023 年的因子（grid.central.2023）')

    await page.goto(`${e2e.app.url}/reports/print?period=2026-10`)
    const printed = page.getByTestId('fallback-share')
    await printed.waitFor()
    expect(await printed.textContent()).toMatch(/^替代因子：本期排放的 \d+(\.\d)?%（[\d.,]+ 吨 CO₂e）使用了替代因子，明细见 \/reports\/fallbacks\?scope=outlet%3A\d+&period=2026-10$/)
  })
})
