import Decimal from 'decimal.js'
import Papa from 'papaparse'
import { z } from 'zod'
import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import { canonicalFactorSetContent, checkPublishedIntegrity, sha256Hex } from './content-hash.ts'
import { factorLoadError, type FactorLoadError } from './errors.ts'
import { buildFactorSet, type FactorSet } from './factor-set.ts'
import {
  activityUnitOf,
  BOUNDARIES,
  DATA_QUALITY_TIERS,
  FACTOR_UNITS,
  GHG_SCOPES,
  GRID_REGIONS,
  NATIONAL_REGION,
  SET_STATUSES,
  VERIFIED_STATES,
  type Boundary,
  type DataQualityTier,
  type EmissionFactor,
  type FactorSetFiles,
  type FactorSetMeta,
  type FactorUnit,
  type GhgScope,
  type GridRegion,
  type GridRegionRow,
  type RegionLevel,
  type VerifiedState,
} from './types.ts'

export type LoadFactorSetResult =
  | { ok: true; set: FactorSet }
  | { ok: false; errors: FactorLoadError[] }

export const FACTOR_COLUMNS = [
  'id',
  'quantity',
  'boundary',
  'value',
  'unit',
  'region',
  'valid_from_year',
  'valid_to_year',
  'release_year',
  'ghg_scope',
  'data_quality',
  'source_document',
  'source_table',
  'source_page',
  'verified',
  'verification_note',
  'note',
] as const

export const GRID_REGION_COLUMNS = ['code', 'name_zh', 'name_en', 'grid', 'note'] as const

const ID_PATTERN = /^[a-z0-9][a-z0-9._:-]*$/
const DECIMAL_PATTERN = /^\d+(\.\d+)?$/
const NEGATIVE_PATTERN = /^-\d+(\.\d+)?$/
const YEAR_PATTERN = /^\d{4}$/
const MIN_YEAR = 1990
const MAX_YEAR = 2100

const setJsonSchema = z.object({
  version: z.string().regex(/^\d{4}\.\d+$/, 'a version like 2026.1'),
  releaseDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-11-22'),
  status: z.enum(SET_STATUSES),
  title: z.object({ zh: z.string().min(1), en: z.string().min(1) }),
  notes: z.object({ zh: z.string(), en: z.string() }).default({ zh: '', en: '' }),
  contentSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits')
    .nullable()
    .default(null),
})

/**
 * Parse and validate one factor set from the text of its three files. Every
 * problem is collected (not just the first), each naming file, row and field;
 * any problem refuses the whole set, because a factor set is used as a whole
 * and a half-loaded one would give figures nobody can reproduce.
 */
export function loadFactorSet(files: FactorSetFiles): LoadFactorSetResult {
  const errors: FactorLoadError[] = []
  const meta = parseSetJson(files.setJson.name, files.setJson.text, errors)
  const gridRegions = parseGridRegions(files.gridRegionsCsv.name, files.gridRegionsCsv.text, errors)
  const provinceCodes = new Set(
    gridRegions.filter((r) => r.code.endsWith('0000')).map((r) => r.code),
  )
  const factors = parseFactors(files.factorsCsv.name, files.factorsCsv.text, provinceCodes, errors)
  if (errors.length > 0 || meta === null) return { ok: false, errors }

  const contentSha256 = sha256Hex(canonicalFactorSetContent(meta, factors, gridRegions))
  if (meta.contentSha256 !== null) {
    const integrity = checkPublishedIntegrity(
      { version: meta.version, contentSha256 },
      meta.contentSha256,
      files.setJson.name,
    )
    if (!integrity.ok) return { ok: false, errors: [integrity.error] }
  }
  return { ok: true, set: buildFactorSet(meta, factors, gridRegions, contentSha256) }
}

function parseSetJson(file: string, text: string, errors: FactorLoadError[]): FactorSetMeta | null {
  if (text.trim() === '') {
    errors.push(factorLoadError(file, null, null, 'factors.error.fileEmpty'))
    return null
  }
  let json: unknown
  try {
    json = JSON.parse(stripBom(text))
  } catch (e) {
    errors.push(
      factorLoadError(file, null, null, 'factors.error.invalidJson', {
        detail: e instanceof Error ? e.message : String(e),
      }),
    )
    return null
  }
  const parsed = setJsonSchema.safeParse(json)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push(
        factorLoadError(file, null, issue.path.join('.') || '(root)', 'factors.error.setField', {
          detail: issue.message,
        }),
      )
    }
    return null
  }
  return parsed.data
}

interface CsvRecord {
  row: number
  cells: Record<string, string>
}

/**
 * Rows are numbered as a spreadsheet shows them: the header is row 1 and each
 * record is one row, even if a quoted cell spans several lines.
 */
function parseCsv(
  file: string,
  text: string,
  columns: readonly string[],
  errors: FactorLoadError[],
): CsvRecord[] {
  const body = stripBom(text)
  if (body.trim() === '') {
    errors.push(factorLoadError(file, null, null, 'factors.error.fileEmpty'))
    return []
  }
  const parsed = Papa.parse<string[]>(body, { skipEmptyLines: false })
  const rows = parsed.data
  const syntaxRows = new Set<number>()
  for (const e of parsed.errors) {
    const row = (e.row ?? 0) + 1
    syntaxRows.add(row)
    errors.push(factorLoadError(file, row, null, 'factors.error.csvSyntax', { detail: e.message }))
  }
  const header = (rows[0] ?? []).map((h) => h.trim())
  let headerOk = true
  for (const column of columns) {
    if (!header.includes(column)) {
      errors.push(factorLoadError(file, 1, column, 'factors.error.missingColumn'))
      headerOk = false
    }
  }
  for (const column of header) {
    if (!columns.includes(column)) {
      errors.push(factorLoadError(file, 1, column, 'factors.error.unknownColumn'))
      headerOk = false
    }
  }
  if (!headerOk) return []

  const records: CsvRecord[] = []
  for (let i = 1; i < rows.length; i++) {
    const cells = rows[i] as string[]
    const row = i + 1
    if (cells.every((c) => c.trim() === '')) continue
    if (syntaxRows.has(row)) continue
    if (cells.length !== header.length) {
      errors.push(
        factorLoadError(file, row, null, 'factors.error.csvSyntax', {
          detail: `expected ${header.length} cells, found ${cells.length}`,
        }),
      )
      continue
    }
    const record: Record<string, string> = {}
    header.forEach((name, c) => {
      record[name] = (cells[c] ?? '').trim()
    })
    records.push({ row, cells: record })
  }
  if (records.length === 0 && errors.length === 0) {
    errors.push(factorLoadError(file, null, null, 'factors.error.noRows'))
  }
  return records
}

function parseGridRegions(file: string, text: string, errors: FactorLoadError[]): GridRegionRow[] {
  const records = parseCsv(file, text, GRID_REGION_COLUMNS, errors)
  const result: GridRegionRow[] = []
  const firstRow = new Map<string, number>()
  for (const { row, cells } of records) {
    const err = (field: string, key: MessageKey, params: MessageParams = {}) =>
      errors.push(factorLoadError(file, row, field, key, params))
    const code = cells.code as string
    let ok = true
    if (!/^\d{6}$/.test(code)) {
      err('code', 'factors.error.badRegionCode', { value: code })
      ok = false
    } else if (firstRow.has(code)) {
      err('code', 'factors.error.duplicateRegion', { value: code, firstRow: firstRow.get(code) as number })
      ok = false
    } else {
      firstRow.set(code, row)
    }
    for (const field of ['name_zh', 'name_en'] as const) {
      if (cells[field] === '') {
        err(field, 'factors.error.required')
        ok = false
      }
    }
    const grid = cells.grid as string
    if (!(GRID_REGIONS as readonly string[]).includes(grid)) {
      err('grid', 'factors.error.unknownValue', { value: grid, allowed: GRID_REGIONS.join(', ') })
      ok = false
    }
    if (ok) {
      result.push({
        code,
        name: { zh: cells.name_zh as string, en: cells.name_en as string },
        grid: grid as GridRegion,
        note: cells.note as string,
        row,
      })
    }
  }
  // A city row only refines its province; a city without its province would leave the rest of the province unmapped.
  for (const r of result) {
    const province = `${r.code.slice(0, 2)}0000`
    if (r.code !== province && !firstRow.has(province)) {
      errors.push(
        factorLoadError(file, r.row, 'code', 'factors.error.cityWithoutProvince', {
          value: r.code,
          province,
        }),
      )
    }
  }
  return result
}

function parseFactors(
  file: string,
  text: string,
  provinceCodes: ReadonlySet<string>,
  errors: FactorLoadError[],
): EmissionFactor[] {
  const records = parseCsv(file, text, FACTOR_COLUMNS, errors)
  const factors: EmissionFactor[] = []
  const idRows = new Map<string, number>()

  for (const { row, cells } of records) {
    let ok = true
    const err = (field: string, key: MessageKey, params: MessageParams = {}) => {
      errors.push(factorLoadError(file, row, field, key, params))
      ok = false
    }
    const get = (field: (typeof FACTOR_COLUMNS)[number]) => cells[field] as string
    const required = (field: (typeof FACTOR_COLUMNS)[number]): string | null => {
      const v = get(field)
      if (v === '') {
        err(field, 'factors.error.required')
        return null
      }
      return v
    }
    const oneOf = <T extends string | number>(
      field: (typeof FACTOR_COLUMNS)[number],
      allowed: readonly T[],
      key: MessageKey = 'factors.error.unknownValue',
    ): T | null => {
      const v = required(field)
      if (v === null) return null
      const match = allowed.find((a) => String(a) === v)
      if (match === undefined) {
        err(field, key, { value: v, allowed: allowed.join(', ') })
        return null
      }
      return match
    }
    const year = (field: (typeof FACTOR_COLUMNS)[number], optional = false): number | null => {
      const v = get(field)
      if (v === '') {
        if (!optional) err(field, 'factors.error.required')
        return null
      }
      const n = YEAR_PATTERN.test(v) ? Number(v) : NaN
      if (!(n >= MIN_YEAR && n <= MAX_YEAR)) {
        err(field, 'factors.error.badYear', { value: v })
        return null
      }
      return n
    }

    const id = required('id')
    if (id !== null) {
      if (!ID_PATTERN.test(id)) err('id', 'factors.error.badId', { value: id })
      else if (idRows.has(id))
        err('id', 'factors.error.duplicateId', { value: id, firstRow: idRows.get(id) as number })
      else idRows.set(id, row)
    }
    const quantity = required('quantity')
    if (quantity !== null && !ID_PATTERN.test(quantity))
      err('quantity', 'factors.error.badQuantity', { value: quantity })
    const boundary = oneOf<Boundary>('boundary', BOUNDARIES, 'factors.error.unknownBoundary')

    let value: Decimal | null = null
    const rawValue = required('value')
    if (rawValue !== null) {
      // Parsed from the string so that 0.1073 stays exactly 0.1073.
      if (DECIMAL_PATTERN.test(rawValue)) value = new Decimal(rawValue)
      else if (NEGATIVE_PATTERN.test(rawValue)) err('value', 'factors.error.negative', { value: rawValue })
      else err('value', 'factors.error.notANumber', { value: rawValue })
    }

    const unit = oneOf<FactorUnit>('unit', FACTOR_UNITS, 'factors.error.unknownUnit')

    let region: string | null = required('region')
    let regionLevel: RegionLevel = 'national'
    if (region !== null) {
      if (region === NATIONAL_REGION) regionLevel = 'national'
      else if (region.startsWith('grid:')) {
        regionLevel = 'grid'
        if (!(GRID_REGIONS as readonly string[]).includes(region.slice(5))) {
          err('region', 'factors.error.badRegion', { value: region })
          region = null
        }
      } else if (/^\d{2}0000$/.test(region)) {
        regionLevel = 'province'
        if (!provinceCodes.has(region)) {
          err('region', 'factors.error.unknownProvince', { value: region })
          region = null
        }
      } else {
        err('region', 'factors.error.badRegion', { value: region })
        region = null
      }
    }

    const validFromYear = year('valid_from_year')
    const validToYear = year('valid_to_year', true)
    if (validFromYear !== null && validToYear !== null && validFromYear > validToYear)
      err('valid_to_year', 'factors.error.yearOrder', { from: validFromYear, to: validToYear })
    const releaseYear = year('release_year')
    const ghgScope = oneOf<GhgScope>('ghg_scope', GHG_SCOPES)
    const dataQuality = oneOf<DataQualityTier>('data_quality', DATA_QUALITY_TIERS)
    const sourceDocument = get('source_document')
    if (sourceDocument === '') err('source_document', 'factors.error.missingSource')
    const verified = oneOf<VerifiedState>('verified', VERIFIED_STATES)

    if (
      !ok ||
      id === null ||
      quantity === null ||
      boundary === null ||
      value === null ||
      unit === null ||
      region === null ||
      validFromYear === null ||
      releaseYear === null ||
      ghgScope === null ||
      dataQuality === null ||
      verified === null
    )
      continue

    factors.push({
      id,
      quantity,
      boundary,
      value,
      unit,
      per: activityUnitOf(unit),
      region,
      regionLevel,
      validFromYear,
      validToYear,
      releaseYear,
      ghgScope,
      dataQuality,
      source: { document: sourceDocument, table: get('source_table'), page: get('source_page') },
      verified,
      verificationNote: get('verification_note'),
      note: get('note'),
      row,
    })
  }

  checkOverlaps(file, factors, errors)
  return factors
}

/** Two factors for the same quantity, boundary, activity unit and region must not cover the same year. */
function checkOverlaps(file: string, factors: EmissionFactor[], errors: FactorLoadError[]) {
  const slots = new Map<string, EmissionFactor[]>()
  for (const f of factors) {
    const slot = `${f.quantity}|${f.boundary}|${f.per}|${f.region}`
    const list = slots.get(slot)
    if (list) list.push(f)
    else slots.set(slot, [f])
  }
  for (const list of slots.values()) {
    list.sort((a, b) => a.validFromYear - b.validFromYear || a.row - b.row)
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1] as EmissionFactor
      const cur = list[i] as EmissionFactor
      if (prev.validToYear === null || prev.validToYear >= cur.validFromYear) {
        errors.push(
          factorLoadError(file, cur.row, 'valid_from_year', 'factors.error.overlap', {
            value: cur.id,
            otherId: prev.id,
            otherRow: prev.row,
          }),
        )
      }
    }
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}
