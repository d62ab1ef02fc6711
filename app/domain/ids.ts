import { z } from 'zod'

/**
 * Row ids are PostgreSQL `integer` (int4): a number past its range never
 * reaches a query, where it would be a database error instead of "not found".
 */
export const maxInt4 = 2_147_483_647

export function isInt4Id(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && value <= maxInt4
}

/** A positive int4 id from a form field or URL parameter. */
export const int4Id = z.coerce.number().int().positive().max(maxInt4)
