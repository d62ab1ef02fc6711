import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import { signRequest } from '#app/domain/credits/signing.server.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { loadRuleSets } from '#app/services/credit-rules.server.ts'
import { awardInTransaction, factorSetForAwards } from '#app/services/credits.server.ts'
import { createPartner, handleGreenAction, partnersForAdmin, revokePartnerKey, type PartnerApiContext } from '#app/services/partners.server.ts'
import { creditKeys } from '#app/utils/credits-env.server.ts'
import { txt } from '#db/models/sql-text.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

let t: TestDatabase
let factorSet: FactorSet
let ctx: PartnerApiContext
let admin: Viewer
let partner: { keyId: string; secret: string }

const path = '/api/partner/v1/green-actions'
// 2026-11-22T02:00:00Z = 10:00 in China
const now = new Date('2026-11-22T02:00:00Z')
const nowSeconds = Math.floor(now.getTime() / 1000)

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  factorSet = await factorSetForAwards(t.db)
  ctx = { db: t.db, factorSet, keys: creditKeys() }
  admin = await viewerOf(t.db, 'admin')
  const created = await createPartner(t.db, admin, ctx.keys, { name: 'Test mall', ratePerSecond: '1000', burst: 1000 })
  if (!created.ok) throw new Error('partner not created')
  partner = { keyId: created.issued.keyId, secret: created.issued.secret }
})
afterAll(() => t?.close())

function body(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    partnerOrderId: 'ORDER-1',
    waybillNo: 'YT0000000000001',
    consumer: { memberCode: 'GP202405189' },
    action: 'original_packaging_chosen',
    quantity: 1,
    occurredAt: '2026-11-22T09:30:00+08:00',
    ...overrides,
  })
}

interface Send {
  text: string
  idempotencyKey?: string
  timestamp?: number
  keyId?: string
  secret?: string
  at?: Date
  tamper?: (text: string) => string
  headers?: (h: Record<string, string>) => Record<string, string>
}

let serial = 0
let tick = 0
async function send(s: Send) {
  // Each call signs with its own timestamp (within the window), as a real retry would: the
  // signature covers method, path, timestamp and body, so equal ones would be replays.
  const timestamp = s.timestamp ?? nowSeconds - (tick++ % 250)
  const signed = signRequest({
    method: 'POST',
    path,
    timestamp,
    body: s.text,
    keyId: s.keyId ?? partner.keyId,
    secret: s.secret ?? partner.secret,
    idempotencyKey: s.idempotencyKey ?? `key-${++serial}-${Math.random().toString(36).slice(2, 10)}`,
  })
  const headers = s.headers ? s.headers(signed.headers) : signed.headers
  const sentBody = s.tamper ? s.tamper(s.text) : s.text
  const answer = await handleGreenAction(ctx, { method: 'POST', path, headers: new Headers(headers), body: new TextEncoder().encode(sentBody) }, s.at ?? now)
  return answer as { status: number; body: any; headers: Record<string, string> }
}

const errorCode = (answer: { body: any }) => answer.body?.error?.code

describe('signatures', () => {
  it('accepts a well-signed request and answers with the award only', async () => {
    const answer = await send({ text: body({ waybillNo: 'YT1100000000001' }) })
    expect(answer.status).toBe(201)
    // one parcel shipped in its original packaging: 371.7606 g → 371 points
    expect(answer.body.award).toMatchObject({ action: 'original_packaging_chosen', waybillNo: 'YT1100000000001', avoidedCo2eG: '371.7606', points: '371', ruleSetVersion: '2024.1', factorSetVersion: '2026.1', occurredOn: '2026-11-22' })
    expect(Object.keys(answer.body)).toEqual(['award'])
    expect(JSON.stringify(answer.body)).not.toMatch(/balance|phone|memberCode|GP202405189/)
  })

  it('refuses a missing or unknown key id', async () => {
    expect(errorCode(await send({ text: body(), headers: (h) => ({ ...h, 'X-GP-Key-Id': '' }) }))).toBe('key_missing')
    const unknown = await send({ text: body(), keyId: 'gpk_000000000000000000000000' })
    expect([unknown.status, errorCode(unknown)]).toEqual([401, 'key_unknown'])
  })

  it('refuses a signature made with another secret', async () => {
    const answer = await send({ text: body({ waybillNo: 'YT1100000000002' }), secret: 'gpsk_not-the-right-secret' })
    expect([answer.status, errorCode(answer)]).toEqual([401, 'signature_invalid'])
    expect(answer.body.error.message.zh).toContain('签名不符')
    expect(answer.body.error.message.en).toContain('signature does not match')
  })

  it('refuses a tampered body', async () => {
    const answer = await send({ text: body({ waybillNo: 'YT1100000000003', quantity: 1 }), tamper: (text) => text.replace('"quantity":1', '"quantity":5') })
    expect([answer.status, errorCode(answer)]).toEqual([401, 'signature_invalid'])
  })

  it('refuses a stale timestamp, either way, beyond 300 seconds', async () => {
    const old = await send({ text: body({ waybillNo: 'YT1100000000004' }), timestamp: nowSeconds - 301 })
    const ahead = await send({ text: body({ waybillNo: 'YT1100000000004' }), timestamp: nowSeconds + 301 })
    const edge = await send({ text: body({ waybillNo: 'YT1100000000004' }), timestamp: nowSeconds - 300 })
    expect([errorCode(old), errorCode(ahead), edge.status]).toEqual(['timestamp_stale', 'timestamp_stale', 201])
  })

  it('refuses a replayed request (the same signature twice)', async () => {
    const text = body({ waybillNo: 'YT1100000000005' })
    const signed = signRequest({ method: 'POST', path, timestamp: nowSeconds, body: text, keyId: partner.keyId, secret: partner.secret, idempotencyKey: 'replay-test-1' })
    const once = () => handleGreenAction(ctx, { method: 'POST', path, headers: new Headers(signed.headers), body: new TextEncoder().encode(text) }, now)
    const first = await once()
    const second = await once()
    expect([first.status, second.status, errorCode(second)]).toEqual([201, 409, 'request_replayed'])
  })

  it('refuses a revoked key', async () => {
    const created = await createPartner(t.db, admin, ctx.keys, { name: 'Short-lived mall', ratePerSecond: '10', burst: 10 })
    if (!created.ok) throw new Error('not created')
    const { keyId, secret } = created.issued
    expect((await send({ text: body({ waybillNo: 'YT1100000000006' }), keyId, secret })).status).toBe(201)
    expect(await revokePartnerKey(t.db, admin, keyId, now)).toBe(true)
    const refused = await send({ text: body({ waybillNo: 'YT1100000000007' }), keyId, secret })
    expect([refused.status, errorCode(refused)]).toEqual([401, 'key_revoked'])
    const listed = (await partnersForAdmin(t.db)).find((p) => p.name === 'Short-lived mall')!
    expect(listed.keys[0]!.revokedAt).not.toBeNull()
    // the admin sees 12 characters of the fingerprint, never the secret
    expect(listed.keys[0]!.fingerprint).toHaveLength(12)
    const stored = await t.db.selectFrom('partner_keys').selectAll().where('key_id', '=', keyId).executeTakeFirstOrThrow()
    expect(JSON.stringify(stored)).not.toContain(secret)
    // both the creation and the revocation are in the audit log
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity_type', '=', 'partner').where('entity_id', '=', String(created.issued.partnerId)).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['partner.create', 'partner.key.revoke'])
  })
})

describe('idempotency', () => {
  it('returns the stored answer for the same key and body, signed again', async () => {
    const text = body({ waybillNo: 'YT2200000000001' })
    const first = await send({ text, idempotencyKey: 'order-2200-1' })
    const again = await send({ text, idempotencyKey: 'order-2200-1', timestamp: nowSeconds + 1 })
    expect([first.status, again.status, again.headers['Idempotent-Replayed']]).toEqual([201, 201, 'true'])
    expect(again.body).toEqual(first.body)
  })

  it('refuses the same key with another body', async () => {
    await send({ text: body({ waybillNo: 'YT2200000000002' }), idempotencyKey: 'order-2200-2' })
    const other = await send({ text: body({ waybillNo: 'YT2200000000003' }), idempotencyKey: 'order-2200-2', timestamp: nowSeconds + 1 })
    expect([other.status, errorCode(other)]).toEqual([422, 'idempotency_key_reused'])
    const rows = await t.db.selectFrom('credit_actions').select('id').where('waybill_no', '=', 'YT2200000000003').execute()
    expect(rows).toEqual([])
  })

  it('requires a well-formed Idempotency-Key', async () => {
    const missing = await send({ text: body(), headers: (h) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'Idempotency-Key')) })
    const invalid = await send({ text: body(), idempotencyKey: 'short' })
    expect([missing.status, errorCode(missing), invalid.status, errorCode(invalid)]).toEqual([400, 'idempotency_key_missing', 400, 'idempotency_key_invalid'])
  })

  it('awards a waybill and action once, whatever the key: a new key gets already_awarded', async () => {
    const text = body({ waybillNo: 'YT2200000000004' })
    const first = await send({ text })
    const second = await send({ text })
    expect([first.status, second.status, errorCode(second)]).toEqual([201, 409, 'already_awarded'])
  })

  it('gives one award for 50 concurrent requests with 50 different keys', async () => {
    const text = body({ waybillNo: 'YT2200000000005' })
    // distinct timestamps: the signature covers method, path, timestamp and body, not the key
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => send({ text, idempotencyKey: `burst-a-${i}-xxxxxx`, timestamp: nowSeconds - i })))
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1)
    expect(answers.filter((a) => errorCode(a) === 'already_awarded')).toHaveLength(49)
    const earns = await t.db
      .selectFrom('credit_ledger as e')
      .innerJoin('credit_actions as a', (j) => j.onRef('a.consumer_id', '=', 'e.consumer_id').onRef('a.id', '=', 'e.action_id'))
      .select('e.points')
      .where('a.waybill_no', '=', 'YT2200000000005')
      .execute()
    expect(earns).toHaveLength(1)
  })

  it('gives one award and 50 identical answers for 50 concurrent retries under one key', async () => {
    const text = body({ waybillNo: 'YT2200000000006' })
    // each retry signs afresh (a new timestamp), as the docs ask
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => send({ text, idempotencyKey: 'burst-b-one-key', timestamp: nowSeconds - i })))
    expect(answers.every((a) => a.status === 201)).toBe(true)
    expect(answers.filter((a) => a.headers['Idempotent-Replayed'] === 'true')).toHaveLength(49)
    expect(new Set(answers.map((a) => a.body.award.id)).size).toBe(1)
  })
})

describe('bodies and consumers', () => {
  it('lists every field at fault, in both languages', async () => {
    const answer = await send({ text: JSON.stringify({ partnerOrderId: 'X', waybillNo: '12', consumer: { phone: '123' }, action: 'carton_returned', occurredAt: 'yesterday', colour: 'green' }) })
    expect([answer.status, errorCode(answer)]).toEqual([422, 'validation_failed'])
    const fields = Object.fromEntries(answer.body.error.fields.map((f: any) => [f.field, f.code]))
    expect(fields).toMatchObject({ waybillNo: 'waybill_no_invalid', action: 'action_invalid', occurredAt: 'occurred_at_invalid', colour: 'field_unknown', 'consumer.phone': 'phone_invalid' })
    expect(answer.body.error.fields[0].message).toHaveProperty('zh')
    expect(answer.body.error.fields[0].message).toHaveProperty('en')
    const notJson = await send({ text: '{"oops"' })
    expect([notJson.status, errorCode(notJson)]).toEqual([400, 'body_not_json'])
  })

  it('refuses an unknown member code, and opens an account for an unknown phone', async () => {
    const unknown = await send({ text: body({ waybillNo: 'YT3300000000001', consumer: { memberCode: 'GP880000017' } }) })
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'consumer_not_found'])
    const newPhone = await send({ text: body({ waybillNo: 'YT3300000000002', consumer: { phone: '+86 135 0000 9999' } }) })
    expect(newPhone.status).toBe(201)
    const consumer = await t.db.selectFrom('consumers').select(['phone_masked', 'created_by_partner_id']).where('phone_masked', '=', '135****9999').executeTakeFirstOrThrow()
    expect(consumer.created_by_partner_id).not.toBeNull()
  })

  it('caps one consumer’s day exactly when awards queue on the consumer, each reading the one before it', async () => {
    // original_packaging_chosen: 371 points an item, at most 1,000 a day. A first award makes the consumer (a
    // phone not seen before); then another transaction holds the consumer's lock and awards while 12 requests
    // queue on it: each must read the day's earnings and the balance once it has the lock, not before.
    const request = (i: number) =>
      send({ text: body({ waybillNo: `YT55000000000${String(i).padStart(2, '0')}`, action: 'original_packaging_chosen', quantity: 1, consumer: { phone: '135 0000 5555' } }), timestamp: nowSeconds - i })
    const first = await request(0)
    expect(first.status).toBe(201)
    const consumerId = (await t.db.selectFrom('consumers').select(txt('id').as('id')).where('phone_masked', '=', '135****5555').executeTakeFirstOrThrow()).id
    const key = await t.db.selectFrom('partner_keys').select(['id', 'partner_id']).where('key_id', '=', partner.keyId).executeTakeFirstOrThrow()
    const ruleSets = await loadRuleSets(t.db)
    let queued: Promise<Awaited<ReturnType<typeof send>>[]> | undefined
    await t.db.transaction().execute(async (trx) => {
      const held = await awardInTransaction(trx, { factorSet, ruleSets }, {
        consumerId,
        action: 'original_packaging_chosen',
        waybillNo: 'YT5500000000099',
        quantity: 1,
        occurredAt: now,
        occurredOn: '2026-11-22',
        source: { kind: 'partner', partnerId: key.partner_id, partnerKeyId: key.id, partnerOrderId: 'HELD' },
      })
      expect(held.ok).toBe(true)
      queued = Promise.all(Array.from({ length: 12 }, (_, i) => request(i + 1)))
      // the 12 are waiting for the consumer's lock by now
      await new Promise((resolve) => setTimeout(resolve, 500))
    })
    const answers = [first, ...(await queued!)]
    expect(answers.map((a) => [a.status, errorCode(a)])).toEqual(Array(13).fill([201, undefined]))
    const points = [371, ...answers.map((a) => Number(a.body.award.points))]
    expect(points.reduce((x, y) => x + y, 0)).toBe(1000)
    const entries = await t.db.selectFrom('credit_ledger').select(['points', 'balance_after']).where('consumer_id', '=', consumerId).orderBy('id').execute()
    expect(entries).toHaveLength(14)
    let running = 0
    for (const entry of entries) {
      running += Number(entry.points)
      expect(Number(entry.balance_after)).toBe(running)
    }
    expect(running).toBe(1000)
  })

  it('refuses more items than the rule set allows in one award (original packaging: 5)', async () => {
    const answer = await send({ text: body({ waybillNo: 'YT3300000000003', quantity: 6 }) })
    expect([answer.status, errorCode(answer)]).toEqual([422, 'quantity_too_large'])
  })

  it('refuses other methods and oversized bodies', async () => {
    const get = await handleGreenAction(ctx, { method: 'GET', path, headers: new Headers(), body: new Uint8Array() }, now)
    expect([get.status, errorCode(get), get.headers.Allow]).toEqual([405, 'method_not_allowed', 'POST'])
    const big = await send({ text: body({ partnerOrderId: 'BIG', pad: 'x'.repeat(17 * 1024) }) })
    expect([big.status, errorCode(big)]).toEqual([413, 'body_too_large'])
  })
})

describe('rate limit', () => {
  it('empties a partner’s token bucket and refills it with time', async () => {
    const created = await createPartner(t.db, admin, ctx.keys, { name: 'Slow mall', ratePerSecond: '1', burst: 3 })
    if (!created.ok) throw new Error('not created')
    const { keyId, secret } = created.issued
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await send({ text: body({ waybillNo: `YT44000000000${i}0` }), keyId, secret })).status)
    // burst 3: three through, the fourth waits
    expect(statuses).toEqual([201, 201, 201, 429])
    const limited = await send({ text: body({ waybillNo: 'YT4400000000050' }), keyId, secret })
    expect(limited.headers['Retry-After']).toBe('1')
    // two seconds later two tokens are back (1 per second)
    const later = new Date(now.getTime() + 2000)
    const after = await send({ text: body({ waybillNo: 'YT4400000000060' }), keyId, secret, at: later, timestamp: nowSeconds + 2 })
    expect(after.status).toBe(201)
    // another partner is not slowed by this one
    expect((await send({ text: body({ waybillNo: 'YT4400000000070' }) })).status).toBe(201)
  })
})
