import { translate, type MessageKey, type MessageParams } from '#app/i18n/index.ts'
import type { RecordCode, RecordDefinition } from '#app/domain/activity/definitions.ts'
import { matchKey, stripUnitSuffix } from './normalize.ts'

export type FileIssueCode = 'empty_file' | 'invalid_encoding' | 'excel_workbook' | 'utf16_without_bom' | 'nul_byte' | 'unsupported_encoding' | 'missing_column' | 'duplicate_column' | 'unknown_column'

/** A problem with the file as a whole. Errors stop the import; warnings are shown with the preview. */
export interface FileIssue {
  severity: 'error' | 'warning'
  code: FileIssueCode
  key: MessageKey
  params: MessageParams
  /** The header cell as the user wrote it, when the issue is about one column. */
  column: string | null
  field: string | null
}

export interface HeaderColumn {
  /** 0-based position in the row. */
  index: number
  /** The header cell as written (trimmed). */
  header: string
  /** The field it maps to; null for an unknown or ignored column. */
  field: string | null
}

export interface HeaderMapping {
  recordCode: RecordCode
  columns: readonly HeaderColumn[]
  /** Column index of each field present in the file. */
  indexOf: Readonly<Record<string, number>>
  issues: readonly FileIssue[]
  /** No errors: rows can be read. */
  ok: boolean
}

// The reason column that rejectedRowsCsv adds; ignored when a corrected file comes back.
const reasonHeaders = new Set((['zh-CN', 'en'] as const).map((locale) => matchKey(translate(locale, 'csv.rejected.reasonColumn'))))

interface HeaderIndex {
  exact: Map<string, string>
  /** Labels without their "(unit)" suffix, where that is still unambiguous. */
  loose: Map<string, string>
  accepted: Map<string, string>
}

const indexes = new WeakMap<RecordDefinition, HeaderIndex>()

function headerIndex(definition: RecordDefinition): HeaderIndex {
  const cached = indexes.get(definition)
  if (cached) return cached
  const exact = new Map<string, string>()
  const loose = new Map<string, string | null>()
  const accepted = new Map<string, string>()
  for (const field of definition.fields) {
    const zh = translate('zh-CN', field.label)
    const en = translate('en', field.label)
    accepted.set(field.code, `${zh} / ${en} / ${field.code}`)
    for (const spelling of [field.code, zh, en, ...(field.headerAliases ?? [])]) {
      const key = matchKey(spelling)
      const existing = exact.get(key)
      if (existing !== undefined && existing !== field.code) {
        throw new Error(`Record ${definition.code}: header "${spelling}" means both ${existing} and ${field.code}`)
      }
      exact.set(key, field.code)
      const stripped = stripUnitSuffix(key)
      if (stripped !== key) {
        const other = loose.get(stripped)
        loose.set(stripped, other === undefined || other === field.code ? field.code : null)
      }
    }
  }
  const unambiguous = new Map<string, string>()
  for (const [key, code] of loose) if (code !== null && !exact.has(key)) unambiguous.set(key, code)
  const index = { exact, loose: unambiguous, accepted }
  indexes.set(definition, index)
  return index
}

/** The field a header cell names, or null. Case, full-width forms, spaces and a "(unit)" suffix do not matter. */
export function fieldForHeader(definition: RecordDefinition, header: string): string | null {
  const { exact, loose } = headerIndex(definition)
  const key = matchKey(header)
  const stripped = stripUnitSuffix(key)
  return exact.get(key) ?? exact.get(stripped) ?? loose.get(key) ?? loose.get(stripped) ?? null
}

/**
 * Map a header row onto a record's fields: any order; Chinese, English or
 * code headers. Unknown columns are a warning; a missing required column or
 * two columns for one field are errors for the whole file.
 */
export function mapHeader(definition: RecordDefinition, headerCells: readonly string[]): HeaderMapping {
  const { accepted } = headerIndex(definition)
  const columns: HeaderColumn[] = []
  const indexOf: Record<string, number> = {}
  const issues: FileIssue[] = []
  headerCells.forEach((cell, index) => {
    const header = cell.replace(/^\uFEFF/, '').trim()
    const field = fieldForHeader(definition, header)
    columns.push({ index, header, field })
    if (field === null) {
      if (!reasonHeaders.has(matchKey(header))) {
        issues.push({
          severity: 'warning',
          code: 'unknown_column',
          key: 'csv.warning.unknownColumn',
          params: { column: header, columnNumber: index + 1 },
          column: header,
          field: null,
        })
      }
      return
    }
    const first = indexOf[field]
    if (first !== undefined) {
      columns[index]!.field = null
      issues.push({
        severity: 'error',
        code: 'duplicate_column',
        key: 'csv.error.duplicateColumn',
        params: { column: header, columnNumber: index + 1, otherColumn: columns[first]!.header, otherColumnNumber: first + 1, field },
        column: header,
        field,
      })
      return
    }
    indexOf[field] = index
  })
  for (const field of definition.fields) {
    if (field.required && indexOf[field.code] === undefined) {
      issues.push({
        severity: 'error',
        code: 'missing_column',
        key: 'csv.error.missingColumn',
        params: { field: field.code, accepted: accepted.get(field.code)! },
        column: null,
        field: field.code,
      })
    }
  }
  return {
    recordCode: definition.code,
    columns,
    indexOf,
    issues,
    ok: !issues.some((issue) => issue.severity === 'error'),
  }
}
