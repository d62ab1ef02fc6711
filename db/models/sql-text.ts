import { sql } from 'kysely'

/**
 * bigint ids and dates read as text in SQL: both drivers then return the
 * same 'YYYY-MM-DD' and decimal-string shapes, whatever their parser setup.
 */
export function txt(ref: string) {
  return sql<string>`${sql.ref(ref)}::text`
}
export function txtOrNull(ref: string) {
  return sql<string | null>`${sql.ref(ref)}::text`
}
