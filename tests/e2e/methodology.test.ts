import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { signIn, useE2eSession } from './support/app.ts'

const e2e = useE2eSession()

describe('the methodology page', () => {
  it('is public: formulas, factors with sources and a live worked example, in Chinese and in English', async () => {
    const page = await e2e.context.newPage()
    const response = await page.goto(`${e2e.app.url}/methodology`)
    expect(response?.status()).toBe(200)
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN')
    expect(await page.locator('h1').textContent()).toBe('碳排放核算方法')
    // every factor of the set in force, with its source
    expect(await page.locator('#factor-grid\\.province\\.530000\\.2022').textContent()).toContain('0.1073')
    expect(await page.locator('#factor-grid\\.central\\.2022').textContent()).toContain('生态环境部')
    // 1000 kWh × 0.5395 (华中电网 2022) = 539.5, with the fallback said in words
    const henan = page.getByTestId('example-facilityHenan')
    expect(await henan.textContent()).toContain('539.5')
    expect(await henan.textContent()).toContain('本因子集没有河南省的省级因子，按替代规则采用华中电网 2022 年的因子（grid.central.2022）')
    expect(await page.getByTestId('example-facilityYunnan-total').textContent()).toContain('107.3')
    expect(await page.getByTestId('grid-map').locator('tr', { hasText: '150400' }).textContent()).toContain('东北电网')

    // A visitor who has not signed in can switch language too.
    await Promise.all([page.waitForURL(`${e2e.app.url}/methodology`), page.getByTestId('switch-language').click()])
    await expect.poll(() => page.locator('h1').textContent()).toBe('Carbon accounting methodology')
    expect(await page.getAttribute('html', 'lang')).toBe('en')
    expect(await page.getByTestId('example-facilityHenan').textContent()).toContain(
      'This set has no provincial factor for Henan; by the fallback rule the Central China grid factor for 2022 is used (grid.central.2022).',
    )
    expect(await page.getByTestId('example-fleetDiesel').textContent()).toContain('tank-to-wheel')
    expect(await page.getByTestId('factors-material').textContent()).toContain('checked against a secondary copy')
  })

  it('is linked from the header for everybody', async () => {
    const page = await e2e.context.newPage()
    await page.goto(`${e2e.app.url}/login`)
    await Promise.all([page.waitForURL(`${e2e.app.url}/methodology`), page.getByRole('link', { name: '核算方法' }).click()])
    await expect.poll(() => page.locator('h1').textContent()).toBe('碳排放核算方法')
  })
})

describe('the factor-set admin page', () => {
  it('lists the sets, refuses a broken factors.csv naming file, row and field, and stores a good set as a draft', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-factors-'))
    const source = path.resolve('factors/emission/2026.1')
    const meta = JSON.parse(readFileSync(path.join(source, 'set.json'), 'utf8')) as Record<string, unknown>
    Object.assign(meta, { version: '2026.2', status: 'draft', contentSha256: null })
    writeFileSync(path.join(dir, 'set.json'), JSON.stringify(meta, null, 2))
    writeFileSync(path.join(dir, 'grid-regions.csv'), readFileSync(path.join(source, 'grid-regions.csv')))
    const csv = readFileSync(path.join(source, 'factors.csv'), 'utf8')
    writeFileSync(path.join(dir, 'factors.csv'), csv)
    // row 8 is grid.central.2022: a value that is not a number
    writeFileSync(path.join(dir, 'factors-broken.csv'), csv.replace('grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0,5395,'))

    const page = await e2e.context.newPage()
    await signIn(page, e2e.app.url, 'admin')
    await page.goto(`${e2e.app.url}/admin/factors`)
    const row = page.getByTestId('factor-sets').locator('tr[data-version="2026.1"]')
    expect(await row.textContent()).toContain('54067cc220775f5e2cdb84d62746f052a6929c15c899a95526b634d34cedfff3')
    expect(await row.textContent()).toContain('正在使用')

    const upload = page.getByTestId('factor-upload')
    await upload.locator('input[name="setJson"]').setInputFiles(path.join(dir, 'set.json'))
    await upload.locator('input[name="factorsCsv"]').setInputFiles(path.join(dir, 'factors-broken.csv'))
    await upload.locator('input[name="gridRegionsCsv"]').setInputFiles(path.join(dir, 'grid-regions.csv'))
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), upload.locator('button[type="submit"]').click()])
    await expect.poll(() => page.getByTestId('factor-error').textContent()).toContain('因子集未保存')
    const errors = page.getByTestId('factor-load-errors').locator('tbody tr')
    // "0,5395" splits into two cells: the row has one cell too many
    expect(await errors.count()).toBe(1)
    expect(await errors.first().locator('td').allTextContents()).toEqual([
      'factors-broken.csv',
      '8',
      '—',
      '文件 factors-broken.csv 第 8 行无法解析：expected 17 cells, found 18。请检查引号是否成对。',
    ])
    expect(await page.getByTestId('factor-sets').locator('tr[data-version="2026.2"]').count()).toBe(0)

    // the same refusal in English, with the field named where one is at fault
    writeFileSync(path.join(dir, 'factors-broken.csv'), csv.replace('grid.central.2022,electricity:grid,generation,0.5395,', 'grid.central.2022,electricity:grid,generation,0.53x5,'))
    await Promise.all([page.waitForURL(`${e2e.app.url}/admin/factors`), page.getByTestId('switch-language').click()])
    const again = page.getByTestId('factor-upload')
    await again.locator('input[name="setJson"]').setInputFiles(path.join(dir, 'set.json'))
    await again.locator('input[name="factorsCsv"]').setInputFiles(path.join(dir, 'factors-broken.csv'))
    await again.locator('input[name="gridRegionsCsv"]').setInputFiles(path.join(dir, 'grid-regions.csv'))
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), again.locator('button[type="submit"]').click()])
    await expect.poll(() => page.getByTestId('factor-load-errors').locator('tbody tr').first().locator('td').allTextContents()).toEqual([
      'factors-broken.csv',
      '8',
      'value',
      'factors-broken.csv, row 8: "value" is "0.53x5", which is not a number. Write digits only, e.g. 0.5366.',
    ])

    // the good file is stored as a draft, ready to publish
    const good = page.getByTestId('factor-upload')
    await good.locator('input[name="setJson"]').setInputFiles(path.join(dir, 'set.json'))
    await good.locator('input[name="factorsCsv"]').setInputFiles(path.join(dir, 'factors.csv'))
    await good.locator('input[name="gridRegionsCsv"]').setInputFiles(path.join(dir, 'grid-regions.csv'))
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), good.locator('button[type="submit"]').click()])
    await expect.poll(() => page.getByTestId('factor-notice').textContent()).toContain('Factor set 2026.2 is stored as a draft')
    const draft = page.getByTestId('factor-sets').locator('tr[data-version="2026.2"]')
    await expect.poll(() => draft.textContent()).toContain('draft')

    // publishing recomputes and shows the counts
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), draft.getByRole('button', { name: 'Publish and recompute' }).click()])
    await expect.poll(() => page.getByTestId('factor-notice').textContent(), { timeout: 60_000 }).toMatch(/Factor set 2026\.2 is published and results were recomputed: [\d,]+ records examined/)
    // the notice comes with the action's answer; the table follows when the page's data reloads
    await expect.poll(() => page.getByTestId('factor-sets').locator('tr[data-version="2026.2"]').textContent()).toContain('in force')
  })
})
