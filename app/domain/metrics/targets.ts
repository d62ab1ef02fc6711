import Decimal from 'decimal.js'
import { z } from 'zod'
import { isIsoDate } from '#app/domain/periods/period.ts'
import { getMetric, isMetricCode, type MetricCode } from './definitions.ts'

/**
 * Target sets are policy documents turned into data (factors/targets/*.json).
 * The loader is pure: it takes a file's text and name and returns the set or
 * every error found, each naming the file and the field.
 */

export type Comparison = '>=' | '<=' | '=='

/**
 * - `rate`: pass/fail on the metric's value.
 * - `national_count`: a national total (1 billion parcels); a region shows its
 *   contribution to it, never a pass or fail.
 * - `relative_to_baseline`: the value is a relative change against the scope's
 *   own baseline (-0.1 = 10% below the baseline year).
 */
export type TargetKind = 'rate' | 'national_count' | 'relative_to_baseline'

export interface Target {
  metric: MetricCode
  comparison: Comparison
  value: Decimal
  /** Last day by which the value must be reached, `YYYY-MM-DD`. */
  deadline: string
  kind: TargetKind
  /** Optional remark on how the policy's words were turned into a number. */
  note: string | null
}

export interface TargetSetSource {
  title: string
  issuer: string
  /** Document number (文号), null when the document has none or it could not be checked. */
  number: string | null
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: as precise as could be established. */
  date: string
  url: string | null
  /** What was checked against which source, and what was not. */
  verification: string
}

export interface TargetSet {
  id: string
  name: { zh: string; en: string }
  source: TargetSetSource
  /** GB/T 2260 code; national sets use `000000` (files may write `CN`). */
  region: string
  /** Brand code when the set binds one brand only (a company's own plan), else null. */
  brand: string | null
  targets: Target[]
}

export const nationalRegionCode = '000000'

export interface TargetFileError {
  file: string
  /** Path of the field in the file, e.g. `targets[2].metric`; '' for the whole file. */
  field: string
  key: TargetErrorKey
  /** Always holds `file` and `field` too, so the message can be put in words as is. */
  params: Record<string, string | number>
}

function fileError(
  file: string,
  field: string,
  key: TargetErrorKey,
  params: Record<string, string | number> = {},
): TargetFileError {
  return { file, field, key, params: { ...params, file, field } }
}

export type TargetErrorKey =
  | 'targets.error.invalidJson'
  | 'targets.error.required'
  | 'targets.error.wrongType'
  | 'targets.error.unknownField'
  | 'targets.error.badId'
  | 'targets.error.idMismatch'
  | 'targets.error.duplicateId'
  | 'targets.error.badRegion'
  | 'targets.error.badSourceDate'
  | 'targets.error.badDeadline'
  | 'targets.error.badComparison'
  | 'targets.error.badKind'
  | 'targets.error.badDecimal'
  | 'targets.error.unknownMetric'
  | 'targets.error.ratioOutOfRange'
  | 'targets.error.countNeedsCountMetric'
  | 'targets.error.countValuePositive'
  | 'targets.error.baselineOutOfRange'
  | 'targets.error.noTargets'

const k = (key: TargetErrorKey) => ({ message: key })

const decimalString = z
  .string(k('targets.error.wrongType'))
  .refine((value) => /^-?\d+(\.\d+)?$/.test(value), k('targets.error.badDecimal'))

const localizedText = z
  .object({
    zh: z.string(k('targets.error.wrongType')).min(1, k('targets.error.required')),
    en: z.string(k('targets.error.wrongType')).min(1, k('targets.error.required')),
  })
  .strict()

const fileSchema = z
  .object({
    id: z
      .string(k('targets.error.wrongType'))
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, k('targets.error.badId')),
    name: localizedText,
    source: z
      .object({
        title: z.string(k('targets.error.wrongType')).min(1, k('targets.error.required')),
        issuer: z.string(k('targets.error.wrongType')).min(1, k('targets.error.required')),
        number: z.string(k('targets.error.wrongType')).min(1, k('targets.error.required')).nullable(),
        date: z
          .string(k('targets.error.wrongType'))
          .refine(isSourceDate, k('targets.error.badSourceDate')),
        url: z.string(k('targets.error.wrongType')).url(k('targets.error.wrongType')).nullable(),
        verification: z.string(k('targets.error.wrongType')).min(1, k('targets.error.required')),
      })
      .strict(),
    region: z
      .string(k('targets.error.wrongType'))
      .regex(/^(\d{6}|CN)$/, k('targets.error.badRegion')),
    brand: z.string(k('targets.error.wrongType')).min(1, k('targets.error.required')).nullable(),
    targets: z
      .array(
        z
          .object({
            metric: z.string(k('targets.error.wrongType')),
            comparison: z.enum(['>=', '<=', '=='], k('targets.error.badComparison')),
            value: decimalString,
            deadline: z.string(k('targets.error.wrongType')).refine(isIsoDate, k('targets.error.badDeadline')),
            kind: z.enum(['rate', 'national_count', 'relative_to_baseline'], k('targets.error.badKind')),
            note: z.string(k('targets.error.wrongType')).nullable().optional(),
          })
          .strict(),
        k('targets.error.wrongType'),
      )
      .min(1, k('targets.error.noTargets')),
  })
  .strict()

type TargetFile = z.infer<typeof fileSchema>

export type ParseTargetSetResult =
  | { ok: true; set: TargetSet }
  | { ok: false; errors: TargetFileError[] }

export function parseTargetSetFile(text: string, fileName: string): ParseTargetSetResult {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return {
      ok: false,
      errors: [
        fileError(fileName, '', 'targets.error.invalidJson', {
          detail: error instanceof Error ? error.message : String(error),
        }),
      ],
    }
  }
  const parsed = fileSchema.safeParse(json)
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => toFileError(fileName, issue)) }
  }
  const errors = checkMeaning(parsed.data, fileName)
  if (errors.length > 0) return { ok: false, errors }
  return { ok: true, set: toTargetSet(parsed.data) }
}

export type LoadTargetSetsResult =
  | { ok: true; sets: TargetSet[] }
  | { ok: false; errors: TargetFileError[]; sets: TargetSet[] }

/**
 * Loads several files, reporting every error of every file (never rejecting
 * the lot at the first), plus ids used twice. `sets` holds the valid ones.
 */
export function loadTargetSets(files: readonly { name: string; text: string }[]): LoadTargetSetsResult {
  const sets: TargetSet[] = []
  const errors: TargetFileError[] = []
  const seen = new Map<string, string>()
  for (const file of files) {
    const result = parseTargetSetFile(file.text, file.name)
    if (!result.ok) {
      errors.push(...result.errors)
      continue
    }
    const earlier = seen.get(result.set.id)
    if (earlier !== undefined) {
      errors.push(fileError(file.name, 'id', 'targets.error.duplicateId', { id: result.set.id, otherFile: earlier }))
      continue
    }
    seen.set(result.set.id, file.name)
    sets.push(result.set)
  }
  return errors.length > 0 ? { ok: false, errors, sets } : { ok: true, sets }
}

function checkMeaning(data: TargetFile, fileName: string): TargetFileError[] {
  const errors: TargetFileError[] = []
  const push = (field: string, key: TargetErrorKey, params: Record<string, string | number> = {}) =>
    errors.push(fileError(fileName, field, key, params))

  // The id names the file, so that an admin finds the file of a set shown on screen.
  const baseName = fileName.replace(/^.*[\\/]/, '').replace(/\.json$/, '')
  if (baseName !== data.id) push('id', 'targets.error.idMismatch', { id: data.id, expected: baseName })

  data.targets.forEach((target, index) => {
    const at = (field: string) => `targets[${index}].${field}`
    if (!isMetricCode(target.metric)) {
      push(at('metric'), 'targets.error.unknownMetric', { metric: target.metric })
      return
    }
    const metric = getMetric(target.metric)
    const value = new Decimal(target.value)
    if (target.kind === 'rate' && metric.kind === 'ratio' && (value.lt(0) || value.gt(1))) {
      push(at('value'), 'targets.error.ratioOutOfRange', { value: target.value })
    }
    if (target.kind === 'national_count') {
      if (metric.kind !== 'count') push(at('kind'), 'targets.error.countNeedsCountMetric', { metric: target.metric })
      if (!value.gt(0)) push(at('value'), 'targets.error.countValuePositive', { value: target.value })
    }
    // A relative change below -100% would mean a negative figure.
    if (target.kind === 'relative_to_baseline' && value.lt(-1)) {
      push(at('value'), 'targets.error.baselineOutOfRange', { value: target.value })
    }
  })
  return errors
}

function toTargetSet(data: TargetFile): TargetSet {
  return {
    id: data.id,
    name: data.name,
    source: data.source,
    region: data.region === 'CN' ? nationalRegionCode : data.region,
    brand: data.brand,
    targets: data.targets.map((target) => ({
      metric: target.metric as MetricCode,
      comparison: target.comparison,
      value: new Decimal(target.value),
      deadline: target.deadline,
      kind: target.kind,
      note: target.note ?? null,
    })),
  }
}

function toFileError(fileName: string, issue: z.ZodIssue): TargetFileError {
  const field = formatPath(issue.path)
  if (issue.code === 'unrecognized_keys') {
    return fileError(fileName, field, 'targets.error.unknownField', { fields: issue.keys.join(', ') })
  }
  if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    return fileError(fileName, field, 'targets.error.required')
  }
  return fileError(fileName, field, isTargetErrorKey(issue.message) ? issue.message : 'targets.error.wrongType')
}

const errorKeys = new Set<string>([
  'targets.error.invalidJson',
  'targets.error.required',
  'targets.error.wrongType',
  'targets.error.unknownField',
  'targets.error.badId',
  'targets.error.idMismatch',
  'targets.error.duplicateId',
  'targets.error.badRegion',
  'targets.error.badSourceDate',
  'targets.error.badDeadline',
  'targets.error.badComparison',
  'targets.error.badKind',
  'targets.error.badDecimal',
  'targets.error.unknownMetric',
  'targets.error.ratioOutOfRange',
  'targets.error.countNeedsCountMetric',
  'targets.error.countValuePositive',
  'targets.error.baselineOutOfRange',
  'targets.error.noTargets',
] satisfies TargetErrorKey[])

function isTargetErrorKey(value: string): value is TargetErrorKey {
  return errorKeys.has(value)
}

function formatPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  )
}

function isSourceDate(value: string): boolean {
  if (/^\d{4}$/.test(value)) return true
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) return true
  return isIsoDate(value)
}
