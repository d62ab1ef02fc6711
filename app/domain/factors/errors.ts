import { translate, type MessageKey, type MessageParams } from '#app/i18n/index.ts'

/**
 * One problem found in a factor file. It travels as a key and parameters and
 * is put into words where it is shown; `toString()` gives the English text for
 * a command line or a log.
 */
export interface FactorLoadError {
  file: string
  /** Row in a CSV file, counting the header as row 1; null for set.json or whole-file problems. */
  row: number | null
  /** Column (CSV) or JSON path (set.json); null when the whole file is at fault. */
  field: string | null
  key: MessageKey
  params: MessageParams
  toString(): string
}

export function factorLoadError(
  file: string,
  row: number | null,
  field: string | null,
  key: MessageKey,
  params: MessageParams = {},
): FactorLoadError {
  const allParams: MessageParams = { ...params, file }
  if (row !== null) allParams.row = row
  if (field !== null) allParams.field = field
  return {
    file,
    row,
    field,
    key,
    params: allParams,
    toString() {
      const where = `${file}${row === null ? '' : `:${row}`}${field === null ? '' : ` [${field}]`}`
      return `${where}: ${translate('en', key, allParams)}`
    },
  }
}
