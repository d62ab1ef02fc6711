import type { Kysely } from 'kysely'
import type { Database } from '../schema.ts'

export async function listRegions(db: Kysely<Database>) {
  return db.selectFrom('regions').selectAll().orderBy('code').execute()
}

export async function findRegion(db: Kysely<Database>, code: string) {
  return db.selectFrom('regions').selectAll().where('code', '=', code).executeTakeFirst()
}

export async function listBrands(db: Kysely<Database>) {
  return db
    .selectFrom('brands')
    .leftJoin('outlets', 'outlets.brand_id', 'brands.id')
    .select((eb) => ['brands.id', 'brands.code', 'brands.name_zh', 'brands.name_en', eb.fn.count<string>('outlets.id').as('outlets')])
    .groupBy(['brands.id', 'brands.code', 'brands.name_zh', 'brands.name_en'])
    .orderBy('brands.code')
    .execute()
}

export async function findBrand(db: Kysely<Database>, brandId: number) {
  return db.selectFrom('brands').selectAll().where('id', '=', brandId).executeTakeFirst()
}
