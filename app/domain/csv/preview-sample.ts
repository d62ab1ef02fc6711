import Decimal from 'decimal.js'

/**
 * The first rows of an import preview as they will be stored: what a person
 * checks before writing a file (issue 16.4). Pure; the import pipeline fills
 * it in file order as rows pass every check, the page labels the fields.
 */

/** Rows shown: enough to see that columns landed in the right fields, few enough for a phone. */
export const previewSampleRows = 5

export interface PreviewSampleRow {
  /** The row's line in the file (the header is line 1). */
  row: number
  /** A new record, one replacing a stored record, or a restatement of a submitted month. */
  action: 'new' | 'replace' | 'restate'
  /** Field code → the value as stored, exact ('' for an optional field left empty). */
  values: Record<string, string>
}

export function sampleAction(replaces: boolean, locked: boolean): PreviewSampleRow['action'] {
  if (locked) return 'restate'
  return replaces ? 'replace' : 'new'
}

/** A validated record's values as exact text: decimals in full, never in exponent form. */
export function sampleValues(record: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, value] of Object.entries(record)) {
    if (value === null || value === undefined) out[field] = ''
    else if (Decimal.isDecimal(value)) out[field] = (value as Decimal).toFixed()
    else out[field] = String(value)
  }
  return out
}
