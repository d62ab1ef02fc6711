import Decimal from 'decimal.js'
import { z } from 'zod'
import type { MessageKey } from '#app/i18n/index.ts'
import { creditActions, isIsoDate, type CreditAction, type IsoDate } from './actions.ts'
import type { RuleFileError } from './errors.ts'

export const ruleSetStatuses = ['draft', 'published', 'retired'] as const
export type RuleSetStatus = (typeof ruleSetStatuses)[number]

/** How a fractional number of points becomes a whole number. */
export const pointsRoundings = ['floor', 'half_up'] as const
export type PointsRounding = (typeof pointsRoundings)[number]

export interface CreditActionRule {
  pointsPerGram: Decimal
  rounding: PointsRounding
  /** Most points one consumer may earn for this action on one China calendar day. */
  dailyCapPoints: Decimal
  /** Most items (cartons, boxes, parcels) one award may cover; null = no limit. */
  maxQuantityPerAward: number | null
}

/**
 * When earned points stop being spendable. `expiryDate` returns the last day
 * on which they still count.
 *  - end_of_year: valid to 31 December of the earning year + yearsAfterEarning
 *  - days_after_earning: valid to earnedOn + days
 */
export type ExpiryRule =
  | { rule: 'end_of_year'; yearsAfterEarning: number }
  | { rule: 'days_after_earning'; days: number }

export interface RuleSetReference {
  title: string
  publisher?: string
  date?: string
  url?: string
}

export interface RuleSetSource {
  summary: string
  verified: string
  notVerified: string
  references: RuleSetReference[]
}

export interface CreditRuleSet {
  version: string
  status: RuleSetStatus
  effectiveFrom: IsoDate
  expiry: ExpiryRule
  /** An action missing here earns nothing under this set. */
  actions: Partial<Record<CreditAction, CreditActionRule>>
  source: RuleSetSource
  /** The file it was loaded from, for error messages and audit. */
  fileName: string
}

// Zod messages carry the message key; parseCreditRuleSet turns issues into RuleFileErrors.
const k = (key: MessageKey) => key
const required = { required_error: k('credits.rules.error.required'), invalid_type_error: k('credits.rules.error.wrongType') }

const text = z.string(required).trim().min(1, k('credits.rules.error.required'))

// Decimals are JSON strings: a JSON number would pass through a float first.
const positiveDecimalText = z
  .string({ ...required, invalid_type_error: k('credits.rules.error.decimalAsString') })
  .superRefine((value, ctx) => {
    if (!/^\d+(\.\d+)?$/.test(value)) ctx.addIssue({ code: 'custom', message: k('credits.rules.error.decimalInvalid') })
    else if (!new Decimal(value).gt(0)) ctx.addIssue({ code: 'custom', message: k('credits.rules.error.mustBePositive') })
  })

const wholeNumber = z
  .number(required)
  .int(k('credits.rules.error.wholeNumber'))

const actionRuleSchema = z
  .object({
    pointsPerGram: positiveDecimalText,
    rounding: z.enum(pointsRoundings, { errorMap: () => ({ message: k('credits.rules.error.roundingInvalid') }) }),
    dailyCapPoints: wholeNumber.positive(k('credits.rules.error.mustBePositive')),
    maxQuantityPerAward: wholeNumber.positive(k('credits.rules.error.mustBePositive')).nullable(),
  })
  .strict(k('credits.rules.error.unknownField'))

const expirySchema = z.discriminatedUnion(
  'rule',
  [
    z.object({ rule: z.literal('end_of_year'), yearsAfterEarning: wholeNumber.min(0, k('credits.rules.error.mustNotBeNegative')).max(10, k('credits.rules.error.expiryTooLong')) }).strict(k('credits.rules.error.unknownField')),
    z.object({ rule: z.literal('days_after_earning'), days: wholeNumber.positive(k('credits.rules.error.mustBePositive')).max(3660, k('credits.rules.error.expiryTooLong')) }).strict(k('credits.rules.error.unknownField')),
  ],
  { errorMap: () => ({ message: k('credits.rules.error.expiryRuleInvalid') }) },
)

const referenceSchema = z
  .object({
    title: text,
    publisher: text.optional(),
    date: text.optional(),
    url: z.string(required).url(k('credits.rules.error.urlInvalid')).optional(),
  })
  .strict(k('credits.rules.error.unknownField'))

const ruleSetSchema = z
  .object({
    version: z.string(required).regex(/^\d{4}\.\d{1,3}$/, k('credits.rules.error.versionInvalid')),
    status: z.enum(ruleSetStatuses, { errorMap: () => ({ message: k('credits.rules.error.statusInvalid') }) }),
    effectiveFrom: z.string(required).refine(isIsoDate, k('credits.rules.error.dateInvalid')),
    expiry: expirySchema,
    source: z
      .object({
        summary: text,
        verified: text,
        notVerified: text,
        references: z.array(referenceSchema, required).min(1, k('credits.rules.error.referenceRequired')),
      })
      .strict(k('credits.rules.error.unknownField')),
    actions: z
      .record(
        z.string().refine((name) => (creditActions as readonly string[]).includes(name), k('credits.rules.error.unknownAction')),
        actionRuleSchema,
        required,
      )
      .refine((actions) => Object.keys(actions).length > 0, k('credits.rules.error.noActions')),
  })
  .strict(k('credits.rules.error.unknownField'))

export type ParseRuleSetResult = { ok: true; ruleSet: CreditRuleSet } | { ok: false; errors: RuleFileError[] }

/**
 * Parse and validate one credit rule file (e.g. factors/credit-rules/2024.1.json).
 * Pure: the caller reads the file. Every problem is reported, each naming the
 * file and the field, so an admin can fix the file in one pass.
 */
export function parseCreditRuleSet(fileText: string, fileName: string): ParseRuleSetResult {
  const file = baseName(fileName)
  let json: unknown
  try {
    json = JSON.parse(fileText.replace(/^\uFEFF/, ''))
  } catch (error) {
    return {
      ok: false,
      errors: [{ file, field: '', key: 'credits.rules.error.notJson', params: { detail: (error as Error).message } }],
    }
  }

  const parsed = ruleSetSchema.safeParse(json)
  if (!parsed.success) {
    const errors: RuleFileError[] = []
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const name of issue.keys) {
          errors.push({ file, field: [...issue.path, name].join('.'), key: 'credits.rules.error.unknownField', params: { name } })
        }
        continue
      }
      const key = toKey(issue.message)
      const field = issue.path.join('.')
      if (key === 'credits.rules.error.unknownAction') {
        errors.push({ file, field, key, params: { name: String(issue.path.at(-1)) } })
      } else errors.push({ file, field, key })
    }
    return { ok: false, errors }
  }

  const data = parsed.data
  if (file !== `${data.version}.json`) {
    return {
      ok: false,
      errors: [{ file, field: 'version', key: 'credits.rules.error.fileNameMismatch', params: { version: data.version } }],
    }
  }

  const actions: Partial<Record<CreditAction, CreditActionRule>> = {}
  for (const [name, rule] of Object.entries(data.actions)) {
    actions[name as CreditAction] = {
      pointsPerGram: new Decimal(rule.pointsPerGram),
      rounding: rule.rounding,
      dailyCapPoints: new Decimal(rule.dailyCapPoints),
      maxQuantityPerAward: rule.maxQuantityPerAward,
    }
  }
  return {
    ok: true,
    ruleSet: {
      version: data.version,
      status: data.status,
      effectiveFrom: data.effectiveFrom,
      expiry: data.expiry,
      actions,
      source: data.source,
      fileName: file,
    },
  }
}

/**
 * Checks across all rule files: versions are unique, and no two published
 * sets start on the same day (which one would be in force would be a guess).
 */
export function checkCreditRuleSets(ruleSets: readonly CreditRuleSet[]): RuleFileError[] {
  const errors: RuleFileError[] = []
  const byVersion = new Map<string, CreditRuleSet>()
  const publishedByDate = new Map<string, CreditRuleSet>()
  for (const set of ruleSets) {
    const other = byVersion.get(set.version)
    if (other) {
      errors.push({ file: set.fileName, field: 'version', key: 'credits.rules.error.duplicateVersion', params: { version: set.version, other: other.fileName } })
    } else byVersion.set(set.version, set)
    if (set.status !== 'published') continue
    const sameDay = publishedByDate.get(set.effectiveFrom)
    if (sameDay) {
      errors.push({ file: set.fileName, field: 'effectiveFrom', key: 'credits.rules.error.sameEffectiveDate', params: { date: set.effectiveFrom, other: sameDay.fileName } })
    } else publishedByDate.set(set.effectiveFrom, set)
  }
  return errors
}

/**
 * The rule set that governs an action done on `on` (a China calendar day):
 * the published set with the latest effectiveFrom not after that day. Drafts
 * are not yet in force and retired sets are withdrawn; both stay on file so
 * that past awards can still name the set that made them.
 */
export function ruleSetInForce(ruleSets: readonly CreditRuleSet[], on: IsoDate): CreditRuleSet | null {
  let best: CreditRuleSet | null = null
  for (const set of ruleSets) {
    if (set.status !== 'published' || set.effectiveFrom > on) continue
    if (!best || set.effectiveFrom > best.effectiveFrom) best = set
  }
  return best
}

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName
}

function toKey(message: string): MessageKey {
  // Every message in the schema above is a key; zod's own defaults are not.
  return message.startsWith('credits.') ? (message as MessageKey) : 'credits.rules.error.wrongType'
}
