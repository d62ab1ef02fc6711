import Decimal from 'decimal.js'
import { z } from 'zod'

/**
 * What a shipper may ask of the footprint API, checked before anything is
 * read: the query of GET /intensities and the body of POST /footprints.
 * Codes are stable (partners program against them); the words come from the
 * catalog (footprints.api.field.*).
 */

/** Parcels in one batch: a day's orders of a mid-sized shop in one call, and a bounded answer (about 1 KB a parcel). */
export const maxBatchParcels = 500
/** A batch of maxBatchParcels parcels is about 60 KB of JSON; twice that is a mistake or an attack. */
export const maxFootprintBodyBytes = 128 * 1024
/** The heaviest express parcel a mass is accepted for (kg); heavier freight is not a parcel. */
export const maxParcelMassKg = 1000
/** Data before this month predates the platform's records: nothing to allocate from. */
export const earliestMonth = '2000-01'

export const footprintFieldCodes = [
  'field_required',
  'field_invalid_type',
  'field_unknown',
  'parcels_empty',
  'parcels_too_many',
  'waybill_no_invalid',
  'waybill_no_duplicate',
  'brand_invalid',
  'brand_unknown',
  'origin_city_invalid',
  'origin_city_unknown',
  'region_invalid',
  'region_unknown',
  'date_invalid',
  'date_in_future',
  'month_invalid',
  'month_in_future',
  'mass_invalid',
] as const
export type FootprintFieldCode = (typeof footprintFieldCodes)[number]

export interface FootprintFieldError {
  /** Dotted path: 'parcels.3.originCity', or the query parameter's name. */
  field: string
  code: FootprintFieldCode
  params?: Record<string, string | number>
}

export interface ParcelRequest {
  waybillNo: string
  brand: string
  /** GB/T 2260 city code. */
  originCity: string
  /** YYYY-MM-DD */
  date: string
  massKg: Decimal | null
}

export interface IntensityQuery {
  brand: string
  /** A city or province code. */
  region: string
  month: string
}

const c = (code: FootprintFieldCode) => code
const required = { required_error: c('field_required'), invalid_type_error: c('field_invalid_type') }

const brandCode = z.string(required).trim().toLowerCase().pipe(z.string().regex(/^[a-z0-9_-]{1,32}$/, c('brand_invalid')))

function isRealDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return false
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

function parcelSchema(today: string) {
  return z
    .object(
      {
        waybillNo: z
          .string(required)
          .transform((value) => value.normalize('NFKC').replace(/\s/g, '').toUpperCase())
          .pipe(z.string().regex(/^[A-Z0-9]{8,30}$/, c('waybill_no_invalid'))),
        brand: brandCode,
        originCity: z
          .string(required)
          .trim()
          .regex(/^\d{4}00$/, c('origin_city_invalid'))
          .refine((code) => !code.endsWith('0000'), c('origin_city_invalid')),
        date: z
          .string(required)
          .trim()
          .refine(isRealDate, c('date_invalid'))
          .refine((date) => date.slice(0, 7) >= earliestMonth, c('date_invalid'))
          .refine((date) => date <= today, c('date_in_future')),
        massKg: z
          .union([z.string(), z.number()], { invalid_type_error: c('mass_invalid') })
          .transform((value, ctx) => {
            const text = String(value).trim()
            if (!/^\d{1,4}(\.\d{1,6})?$/.test(text)) {
              ctx.addIssue({ code: z.ZodIssueCode.custom, message: c('mass_invalid') })
              return z.NEVER
            }
            const mass = new Decimal(text)
            if (mass.lessThanOrEqualTo(0) || mass.greaterThan(maxParcelMassKg)) {
              ctx.addIssue({ code: z.ZodIssueCode.custom, message: c('mass_invalid') })
              return z.NEVER
            }
            return mass
          })
          .nullable()
          .optional(),
      },
      required,
    )
    .strict(c('field_unknown'))
}

function batchSchema(today: string) {
  return z
    .object(
      {
        parcels: z
          .array(parcelSchema(today), required)
          .min(1, c('parcels_empty'))
          .max(maxBatchParcels, c('parcels_too_many')),
      },
      required,
    )
    .strict(c('field_unknown'))
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: 'body_not_json' | 'validation_failed'; errors: FootprintFieldError[] }

function issuesToErrors(issues: readonly z.ZodIssue[]): FootprintFieldError[] {
  const errors: FootprintFieldError[] = []
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const name of issue.keys) errors.push({ field: [...issue.path, name].join('.'), code: 'field_unknown', params: { name } })
      continue
    }
    const code = (footprintFieldCodes as readonly string[]).includes(issue.message) ? (issue.message as FootprintFieldCode) : 'field_invalid_type'
    const params = code === 'parcels_too_many' ? { max: maxBatchParcels } : code === 'mass_invalid' ? { max: maxParcelMassKg } : undefined
    errors.push({ field: issue.path.join('.') || '(body)', code, ...(params ? { params } : {}) })
  }
  return errors
}

/**
 * The body of POST /api/partner/v1/footprints (the raw text, as signed).
 * Every field at fault is reported; a waybill given twice is an error on
 * its second occurrence.
 */
export function parseFootprintBatch(rawBody: string, today: string): ParseResult<ParcelRequest[]> {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    return { ok: false, code: 'body_not_json', errors: [] }
  }
  const parsed = batchSchema(today).safeParse(json)
  if (!parsed.success) return { ok: false, code: 'validation_failed', errors: issuesToErrors(parsed.error.issues) }
  const seen = new Set<string>()
  const errors: FootprintFieldError[] = []
  parsed.data.parcels.forEach((p, i) => {
    if (seen.has(p.waybillNo)) errors.push({ field: `parcels.${i}.waybillNo`, code: 'waybill_no_duplicate' })
    seen.add(p.waybillNo)
  })
  if (errors.length > 0) return { ok: false, code: 'validation_failed', errors }
  return {
    ok: true,
    value: parsed.data.parcels.map((p) => ({ waybillNo: p.waybillNo, brand: p.brand, originCity: p.originCity, date: p.date, massKg: p.massKg ?? null })),
  }
}

/** The query of GET /api/partner/v1/intensities: brand, region (a city or province code) and month, each once. */
export function parseIntensityQuery(params: URLSearchParams, thisMonth: string): ParseResult<IntensityQuery> {
  const errors: FootprintFieldError[] = []
  for (const name of params.keys()) {
    if (!['brand', 'region', 'month'].includes(name)) errors.push({ field: name, code: 'field_unknown', params: { name } })
  }
  const one = (name: string): string | null => {
    const values = params.getAll(name)
    if (values.length === 0 || values[0]!.trim() === '') {
      errors.push({ field: name, code: 'field_required' })
      return null
    }
    if (values.length > 1) {
      errors.push({ field: name, code: 'field_invalid_type' })
      return null
    }
    return values[0]!.trim()
  }
  const brandText = one('brand')
  const region = one('region')
  const month = one('month')
  let brand: string | null = null
  if (brandText !== null) {
    const parsed = brandCode.safeParse(brandText)
    if (parsed.success) brand = parsed.data
    else errors.push({ field: 'brand', code: 'brand_invalid' })
  }
  if (region !== null && !/^\d{2}(?!0000)\d{2}00$|^\d{2}0000$/.test(region)) errors.push({ field: 'region', code: 'region_invalid' })
  if (month !== null) {
    const match = /^(\d{4})-(\d{2})$/.exec(month)
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 12 || month < earliestMonth) errors.push({ field: 'month', code: 'month_invalid' })
    else if (month > thisMonth) errors.push({ field: 'month', code: 'month_in_future' })
  }
  if (errors.length > 0 || brand === null || region === null || month === null) return { ok: false, code: 'validation_failed', errors }
  return { ok: true, value: { brand, region, month } }
}
