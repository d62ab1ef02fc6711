import { z } from 'zod'
import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import { chinaDay, partnerActions, type IsoDate, type PartnerAction } from './actions.ts'
import { normalisePhone, parseMemberCode, type ConsumerIdentifier } from './identity.ts'

/**
 * Every error the partner API answers with: a stable machine code (what
 * partners program against), the HTTP status and the message key for the
 * words. Routes answer { error: { code, message, fields? } }.
 */
export const partnerApiErrors = {
  body_not_json: { status: 400, key: 'credits.api.bodyNotJson' },
  validation_failed: { status: 422, key: 'credits.api.validationFailed' },
  key_missing: { status: 401, key: 'credits.api.keyMissing' },
  key_unknown: { status: 401, key: 'credits.api.keyUnknown' },
  key_revoked: { status: 401, key: 'credits.api.keyRevoked' },
  signature_missing: { status: 401, key: 'credits.api.signatureMissing' },
  signature_invalid: { status: 401, key: 'credits.api.signatureInvalid' },
  timestamp_invalid: { status: 401, key: 'credits.api.timestampInvalid' },
  timestamp_stale: { status: 401, key: 'credits.api.timestampStale' },
  request_replayed: { status: 409, key: 'credits.api.requestReplayed' },
  idempotency_key_missing: { status: 400, key: 'credits.api.idempotencyKeyMissing' },
  idempotency_key_invalid: { status: 400, key: 'credits.api.idempotencyKeyInvalid' },
  idempotency_key_reused: { status: 422, key: 'credits.api.idempotencyKeyReused' },
  already_awarded: { status: 409, key: 'credits.api.alreadyAwarded' },
  consumer_not_found: { status: 404, key: 'credits.api.consumerNotFound' },
  action_not_rewarded: { status: 422, key: 'credits.api.actionNotRewarded' },
  quantity_too_large: { status: 422, key: 'credits.api.quantityTooLarge' },
  rate_limited: { status: 429, key: 'credits.api.rateLimited' },
  internal_error: { status: 500, key: 'credits.api.internalError' },
} as const satisfies Record<string, { status: number; key: MessageKey }>
export type PartnerApiErrorCode = keyof typeof partnerApiErrors

/** Field-level codes inside a validation_failed answer. */
export const partnerFieldErrors = {
  field_required: 'credits.api.field.required',
  field_invalid_type: 'credits.api.field.invalidType',
  field_unknown: 'credits.api.field.unknown',
  partner_order_id_invalid: 'credits.api.field.partnerOrderIdInvalid',
  waybill_no_invalid: 'credits.api.field.waybillNoInvalid',
  consumer_missing: 'credits.api.field.consumerMissing',
  consumer_ambiguous: 'credits.api.field.consumerAmbiguous',
  member_code_invalid: 'credits.error.memberCodeInvalid',
  member_code_mistyped: 'credits.error.memberCodeMistyped',
  phone_invalid: 'credits.error.phoneInvalid',
  action_invalid: 'credits.api.field.actionInvalid',
  quantity_invalid: 'credits.api.field.quantityInvalid',
  occurred_at_invalid: 'credits.api.field.occurredAtInvalid',
  occurred_at_in_future: 'credits.api.field.occurredAtInFuture',
  occurred_at_too_old: 'credits.api.field.occurredAtTooOld',
} as const satisfies Record<string, MessageKey>
export type PartnerFieldErrorCode = keyof typeof partnerFieldErrors

export interface ApiFieldError {
  /** Dotted path in the JSON body: 'consumer.phone', 'occurredAt'. */
  field: string
  code: PartnerFieldErrorCode
  key: MessageKey
  params?: MessageParams
}

export interface PartnerActionRequest {
  partnerOrderId: string
  /** Upper-case, no spaces. */
  waybillNo: string
  consumer: ConsumerIdentifier
  action: PartnerAction
  quantity: number
  occurredAt: Date
  /** China calendar day of occurredAt: picks the rule set, the daily cap and the expiry. */
  occurredOn: IsoDate
}

export interface PartnerRequestOptions {
  now: Date
  /** How far ahead of the server clock occurredAt may be. */
  clockSkewSeconds?: number
  /** Older actions are refused: their points would be awarded under a stale day's cap. */
  maxAgeDays?: number
}

const c = (code: PartnerFieldErrorCode) => code
const required = { required_error: c('field_required'), invalid_type_error: c('field_invalid_type') }

function timeWindow({ now, clockSkewSeconds = 300, maxAgeDays = 30 }: PartnerRequestOptions) {
  return { latestMs: now.getTime() + clockSkewSeconds * 1000, earliestMs: now.getTime() - maxAgeDays * 24 * 60 * 60 * 1000 }
}

/**
 * The schema is built once (building it is most of a parse's cost), and its
 * time-window refinements read the window of the parse under way: safeParse
 * is synchronous, so nothing else runs between setting it and reading it.
 */
let parseWindow = { latestMs: 0, earliestMs: 0 }

const requestSchema = buildRequestSchema()

function buildRequestSchema() {
  return z
    .object({
      partnerOrderId: z
        .string(required)
        .trim()
        .regex(/^[\x21-\x7e]{1,64}$/, c('partner_order_id_invalid')),
      waybillNo: z
        .string(required)
        .transform((value) => value.normalize('NFKC').replace(/\s/g, '').toUpperCase())
        .pipe(z.string().regex(/^[A-Z0-9]{8,30}$/, c('waybill_no_invalid'))),
      consumer: z
        .object({ memberCode: z.string(required).optional(), phone: z.string(required).optional() }, required)
        .strict(c('field_unknown')),
      action: z.enum(partnerActions, {
        errorMap: (_issue, ctx) => ({ message: ctx.data === undefined ? c('field_required') : c('action_invalid') }),
      }),
      quantity: z
        .number({ invalid_type_error: c('quantity_invalid') })
        .int(c('quantity_invalid'))
        .min(1, c('quantity_invalid'))
        .max(1000, c('quantity_invalid'))
        .default(1),
      occurredAt: z
        .string(required)
        .datetime({ offset: true, message: c('occurred_at_invalid') })
        .transform((value) => new Date(value))
        .refine((date) => date.getTime() <= parseWindow.latestMs, c('occurred_at_in_future'))
        .refine((date) => date.getTime() >= parseWindow.earliestMs, c('occurred_at_too_old')),
    }, required)
    .strict(c('field_unknown'))
}

export type ParsePartnerRequestResult =
  | { ok: true; request: PartnerActionRequest }
  | { ok: false; code: 'body_not_json' | 'validation_failed'; errors: ApiFieldError[] }

/**
 * Validate the body of POST /api/partner/v1/actions. Takes the raw text
 * (the same bytes the signature covers) and reports every field at fault.
 */
export function parsePartnerActionBody(rawBody: string, options: PartnerRequestOptions): ParsePartnerRequestResult {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    return { ok: false, code: 'body_not_json', errors: [] }
  }
  return parsePartnerAction(json, options)
}

export function parsePartnerAction(json: unknown, options: PartnerRequestOptions): ParsePartnerRequestResult {
  parseWindow = timeWindow(options)
  const parsed = requestSchema.safeParse(json)
  const errors: ApiFieldError[] = []
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const name of issue.keys) errors.push(fieldError([...issue.path, name].join('.'), 'field_unknown', { name }))
        continue
      }
      const code = issue.message in partnerFieldErrors ? (issue.message as PartnerFieldErrorCode) : 'field_invalid_type'
      errors.push(fieldError(issue.path.join('.') || '(body)', code))
    }
  }

  // The consumer is checked even when other fields failed, so one answer lists everything.
  const consumerJson = (json as { consumer?: { memberCode?: unknown; phone?: unknown } } | null)?.consumer
  let consumer: ConsumerIdentifier | null = null
  const alreadyFlagged = errors.some((error) => error.field.startsWith('consumer'))
  if (!alreadyFlagged && consumerJson && typeof consumerJson === 'object') {
    const { memberCode, phone } = consumerJson
    if (memberCode !== undefined && phone !== undefined) errors.push(fieldError('consumer', 'consumer_ambiguous'))
    else if (typeof memberCode === 'string') {
      const member = parseMemberCode(memberCode, 'consumer.memberCode')
      if (member.ok) consumer = { kind: 'member_code', code: member.code }
      else errors.push(fieldError('consumer.memberCode', member.error.key === 'credits.error.memberCodeMistyped' ? 'member_code_mistyped' : 'member_code_invalid'))
    } else if (typeof phone === 'string') {
      const normalised = normalisePhone(phone, 'consumer.phone')
      if (normalised.ok) consumer = { kind: 'phone', phone: normalised.phone }
      else errors.push(fieldError('consumer.phone', 'phone_invalid'))
    } else errors.push(fieldError('consumer', 'consumer_missing'))
  }

  if (!parsed.success || errors.length > 0 || !consumer) {
    return { ok: false, code: 'validation_failed', errors }
  }
  const data = parsed.data
  return {
    ok: true,
    request: {
      partnerOrderId: data.partnerOrderId,
      waybillNo: data.waybillNo,
      consumer,
      action: data.action,
      quantity: data.quantity,
      occurredAt: data.occurredAt,
      occurredOn: chinaDay(data.occurredAt),
    },
  }
}

function fieldError(field: string, code: PartnerFieldErrorCode, params?: MessageParams): ApiFieldError {
  return { field, code, key: partnerFieldErrors[code], ...(params ? { params } : {}) }
}

/**
 * Idempotency-Key header: 8-128 characters of letters, digits and - _ . :
 * (a UUID fits). The same key with a different body is idempotency_key_reused.
 */
export function parseIdempotencyKey(header: string | null | undefined): { ok: true; key: string } | { ok: false; code: 'idempotency_key_missing' | 'idempotency_key_invalid' } {
  const key = header?.trim()
  if (!key) return { ok: false, code: 'idempotency_key_missing' }
  if (!/^[A-Za-z0-9\-_.:]{8,128}$/.test(key)) return { ok: false, code: 'idempotency_key_invalid' }
  return { ok: true, key }
}
