import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refreshOutletMonths } from '#db/models/rollups.ts'
import { insertSession } from '#db/models/sessions.ts'
import { loader as exportLoader } from '#app/routes/reports-export.tsx'
import { contentDisposition } from '#app/services/reports.server.ts'
import { createTestDatabase, type TestDatabase } from '../support/db.ts'

/**
 * The CSV export through its route: the loader of /reports/export.csv with a
 * signed-in session, against a test database put where getDb() looks.
 */

let t: TestDatabase
let ids: Record<string, number>
const holder = globalThis as typeof globalThis & { __greenparcelDb?: Promise<unknown> }
let previous: Promise<unknown> | undefined

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  previous = holder.__greenparcelDb
  holder.__greenparcelDb = Promise.resolve({ handle: { db: t.db, kind: t.kind, close: async () => {} }, info: {} })
  ids = Object.fromEntries((await t.db.selectFrom('outlets').select(['id', 'code']).execute()).map((r) => [r.code, r.id]))
  // An outlet whose name a spreadsheet would run as a formula, with a quote and a comma in it.
  await t.db.updateTable('outlets').set({ name_zh: '=HYPERLINK("http://evil.example","点我"),1', name_en: '@SUM(1+1)' }).where('code', '=', 'ZTO-410104-01').execute()
  for (const code of ['SF-410104-01', 'ZTO-410104-01', 'JT-410104-01']) {
    const o = await t.db.selectFrom('outlets').select(['id', 'brand_id', 'region_code']).where('code', '=', code).executeTakeFirstOrThrow()
    await t.db
      .insertInto('shipment_stats')
      .values({ outlet_id: o.id, brand_id: o.brand_id, region_code: o.region_code, stat_date: '2025-03-03', parcels: 100, e_waybill_parcels: 98, paper_waybill_parcels: 2, data_quality: 'measured', source: 'form' })
      .execute()
  }
  await refreshOutletMonths(t.db, ['SF-410104-01', 'ZTO-410104-01', 'JT-410104-01'].map((code) => ({ outletId: ids[code]!, month: '2025-03' })))
})
afterAll(async () => {
  holder.__greenparcelDb = previous
  await t?.close()
})

async function cookieFor(username: string): Promise<string> {
  const user = await t.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()
  const token = randomBytes(32).toString('base64url')
  await insertSession(t.db, {
    id: createHash('sha256').update(token).digest('hex'),
    userId: user.id,
    expiresAt: new Date(Date.now() + 3600_000),
    ip: null,
    userAgent: null,
  })
  return `gp_session=${token}`
}

async function get(username: string, query: string, lang?: 'en'): Promise<Response> {
  const cookie = [await cookieFor(username), lang ? `gp_lang=${lang}` : null].filter(Boolean).join('; ')
  const request = new Request(`http://localhost/reports/export.csv?${query}`, { headers: { Cookie: cookie } })
  try {
    return (await exportLoader({ request, params: {}, context: {} })) as Response
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}

describe('CSV export through the route', () => {
  it('writes UTF-8 with a BOM, neutralises formula cells and quotes commas and quotes', async () => {
    const response = await get('bureau.zhengzhou', 'table=children&scope=region:410104&period=2025-03&metric=e_waybill_rate')
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder().decode(bytes.slice(3))
    const lines = text.split('\r\n')
    expect(lines[0]!.startsWith('名称,收寄快件数（件）,网点·月（个）,')).toBe(true)
    // The name starts with '=': an apostrophe keeps Excel from running it; the quotes are doubled, the comma kept inside.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""点我""),1"`)
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m)
    // Figures stay numbers: 100 parcels, the rate as a percentage with 4 decimals (98 / 100 = 98%)
    const row = lines.find((l) => l.includes('HYPERLINK'))!
    expect(row).toContain(',100,1,e_waybill_rate,')
    expect(row).toContain(',98.0000,98,')
  })

  it('names unit and scale in every header and keeps one scale per column (issue 13.7)', async () => {
    const response = await get('bureau.zhengzhou', 'table=children&scope=region:410104&period=2025-03&metric=e_waybill_rate')
    const lines = new TextDecoder().decode(new Uint8Array(await response.arrayBuffer()).slice(3)).split('\r\n')
    const header = lines[0]!.split(',')
    const at = (name: string) => header.indexOf(name)
    expect(at('数值（单位见“单位”列；比例一律以百分数表示，98.4290 即 98.4290%）')).toBeGreaterThan(0)
    expect(at('覆盖率（%，报送该指标数据的网点·月占比）')).toBeGreaterThan(0)
    expect(at('目标值（与“数值”同单位；比例以百分数表示）')).toBeGreaterThan(0)
    expect(at('分子（原始合计，单位见“分子含义”列）')).toBeGreaterThan(0)
    const row = lines.find((l) => l.includes(',e_waybill_rate,') && !l.includes('HYPERLINK'))!.split(',')
    // The outlet reported its one day: 98 / 100 = 98 %, coverage 1 of 1 = 100 %, both in percent.
    expect(row[at('数值（单位见“单位”列；比例一律以百分数表示，98.4290 即 98.4290%）')]).toBe('98.0000')
    expect(row[at('覆盖率（%，报送该指标数据的网点·月占比）')]).toBe('100.00')
    // The target in the same scale as the value: ">= 90", never ">= 0.9".
    expect(row[at('目标值（与“数值”同单位；比例以百分数表示）')]).toMatch(/^>= (90|95)$/)
  })

  it('names the file in Chinese, safely, with an ASCII fallback', async () => {
    const response = await get('bureau.zhengzhou', 'table=metrics&scope=region:410104&period=2025-03')
    const disposition = response.headers.get('Content-Disposition')!
    expect(disposition).toBe(contentDisposition('合规报表_管城回族区_2025-03.csv', 'greenparcel_metrics_region-410104_2025-03.csv'))
    expect(disposition).toContain('filename="greenparcel_metrics_region-410104_2025-03.csv"')
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('合规报表_管城回族区_2025-03.csv')}`)
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; /)
    expect(disposition).not.toMatch(/filename="[^"]*[^\x20-\x7e]/)
  })

  it('the English header row and file name follow the reader’s language', async () => {
    const response = await get('bureau.zhengzhou', 'table=children&scope=region:410104&period=2025-03', 'en')
    const text = (await response.text()).replace(/^\uFEFF/, '')
    expect(text.startsWith('Name,Parcels handled (parcels),Outlet-months (count),')).toBe(true)
    expect(text).toContain(`'@SUM(1+1)`)
    expect(response.headers.get('Content-Disposition')).toContain(encodeURIComponent('breakdown_Guancheng Hui District_2025-03_'))
  })

  it('refuses another city’s data and other brands’ comparison', async () => {
    expect((await get('bureau.zhengzhou', 'table=metrics&scope=region:410600&period=2025-03')).status).toBe(404)
    expect((await get('bureau.zhengzhou', `table=metrics&scope=outlet:${ids['EMS-410611-01']}&period=2025-03`)).status).toBe(404)
    expect((await get('carrier.sf', 'table=brands&scope=region:410104&period=2025-03')).status).toBe(403)
    expect((await get('consumer.demo', 'table=metrics&scope=region:410104')).status).toBe(403)
    expect((await get('bureau.zhengzhou', 'table=secrets&scope=region:410104')).status).toBe(400)
  })

  it('a brand admin’s export holds its own brand only and hides a small benchmark cell', async () => {
    const response = await get('carrier.sf', 'table=metrics&scope=region:410104&period=2025-03')
    const text = await response.text()
    const eWaybill = text.split('\r\n').find((l) => l.includes(',e_waybill_rate,'))!
    // SF only: 98 / 100; Guancheng's cross-brand benchmark has 2 other-brand outlets behind it: hidden
    expect(eWaybill).toContain(',98.0000,98,')
    expect(eWaybill.endsWith(',不予显示')).toBe(true)
  })
})
