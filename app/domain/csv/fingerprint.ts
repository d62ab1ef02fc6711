// Server only: node:crypto. Kept apart so that the browser bundle of the
// forms (schema, validation) never pulls it in.
import { createHash } from 'node:crypto'
import Decimal from 'decimal.js'
import type { RecordDefinition } from '#app/domain/activity/definitions.ts'

function canonical(value: unknown): string {
  if (value === null || value === undefined) return ''
  // toFixed: no exponent and no trailing zeros, so 1.50 and 1.5 agree.
  if (value instanceof Decimal) return value.toFixed()
  return String(value)
}

/**
 * SHA-256 (hex) of a record's normalised content: record type, then every
 * field as code=value in definition order. The same row typed as "1,234" or
 * "１２３４", or with its columns in another order, has the same fingerprint;
 * any change of value gives another. Used to tell "already imported, identical"
 * from "same natural key, different figures".
 */
export function rowFingerprint(definition: RecordDefinition, record: Readonly<Record<string, unknown>>): string {
  let text = definition.code
  for (const field of definition.fields) text += `\u001f${field.code}=${canonical(record[field.code])}`
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** SHA-256 of a whole upload, fed chunk by chunk as it streams in. */
export function createFileFingerprint(): { update(chunk: Uint8Array): void; digest(): string } {
  const hash = createHash('sha256')
  return {
    update: (chunk) => void hash.update(chunk),
    digest: () => hash.digest('hex'),
  }
}
