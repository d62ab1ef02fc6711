import Decimal from 'decimal.js'
import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import { translate } from '#app/i18n/index.ts'
import {
  matchKey,
  normalizeNumberText,
  parseDateText,
  parseMonthText,
  stripUnitSuffix,
  toHalfWidth,
} from '#app/domain/csv/normalize.ts'
import type { ActivityContext, FieldIssue, IssueCode } from './context.ts'
import type { RecordDefinition, RecordOf } from './definitions.ts'
import type { EnumDefinition } from './enums.ts'
import type { FieldDefinition } from './fields.ts'

/** Why one value was refused. A class so the per-row path can tell it from a value without wrapping every value. */
export class FieldProblem {
  constructor(
    readonly code: IssueCode,
    readonly key: MessageKey,
    readonly params: MessageParams,
  ) {}
}

const maxCount = 2_147_483_647 // fits a PostgreSQL integer column
const maxIntegerDigits = 12
const asciiCodePattern = /^[A-Za-z0-9_./-]+$/
const codePattern = /^[\p{L}\p{N}_./-]+$/u
const platePattern = /^[\p{Script=Han}A-Z0-9]+$/u
const plateNoise = /[\s·•.\-_]/g
const maxPlateLength = 16

const enumMaps = new WeakMap<EnumDefinition, Map<string, string>>()

/** Every spelling an enum accepts: code, zh and en labels (with and without a "(…)" suffix) and aliases. */
export function enumLookup(definition: EnumDefinition): Map<string, string> {
  let map = enumMaps.get(definition)
  if (map) return map
  map = new Map()
  const add = (spelling: string, option: string) => {
    const key = matchKey(spelling)
    const existing = map!.get(key)
    if (existing !== undefined && existing !== option) {
      throw new Error(`Enum ${definition.name}: "${spelling}" means both ${existing} and ${option}`)
    }
    map!.set(key, option)
    // The spelling as written too, so the per-row path finds common cells without normalising them.
    if (spelling !== key && !map!.has(spelling)) map!.set(spelling, option)
  }
  for (const option of definition.options) {
    add(option, option)
    for (const locale of ['zh-CN', 'en'] as const) {
      const label = translate(locale, (definition.labels as Record<string, MessageKey>)[option]!)
      add(label, option)
      const stripped = stripUnitSuffix(matchKey(label))
      if (stripped !== matchKey(label)) add(stripped, option)
    }
  }
  for (const [spelling, option] of Object.entries(definition.aliases)) add(spelling, option)
  enumMaps.set(definition, map)
  return map
}

function problem(code: IssueCode, key: MessageKey, field: FieldDefinition, value?: string, extra?: MessageParams): FieldProblem {
  const params: MessageParams = { field: field.code }
  if (value !== undefined) params.value = value
  return new FieldProblem(code, key, extra ? { ...params, ...extra } : params)
}

function isSpace(code: number): boolean {
  return code <= 0x20 || code === 0xa0 || code === 0x3000 || code === 0xfeff
}

function isEmpty(raw: string): boolean {
  if (raw.length === 0) return true
  // Most cells start with a non-space: no need to trim them to know they are not blank.
  if (!isSpace(raw.charCodeAt(0))) return false
  return raw.trim().length === 0
}

/**
 * Read one field from what a person typed: a FormData entry or a CSV cell.
 * Returns the typed value (null for an empty optional field) or a FieldProblem.
 */
export function readField(field: FieldDefinition, raw: unknown, ctx: ActivityContext): unknown {
  if (typeof raw !== 'string' || isEmpty(raw)) {
    return field.required ? problem('required', 'activity.error.required', field) : null
  }
  switch (field.kind) {
    case 'count': {
      const number = normalizeNumberText(raw)
      if (!number.ok) {
        return number.code === 'negative'
          ? problem('negative', 'activity.error.negative', field, raw.trim())
          : problem('not_a_number', 'activity.error.notANumber', field, raw.trim())
      }
      let text = number.text
      const point = text.indexOf('.')
      if (point !== -1) {
        if (!/^0*$/.test(text.slice(point + 1))) return problem('not_whole', 'activity.error.notWholeNumber', field, raw.trim())
        text = text.slice(0, point)
      }
      const value = text.length > 10 ? Infinity : Number(text)
      if (value > maxCount) return problem('too_large', 'activity.error.tooLarge', field, raw.trim())
      return value
    }
    case 'decimal': {
      const number = normalizeNumberText(raw)
      if (!number.ok) {
        return number.code === 'negative'
          ? problem('negative', 'activity.error.negative', field, raw.trim())
          : problem('not_a_number', 'activity.error.notANumber', field, raw.trim())
      }
      const point = number.text.indexOf('.')
      const integerDigits = (point === -1 ? number.text : number.text.slice(0, point)).replace(/^0+/, '').length
      if (integerDigits > maxIntegerDigits) return problem('too_large', 'activity.error.tooLarge', field, raw.trim())
      return new Decimal(number.text)
    }
    case 'date': {
      const iso = parseDateText(raw)
      if (iso === null) return problem('invalid_date', 'activity.error.invalidDate', field, raw.trim())
      if (!field.allowFuture && iso > ctx.today) {
        return problem('future_date', 'activity.error.futureDate', field, iso, { today: ctx.today })
      }
      return iso
    }
    case 'month': {
      const month = parseMonthText(raw)
      if (month === null) return problem('invalid_month', 'activity.error.invalidMonth', field, raw.trim())
      if (month > ctx.today.slice(0, 7)) return problem('future_month', 'activity.error.futureMonth', field, month)
      return month
    }
    case 'dateOrMonth': {
      const iso = parseDateText(raw)
      if (iso !== null) {
        if (iso > ctx.today) return problem('future_date', 'activity.error.futureDate', field, iso, { today: ctx.today })
        return iso
      }
      const month = parseMonthText(raw)
      if (month === null) return problem('invalid_date_or_month', 'activity.error.invalidDateOrMonth', field, raw.trim())
      if (month > ctx.today.slice(0, 7)) return problem('future_month', 'activity.error.futureMonth', field, month)
      return month
    }
    case 'enum': {
      if ((field.enum.options as readonly string[]).includes(raw)) return raw
      const lookup = enumLookup(field.enum)
      // A label written exactly as in the catalog (实测) skips the normalising below.
      const option = lookup.get(raw) ?? lookup.get(matchKey(raw))
      if (option === undefined) {
        return problem('invalid_option', 'activity.error.invalidOption', field, raw.trim(), { options: field.enum.name })
      }
      return option
    }
    case 'code': {
      const code = toHalfWidth(raw)
      if (code.length > field.maxLength) return problem('too_long', 'activity.error.tooLong', field, code, { max: field.maxLength })
      if (!asciiCodePattern.test(code) && !codePattern.test(code)) return problem('invalid_code', 'activity.error.invalidCode', field, code)
      return checkReference(field, code, ctx)
    }
    case 'plate': {
      const plate = toHalfWidth(raw).toUpperCase().replace(plateNoise, '')
      if (plate.length > maxPlateLength) return problem('too_long', 'activity.error.tooLong', field, plate, { max: maxPlateLength })
      if (plate.length < 2 || !platePattern.test(plate)) return problem('invalid_code', 'activity.error.invalidCode', field, raw.trim())
      return checkReference(field, plate, ctx)
    }
    case 'text': {
      const text = raw.trim()
      if (text.length > field.maxLength) return problem('too_long', 'activity.error.tooLong', field, undefined, { max: field.maxLength })
      return text
    }
  }
}

function checkReference(field: FieldDefinition & { ref?: string }, value: string, ctx: ActivityContext): unknown {
  const lookups = ctx.lookups
  if (!lookups || !field.ref) return value
  switch (field.ref) {
    case 'outlet':
    case 'site': {
      const lookup = field.ref === 'outlet' ? lookups.outlet : lookups.site
      const found = lookup?.(value)
      if (found === 'unknown') return problem('unknown_outlet', 'activity.error.unknownOutlet', field, value)
      if (found === 'out_of_scope') return problem('outlet_out_of_scope', 'activity.error.outletOutOfScope', field, value)
      return value
    }
    case 'packagingItem': {
      const found = lookups.packagingItem?.(value)
      if (found === false) return problem('unknown_packaging_item', 'activity.error.unknownPackagingItem', field, value)
      return value
    }
    case 'vehicle': {
      const found = lookups.vehicle?.(value)
      if (found === 'unknown') return problem('unknown_vehicle', 'activity.error.unknownVehicle', field, value)
      if (found === 'out_of_scope') return problem('vehicle_out_of_scope', 'activity.error.vehicleOutOfScope', field, value)
      return value
    }
  }
  return value
}

function greater(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b
  return new Decimal(a as Decimal.Value).gt(b as Decimal.Value)
}

const noRules: readonly never[] = []

// Counts are safe integers well below 2^53 (each ≤ 2^31), so their sum is exact as a number.
function sumOf(values: readonly unknown[]): number | Decimal {
  if (values.every((v) => typeof v === 'number')) return (values as number[]).reduce((a, b) => a + b, 0)
  return values.reduce<Decimal>((total, v) => total.plus(v as Decimal.Value), new Decimal(0))
}

function show(value: unknown): string {
  return value instanceof Decimal ? value.toFixed() : String(value)
}

/**
 * The plausibility rules of a record whose fields have been read. `failed`
 * names fields that could not be read: rules touching them are skipped, so one
 * typo gives one error, not three. Issues are appended to `issues`.
 */
export function checkRecord(
  definition: RecordDefinition,
  values: Readonly<Record<string, unknown>>,
  failed: ReadonlySet<string>,
  ctx: ActivityContext,
  issues: FieldIssue[],
): void {
  const before = issues.length
  let exceeded: Set<string> | null = null
  for (const { part, whole } of definition.partOfWhole ?? noRules) {
    if (failed.has(part) || failed.has(whole)) continue
    const partValue = values[part]
    const wholeValue = values[whole]
    if (partValue === null || partValue === undefined) continue
    if (wholeValue === null || wholeValue === undefined) {
      issues.push({ field: part, code: 'part_without_whole', key: 'activity.error.partWithoutWhole', params: { part, whole } })
    } else if (greater(partValue, wholeValue)) {
      ;(exceeded ??= new Set()).add(part)
      issues.push({
        field: part,
        code: 'part_exceeds_whole',
        key: 'activity.error.partExceedsWhole',
        params: { part, whole, partValue: show(partValue), wholeValue: show(wholeValue) },
      })
    }
  }
  for (const { parts, whole } of definition.sumsTo ?? noRules) {
    if (failed.has(whole) || parts.some((part) => failed.has(part) || exceeded?.has(part))) continue
    const wholeValue = values[whole]
    const partValues = parts.map((part) => values[part])
    if (wholeValue === null || wholeValue === undefined || partValues.some((v) => v === null || v === undefined)) continue
    const sum = sumOf(partValues)
    if (typeof sum === 'number' && typeof wholeValue === 'number' ? sum !== wholeValue : !new Decimal(sum).eq(wholeValue as Decimal.Value)) {
      issues.push({
        field: parts[0]!,
        code: 'parts_do_not_add_up',
        key: 'activity.error.partsDoNotAddUp',
        params: { parts: parts.join(','), whole, sum: show(sum), wholeValue: show(wholeValue) },
      })
    }
  }
  for (const { start, end } of definition.dateOrder ?? noRules) {
    if (failed.has(start) || failed.has(end)) continue
    const startValue = values[start]
    const endValue = values[end]
    if (typeof startValue === 'string' && typeof endValue === 'string' && endValue < startValue) {
      issues.push({ field: end, code: 'end_before_start', key: 'activity.error.endBeforeStart', params: { start, end, startValue, endValue } })
    }
  }
  if (definition.check && failed.size === 0 && issues.length === before) {
    definition.check(values, ctx, (field, code, key, params) => issues.push({ field, code, key, params }))
  }
}

export type ValidationResult<R> = { ok: true; record: R } | { ok: false; issues: FieldIssue[] }

/**
 * Validate one record given as field code → text (a form's entries). The same
 * reading and rules as a CSV row; forms go through `recordSchema`, which wraps this.
 */
export function validateValues<D extends RecordDefinition>(
  definition: D,
  input: Readonly<Record<string, unknown>>,
  ctx: ActivityContext,
): ValidationResult<RecordOf<D>> {
  const values: Record<string, unknown> = {}
  const issues: FieldIssue[] = []
  const failed = new Set<string>()
  for (const field of definition.fields) {
    const value = readField(field, input[field.code], ctx)
    if (value instanceof FieldProblem) {
      failed.add(field.code)
      issues.push({ field: field.code, code: value.code, key: value.key, params: value.params })
    } else {
      values[field.code] = value
    }
  }
  checkRecord(definition, values, failed, ctx, issues)
  if (issues.length > 0) return { ok: false, issues }
  return { ok: true, record: values as RecordOf<D> }
}
