import { sql, type RawBuilder } from 'kysely'

/**
 * A jsonb value that both drivers store the same way: bound as text and cast
 * in SQL (postgres.js would otherwise encode an already-encoded string again).
 */
export function jsonb(value: unknown): RawBuilder<unknown> {
  return jsonbFromText(JSON.stringify(value))
}

/** jsonb of a value already encoded as JSON text (or of a precompiled query's param holding it). */
export function jsonbFromText(text: unknown): RawBuilder<unknown> {
  return sql`cast(${text}::text as jsonb)`
}
