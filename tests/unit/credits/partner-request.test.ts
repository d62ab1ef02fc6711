import { describe, expect, it } from 'vitest'
import { hasMessage } from '#app/i18n/index.ts'
import {
  parseIdempotencyKey,
  parsePartnerAction,
  parsePartnerActionBody,
  partnerApiErrors,
  partnerFieldErrors,
} from '#app/domain/credits/partner-request.ts'

const now = new Date('2024-05-01T03:00:00Z') // 11:00 in Beijing
const valid = {
  partnerOrderId: 'TB-2024-0501-0001',
  waybillNo: ' sf 1234567890 ',
  consumer: { phone: '+86 138-1234-1234' },
  action: 'original_packaging_chosen',
  occurredAt: '2024-05-01T10:30:00+08:00',
}

function codes(result: ReturnType<typeof parsePartnerAction>) {
  return result.ok ? [] : result.errors.map((error) => [error.field, error.code])
}

describe('partner action request', () => {
  it('accepts a good body and normalises it', () => {
    const result = parsePartnerActionBody(JSON.stringify(valid), { now })
    expect(result).toEqual({
      ok: true,
      request: {
        partnerOrderId: 'TB-2024-0501-0001',
        waybillNo: 'SF1234567890',
        consumer: { kind: 'phone', phone: '13812341234' },
        action: 'original_packaging_chosen',
        quantity: 1,
        occurredAt: new Date('2024-05-01T02:30:00Z'),
        occurredOn: '2024-05-01',
      },
    })
  })

  it('dates the action by the Beijing calendar day', () => {
    // 2024-04-30 17:30 UTC is 2024-05-01 01:30 in Beijing
    const result = parsePartnerAction({ ...valid, occurredAt: '2024-04-30T17:30:00Z' }, { now })
    expect(result.ok && result.request.occurredOn).toBe('2024-05-01')
  })

  it('takes a member code instead of a phone', () => {
    const result = parsePartnerAction({ ...valid, consumer: { memberCode: 'gp123456789' }, quantity: 3 }, { now })
    expect(result.ok && [result.request.consumer, result.request.quantity]).toEqual([{ kind: 'member_code', code: 'GP123456789' }, 3])
  })

  it('lists every missing field at once', () => {
    const result = parsePartnerAction({}, { now })
    expect(result.ok ? null : result.code).toBe('validation_failed')
    expect(codes(result)).toEqual(
      expect.arrayContaining([
        ['partnerOrderId', 'field_required'],
        ['waybillNo', 'field_required'],
        ['consumer', 'field_required'],
        ['action', 'field_required'],
        ['occurredAt', 'field_required'],
      ]),
    )
  })

  it('wants exactly one way to identify the consumer, and a valid one', () => {
    expect(codes(parsePartnerAction({ ...valid, consumer: {} }, { now }))).toEqual([['consumer', 'consumer_missing']])
    expect(codes(parsePartnerAction({ ...valid, consumer: { phone: '13812341234', memberCode: 'GP123456789' } }, { now }))).toEqual([
      ['consumer', 'consumer_ambiguous'],
    ])
    expect(codes(parsePartnerAction({ ...valid, consumer: { phone: '1381234' } }, { now }))).toEqual([['consumer.phone', 'phone_invalid']])
    expect(codes(parsePartnerAction({ ...valid, consumer: { memberCode: 'GP123456788' } }, { now }))).toEqual([
      ['consumer.memberCode', 'member_code_mistyped'],
    ])
    expect(codes(parsePartnerAction({ ...valid, consumer: { memberCode: 'M-1' } }, { now }))).toEqual([
      ['consumer.memberCode', 'member_code_invalid'],
    ])
    expect(codes(parsePartnerAction({ ...valid, consumer: { phone: 13812341234 } }, { now }))).toEqual([['consumer.phone', 'field_invalid_type']])
  })

  it('refuses an occurredAt beyond clock skew, too old, or without a zone', () => {
    // now is 03:00:00Z; 300 s of skew allowed
    expect(parsePartnerAction({ ...valid, occurredAt: '2024-05-01T03:04:59Z' }, { now }).ok).toBe(true)
    expect(codes(parsePartnerAction({ ...valid, occurredAt: '2024-05-01T03:05:01Z' }, { now }))).toEqual([['occurredAt', 'occurred_at_in_future']])
    expect(codes(parsePartnerAction({ ...valid, occurredAt: '2024-03-31T03:00:00Z' }, { now }))).toEqual([['occurredAt', 'occurred_at_too_old']])
    expect(parsePartnerAction({ ...valid, occurredAt: '2024-04-01T03:00:00Z' }, { now }).ok).toBe(true)
    expect(codes(parsePartnerAction({ ...valid, occurredAt: '2024-05-01T10:30:00' }, { now }))).toEqual([['occurredAt', 'occurred_at_invalid']])
    expect(codes(parsePartnerAction({ ...valid, occurredAt: 'yesterday' }, { now }))).toEqual([['occurredAt', 'occurred_at_invalid']])
  })

  it('refuses counter-only actions, bad quantities, bad ids and unknown fields', () => {
    expect(codes(parsePartnerAction({ ...valid, action: 'carton_returned' }, { now }))).toEqual([['action', 'action_invalid']])
    for (const quantity of [0, 1.5, '2', 1001, null]) {
      expect(codes(parsePartnerAction({ ...valid, quantity }, { now })), String(quantity)).toEqual([['quantity', 'quantity_invalid']])
    }
    expect(codes(parsePartnerAction({ ...valid, waybillNo: 'SF-123' }, { now }))).toEqual([['waybillNo', 'waybill_no_invalid']])
    expect(codes(parsePartnerAction({ ...valid, partnerOrderId: 'has space' }, { now }))).toEqual([['partnerOrderId', 'partner_order_id_invalid']])
    const unknown = parsePartnerAction({ ...valid, waybillNumber: 'SF1234567890' }, { now })
    expect(unknown.ok ? null : unknown.errors).toEqual([
      { field: 'waybillNumber', code: 'field_unknown', key: 'credits.api.field.unknown', params: { name: 'waybillNumber' } },
    ])
  })

  it('says when the body is not JSON or not an object', () => {
    expect(parsePartnerActionBody('{"partnerOrderId":', { now })).toEqual({ ok: false, code: 'body_not_json', errors: [] })
    expect(codes(parsePartnerActionBody('[1,2]', { now }))).toEqual([['(body)', 'field_invalid_type']])
  })
})

describe('idempotency key', () => {
  it('wants 8-128 safe characters', () => {
    expect(parseIdempotencyKey('2b1c7a8e-4f0d-4e8a-9c55-1f3e2a6b9d10')).toEqual({ ok: true, key: '2b1c7a8e-4f0d-4e8a-9c55-1f3e2a6b9d10' })
    expect(parseIdempotencyKey(null)).toEqual({ ok: false, code: 'idempotency_key_missing' })
    expect(parseIdempotencyKey('short')).toEqual({ ok: false, code: 'idempotency_key_invalid' })
    expect(parseIdempotencyKey('has spaces in it')).toEqual({ ok: false, code: 'idempotency_key_invalid' })
  })
})

describe('error codes and their words', () => {
  it('has a message in the catalog for every API and field code', () => {
    for (const { key } of Object.values(partnerApiErrors)) expect(hasMessage(key), key).toBe(true)
    for (const key of Object.values(partnerFieldErrors)) expect(hasMessage(key), key).toBe(true)
    expect(partnerApiErrors.timestamp_stale.status).toBe(401)
    expect(partnerApiErrors.validation_failed.status).toBe(422)
  })
})
