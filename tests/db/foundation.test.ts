import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { appendAudit, listAuditFor } from '#db/models/audit.ts'
import { findVisibleOutlet, listVisibleOutlets, countVisibleOutletsByCityAndBrand } from '#db/models/outlets.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

let t: TestDatabase
let ids: Record<string, number>

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  const rows = await t.db.selectFrom('outlets').select(['id', 'code']).execute()
  ids = Object.fromEntries(rows.map((r) => [r.code, r.id]))
})
afterAll(() => t?.close())

const viewerFor = (username: string): Promise<Viewer> => viewerOf(t.db, username)

describe('demo data', () => {
  it('loads the regions, brands, outlets and one sign-in per role', async () => {
    const count = async (table: 'regions' | 'brands' | 'outlets' | 'users') =>
      Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
    expect(await count('regions')).toBe(25)
    expect(await count('brands')).toBe(8)
    expect(await count('outlets')).toBe(52)
    const roles = await t.db.selectFrom('memberships').select('role').distinct().orderBy('role').execute()
    expect(roles.map((r) => r.role)).toEqual(['admin', 'bureau_officer', 'carrier_admin', 'consumer', 'outlet_operator'])
  })

  it('derives province and city from the district code', async () => {
    const o = await t.db.selectFrom('outlets').select(['province_code', 'city_code']).where('code', '=', 'SF-410105-01').executeTakeFirstOrThrow()
    expect(o).toEqual({ province_code: '410000', city_code: '410100' })
  })
})

describe('outlet scoping in SQL', () => {
  it('an outlet operator sees its own outlet and nothing else', async () => {
    const v = await viewerFor('outlet.sf')
    expect((await listVisibleOutlets(t.db, v)).map((o) => o.code)).toEqual(['SF-410105-01'])
    expect(await findVisibleOutlet(t.db, v, ids['ZTO-410105-01']!)).toBeUndefined()
  })

  it('a carrier admin sees its brand in every region, and no other brand', async () => {
    const v = await viewerFor('carrier.sf')
    const outlets = await listVisibleOutlets(t.db, v)
    // SF: Jinshui, Zhongyuan, Guancheng, Qibin, Weidu, Wuhua, Hongta, Xincheng, Yuecheng
    expect(outlets).toHaveLength(9)
    expect(new Set(outlets.map((o) => o.brandCode))).toEqual(new Set(['sf']))
    expect(new Set(outlets.map((o) => o.provinceCode))).toEqual(new Set(['410000', '530000', '150000', '330000']))
    expect(await findVisibleOutlet(t.db, v, ids['ZTO-410105-01']!)).toBeUndefined()
  })

  it('a city bureau sees every brand in its city, and not the next city', async () => {
    const v = await viewerFor('bureau.zhengzhou')
    const outlets = await listVisibleOutlets(t.db, v)
    // Zhengzhou: Jinshui 8 + Zhongyuan 5 + Guancheng 3 + the ZTO sorting centre
    expect(outlets).toHaveLength(17)
    expect(outlets.every((o) => o.cityCode === '410100')).toBe(true)
    expect(await findVisibleOutlet(t.db, v, ids['EMS-410611-01']!)).toBeUndefined() // Hebi
    const byCity = await countVisibleOutletsByCityAndBrand(t.db, v)
    expect(byCity.reduce((n, r) => n + Number(r.outlets), 0)).toBe(17)
  })

  it('a province bureau sees all its cities', async () => {
    const v = await viewerFor('bureau.henan')
    const cities = new Set((await listVisibleOutlets(t.db, v)).map((o) => o.cityCode))
    expect(cities).toEqual(new Set(['410100', '410500', '410600', '411000']))
  })

  it('a consumer sees no outlet records', async () => {
    const v = await viewerFor('consumer.demo')
    expect(await listVisibleOutlets(t.db, v)).toEqual([])
  })
})

describe('audit log', () => {
  it('appends and refuses to be rewritten', async () => {
    await appendAudit(t.db, { actorUserId: null, action: 'test.create', entityType: 'thing', entityId: 7, after: { a: 1 } })
    const rows = await listAuditFor(t.db, 'thing', 7)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.after).toEqual({ a: 1 })
    await expect(sql`update audit_log set action = 'x'`.execute(t.db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/)
  })
})

describe('migrations', () => {
  it('refuse a registry whose history is out of order', async () => {
    const { Migrator } = await import('kysely')
    const migrator = new Migrator({
      db: t.db,
      provider: {
        getMigrations: async () => ({
          '0000_inserted_before': { up: async () => {} },
          '0001_foundation': { up: async () => {} },
          '0002_activity': { up: async () => {} },
          '0003_emissions': { up: async () => {} },
          '0004_credits': { up: async () => {} },
          '0005_reports': { up: async () => {} },
          '0006_imports': { up: async () => {} },
        }),
      },
    })
    const result = await migrator.migrateToLatest()
    expect(String(result.error)).toMatch(/corrupted migrations/)
  })

  it('are a no-op when already at the latest', async () => {
    const result = await migrateToLatest(t.db)
    expect(result.results).toEqual([])
  })
})
