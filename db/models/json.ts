import { sql, type RawBuilder } from 'kysely'

/**
 * A jsonb value that both drivers store the same way: bound as text and cast
 * in SQL (postgres.js would otherwise encode an already-encoded string again).
 */
export function jsonb(value: unknown): RawBuilder<unknown> {
  return sql`cast(${JSON.stringify(value)}::text as jsonb)`
}
