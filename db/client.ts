import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import postgres from 'postgres'
import { PreparedPostgresJSDialect } from './postgres-dialect.ts'
import type { Database } from './schema.ts'

export type DatabaseKind = 'postgres' | 'pglite'

export interface DatabaseHandle {
  db: Kysely<Database>
  kind: DatabaseKind
  close(): Promise<void>
}

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; maxConnections?: number }
  /** dataDir undefined means an in-memory database (tests). */
  | { kind: 'pglite'; dataDir?: string }

// Both drivers must hand back the same JavaScript shapes, so that one set of
// queries serves both: int8 and numeric as strings (exact, never floats) and
// `date` as the plain 'YYYY-MM-DD' string (no time-zone shift).
const OID_INT8 = 20
const OID_NUMERIC = 1700
const OID_DATE = 1082
const asText = (value: string) => value

export function openDatabase(config: DatabaseConfig): DatabaseHandle {
  if (config.kind === 'postgres') {
    const sql = postgres(config.url, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
      types: {
        date: { to: OID_DATE, from: [OID_DATE], serialize: (v: string) => v, parse: asText },
      },
    })
    const db = new Kysely<Database>({ dialect: new PreparedPostgresJSDialect(sql) })
    return { db, kind: 'postgres', close: () => db.destroy() }
  }
  // Options go in the one-argument form: PGlite(undefined, options) ignores them,
  // which would give in-memory databases other types than on-disk ones.
  const pglite = new PGlite({
    dataDir: config.dataDir,
    parsers: { [OID_INT8]: asText, [OID_NUMERIC]: asText, [OID_DATE]: asText },
  })
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  return { db, kind: 'pglite', close: () => db.destroy() }
}
