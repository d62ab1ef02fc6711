import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { regionPrefix } from '#app/domain/regions.ts'
import type { Database } from '../schema.ts'
import { outletVisibleTo } from './scope.ts'

export interface OutletRow {
  id: number
  code: string
  nameZh: string
  nameEn: string
  kind: 'outlet' | 'sorting_centre'
  addressZh: string
  openedOn: string
  closedOn: string | null
  regionCode: string
  regionNameZh: string
  regionNameEn: string
  cityCode: string
  provinceCode: string
  brandId: number
  brandCode: string
  brandNameZh: string
  brandNameEn: string
}

/** An outlet as a register lists it (OutletTable): what a row shows and links to. */
export type OutletListRow = Pick<OutletRow, 'id' | 'code' | 'nameZh' | 'nameEn' | 'kind' | 'openedOn' | 'regionNameZh' | 'regionNameEn' | 'brandNameZh' | 'brandNameEn'>

/** The outlets the viewer may see, with their brand and region, to select from. */
function visibleOutlets(db: Kysely<Database>, viewer: Viewer) {
  return db
    .selectFrom('outlets')
    .innerJoin('brands', 'brands.id', 'outlets.brand_id')
    .innerJoin('regions', 'regions.code', 'outlets.region_code')
    .where((eb) => outletVisibleTo(eb, viewer))
}

function outletQuery(db: Kysely<Database>, viewer: Viewer) {
  return visibleOutlets(db, viewer).select([
      'outlets.id',
      'outlets.code',
      'outlets.name_zh as nameZh',
      'outlets.name_en as nameEn',
      'outlets.kind',
      'outlets.address_zh as addressZh',
      'outlets.opened_on as openedOn',
      'outlets.closed_on as closedOn',
      'outlets.region_code as regionCode',
      'regions.name_zh as regionNameZh',
      'regions.name_en as regionNameEn',
      'outlets.city_code as cityCode',
      'outlets.province_code as provinceCode',
      'brands.id as brandId',
      'brands.code as brandCode',
      'brands.name_zh as brandNameZh',
      'brands.name_en as brandNameEn',
    ])
}

/** One outlet, or undefined when it does not exist or the viewer may not see it. */
export async function findVisibleOutlet(
  db: Kysely<Database>,
  viewer: Viewer,
  outletId: number,
): Promise<OutletRow | undefined> {
  return outletQuery(db, viewer).where('outlets.id', '=', outletId).executeTakeFirst()
}

export async function listVisibleOutlets(
  db: Kysely<Database>,
  viewer: Viewer,
  filter: { regionCode?: string; brandId?: number } = {},
): Promise<OutletRow[]> {
  let query = outletQuery(db, viewer)
  if (filter.regionCode) {
    query = query.where('outlets.region_code', 'like', `${regionPrefix(filter.regionCode)}%`)
  }
  if (filter.brandId !== undefined) query = query.where('outlets.brand_id', '=', filter.brandId)
  return query.orderBy('outlets.region_code').orderBy('brands.code').orderBy('outlets.code').execute()
}

/**
 * One page of the outlets the viewer may see as a register lists them, in its order (region,
 * brand, code), with how many there are in all and in how many provinces: a
 * jurisdiction or a brand can hold thousands, and a page shows a bounded number.
 */
export async function pageVisibleOutlets(
  db: Kysely<Database>,
  viewer: Viewer,
  page: { offset: number; limit: number },
): Promise<{ rows: OutletListRow[]; total: number; provinces: number }> {
  const [rows, count] = await Promise.all([
    visibleOutlets(db, viewer)
      .select([
        'outlets.id',
        'outlets.code',
        'outlets.name_zh as nameZh',
        'outlets.name_en as nameEn',
        'outlets.kind',
        'outlets.opened_on as openedOn',
        'regions.name_zh as regionNameZh',
        'regions.name_en as regionNameEn',
        'brands.name_zh as brandNameZh',
        'brands.name_en as brandNameEn',
      ])
      .orderBy('outlets.region_code').orderBy('brands.code').orderBy('outlets.code').limit(page.limit).offset(page.offset).execute(),
    db
      .selectFrom('outlets')
      .where((eb) => outletVisibleTo(eb, viewer))
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.count<string>('outlets.province_code').distinct().as('provinces')])
      .executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n), provinces: Number(count.provinces) }
}

/** Outlets per city and brand inside the viewer's scope: the bureau's first view of its jurisdiction. */
export async function countVisibleOutletsByCityAndBrand(db: Kysely<Database>, viewer: Viewer) {
  return db
    .selectFrom('outlets')
    .innerJoin('brands', 'brands.id', 'outlets.brand_id')
    .innerJoin('regions as city', 'city.code', 'outlets.city_code')
    .where((eb) => outletVisibleTo(eb, viewer))
    .where('outlets.closed_on', 'is', null)
    .select((eb) => [
      'outlets.city_code as cityCode',
      'city.name_zh as cityNameZh',
      'city.name_en as cityNameEn',
      'brands.code as brandCode',
      'brands.name_zh as brandNameZh',
      'brands.name_en as brandNameEn',
      eb.fn.countAll<string>().as('outlets'),
    ])
    .groupBy(['outlets.city_code', 'city.name_zh', 'city.name_en', 'brands.code', 'brands.name_zh', 'brands.name_en'])
    .orderBy('outlets.city_code')
    .orderBy('brands.code')
    .execute()
}
