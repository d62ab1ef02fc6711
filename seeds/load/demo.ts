import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import Papa from 'papaparse'
import { isRole } from '#app/domain/access.ts'
import { hashPassword } from '#app/utils/password.server.ts'
import type { Database, GridRegion, RegionLevel } from '#db/schema.ts'
import { seedActivity } from './activity.ts'
import { costSeededActivity, seedEmissions } from './emissions.ts'
import { seedTargets } from './targets.ts'
import { seedCredits } from './credits.ts'

async function readCsv(dir: string, file: string): Promise<Record<string, string>[]> {
  const text = await readFile(path.join(dir, file), 'utf8')
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true })
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]!
    throw new Error(`seeds/${file} row ${(first.row ?? 0) + 2}: ${first.message}`)
  }
  return parsed.data
}

function need(row: Record<string, string>, field: string, file: string, index: number): string {
  const value = row[field]?.trim()
  if (!value) throw new Error(`seeds/${file} row ${index + 2}: column "${field}" is empty`)
  return value
}

export interface SeedSummary {
  regions: number
  brands: number
  outlets: number
  users: number
}

/**
 * Replace everything with the demo data in `seedsDir`, in one transaction:
 * a failed load leaves the database as it was.
 */
export async function seedDemoData(
  db: Kysely<Database>,
  seedsDir: string,
  // activity: 24 months of demo activity and its rollups (seeds/activity-profile.json); tests that do not need it skip it.
  options: { activity?: boolean } = {},
): Promise<SeedSummary> {
  const [regions, brands, outlets, users] = await Promise.all(
    ['regions.csv', 'brands.csv', 'outlets.csv', 'users.csv'].map((f) => readCsv(seedsDir, f)),
  )
  const hashes = new Map<string, string>()
  for (const password of new Set(users!.map((u, i) => need(u, 'password', 'users.csv', i)))) {
    hashes.set(password, await hashPassword(password))
  }

  const summary = await db.transaction().execute(async (trx) => {
    await sql`truncate audit_log, login_attempts, sessions, memberships, users, outlets, brands, regions restart identity cascade`.execute(trx)

    // Parents before children: provinces, cities, districts.
    const order: Record<string, number> = { province: 0, city: 1, district: 2 }
    const sortedRegions = [...regions!].sort((a, b) => (order[a.level!] ?? 9) - (order[b.level!] ?? 9))
    for (const [i, r] of sortedRegions.entries()) {
      await trx
        .insertInto('regions')
        .values({
          code: need(r, 'code', 'regions.csv', i),
          parent_code: r.parent_code?.trim() || null,
          level: need(r, 'level', 'regions.csv', i) as RegionLevel,
          name_zh: need(r, 'name_zh', 'regions.csv', i),
          name_en: need(r, 'name_en', 'regions.csv', i),
          grid_region: need(r, 'grid_region', 'regions.csv', i) as GridRegion,
        })
        .execute()
    }

    const brandIds = new Map<string, number>()
    for (const [i, b] of brands!.entries()) {
      const { id } = await trx
        .insertInto('brands')
        .values({ code: need(b, 'code', 'brands.csv', i), name_zh: need(b, 'name_zh', 'brands.csv', i), name_en: need(b, 'name_en', 'brands.csv', i) })
        .returning('id')
        .executeTakeFirstOrThrow()
      brandIds.set(b.code!, id)
    }

    const outletIds = new Map<string, number>()
    for (const [i, o] of outlets!.entries()) {
      const brandCode = need(o, 'brand', 'outlets.csv', i)
      const brandId = brandIds.get(brandCode)
      if (brandId === undefined) throw new Error(`seeds/outlets.csv row ${i + 2}: unknown brand "${brandCode}"`)
      const { id } = await trx
        .insertInto('outlets')
        .values({
          code: need(o, 'code', 'outlets.csv', i),
          brand_id: brandId,
          region_code: need(o, 'region_code', 'outlets.csv', i),
          kind: need(o, 'kind', 'outlets.csv', i) as 'outlet' | 'sorting_centre',
          name_zh: need(o, 'name_zh', 'outlets.csv', i),
          name_en: need(o, 'name_en', 'outlets.csv', i),
          address_zh: o.address_zh?.trim() ?? '',
          opened_on: need(o, 'opened_on', 'outlets.csv', i),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      outletIds.set(o.code!, id)
    }

    for (const [i, u] of users!.entries()) {
      const role = need(u, 'role', 'users.csv', i)
      if (!isRole(role)) throw new Error(`seeds/users.csv row ${i + 2}: unknown role "${role}"`)
      const scope = u.scope?.trim() ?? ''
      const outletId = role === 'outlet_operator' ? outletIds.get(scope) : undefined
      const brandId = role === 'carrier_admin' ? brandIds.get(scope) : undefined
      if ((role === 'outlet_operator' && outletId === undefined) || (role === 'carrier_admin' && brandId === undefined)) {
        throw new Error(`seeds/users.csv row ${i + 2}: unknown scope "${scope}" for role ${role}`)
      }
      const { id } = await trx
        .insertInto('users')
        .values({
          username: need(u, 'username', 'users.csv', i),
          password_hash: hashes.get(u.password!.trim())!,
          display_name: need(u, 'display_name', 'users.csv', i),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await trx
        .insertInto('memberships')
        .values({
          user_id: id,
          role,
          outlet_id: outletId ?? null,
          brand_id: brandId ?? null,
          region_code: role === 'bureau_officer' ? scope : null,
        })
        .execute()
    }
    await seedEmissions(trx, seedsDir)
    await seedTargets(trx, path.join(seedsDir, '..', 'factors', 'targets'))
    await seedCredits(trx, seedsDir)
    // Keep last: it rebuilds the report rollups from everything seeded before it.
    if (options.activity !== false) await seedActivity(trx, seedsDir)
    if (options.activity !== false) await costSeededActivity(trx)
    return { regions: regions!.length, brands: brands!.length, outlets: outlets!.length, users: users!.length }
  })
  // Statistics for the planner at once: without them it takes every outlet's tens of
  // thousands of fresh rows for one and plans the pages' queries for a single row.
  // Embedded PGlite has no autovacuum to gather them later.
  await sql`analyze`.execute(db)
  return summary
}

export async function isEmpty(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n) === 0
}

/** Demo sign-ins, as printed at start-up and in the README. */
export async function readDemoSignIns(seedsDir: string): Promise<{ username: string; password: string; role: string }[]> {
  const users = await readCsv(seedsDir, 'users.csv')
  return users.map((u) => ({ username: u.username!, password: u.password!, role: u.role! }))
}
