import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { regionPrefix } from '#app/domain/regions.ts'
import type { Database } from '../schema.ts'

/**
 * The one place that says which outlets a viewer may see, as a SQL condition
 * on the `outlets` table. Every outlet-scoped query goes through it, so a
 * forbidden row is never fetched, not fetched and then hidden.
 */
export function outletVisibleTo(
  eb: ExpressionBuilder<Database, 'outlets'>,
  viewer: Viewer,
): Expression<SqlBool> {
  switch (viewer.role) {
    case 'admin':
      return sql<boolean>`true`
    case 'bureau_officer':
      return viewer.regionCode
        ? eb('outlets.region_code', 'like', `${regionPrefix(viewer.regionCode)}%`)
        : sql<boolean>`false`
    case 'carrier_admin':
      return viewer.brandId !== null ? eb('outlets.brand_id', '=', viewer.brandId) : sql<boolean>`false`
    case 'outlet_operator':
      return viewer.outletId !== null ? eb('outlets.id', '=', viewer.outletId) : sql<boolean>`false`
    case 'consumer':
      return sql<boolean>`false`
  }
}
