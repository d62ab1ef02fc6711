import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import type { FactorSetFiles } from '#app/domain/factors/types.ts'
import type { Database } from '#db/schema.ts'
import type { CostedRecordType } from '#db/tables/emissions.ts'
import { readFactorSetFiles } from '../../scripts/lib/factor-files.ts'

/** A test outlet of brand SF in the given district, with no demo activity. */
export async function addOutlet(db: Kysely<Database>, code: string, regionCode: string): Promise<number> {
  const brand = await db.selectFrom('brands').select('id').where('code', '=', 'sf').executeTakeFirstOrThrow()
  const { id } = await db
    .insertInto('outlets')
    .values({ code, brand_id: brand.id, region_code: regionCode, name_zh: code, name_en: code, opened_on: '2018-01-01' })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

async function ownerOf(db: Kysely<Database>, outletId: number) {
  const o = await db.selectFrom('outlets').select(['brand_id', 'region_code']).where('id', '=', outletId).executeTakeFirstOrThrow()
  return { outlet_id: outletId, brand_id: o.brand_id, region_code: o.region_code, data_quality: 'measured', source: 'form' }
}

/** Insert one activity row; returns its id. */
export async function addRecord(
  db: Kysely<Database>,
  table: CostedRecordType,
  outletId: number,
  values: Record<string, string | number>,
): Promise<string> {
  const row = { ...(await ownerOf(db, outletId)), ...values }
  const columns = Object.keys(row)
  const { rows } = await sql<{ id: string }>`
    insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
    values (${sql.join(columns.map((c) => sql`${(row as Record<string, unknown>)[c]}`))})
    returning id`.execute(db)
  return String(rows[0]!.id)
}

export async function addVehicle(
  db: Kysely<Database>,
  outletId: number,
  v: { plate: string; vehicle_class: string; energy: string },
): Promise<string> {
  const row = { ...(await ownerOf(db, outletId)), ...v, emission_standard: 'guo6', in_service_from: '2020-01-01', acquisition: 'existing' }
  const columns = Object.keys(row)
  const { rows } = await sql<{ id: string }>`
    insert into vehicles (${sql.join(columns.map((c) => sql.ref(c)))})
    values (${sql.join(columns.map((c) => sql`${(row as Record<string, unknown>)[c]}`))})
    returning id`.execute(db)
  return String(rows[0]!.id)
}

export async function itemId(db: Kysely<Database>, code: string): Promise<number> {
  return (await db.selectFrom('packaging_items').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id
}

/**
 * The files of set 2026.1 under another version, for tests of new versions:
 * `replace` edits factors.csv (e.g. a corrected value).
 */
export async function derivedSetFiles(
  version: string,
  options: { status: 'draft' | 'published'; contentSha256?: string | null; replace?: [string, string][] },
): Promise<FactorSetFiles> {
  const files = await readFactorSetFiles(path.resolve('factors/emission/2026.1'))
  const meta = JSON.parse(files.setJson.text) as Record<string, unknown>
  meta.version = version
  meta.status = options.status
  meta.contentSha256 = options.contentSha256 ?? null
  let factors = files.factorsCsv.text
  for (const [from, to] of options.replace ?? []) {
    if (!factors.includes(from)) throw new Error(`factors.csv has no "${from}"`)
    factors = factors.replace(from, to)
  }
  const dir = `factors/emission/${version}`
  return {
    setJson: { name: `${dir}/set.json`, text: JSON.stringify(meta, null, 2) },
    factorsCsv: { name: `${dir}/factors.csv`, text: factors },
    gridRegionsCsv: { name: `${dir}/grid-regions.csv`, text: files.gridRegionsCsv.text },
  }
}
