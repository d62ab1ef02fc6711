import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Decimal from 'decimal.js'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Viewer } from '#app/domain/access.ts'
import type { CreditAction } from '#app/domain/credits/actions.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { claimAccount } from '#app/services/credit-claim.server.ts'
import { consumerOverview, expirePoints, redeemReward, reverseEntry } from '#app/services/credit-ledger.server.ts'
import { changeRuleSetStatus, syncCreditRuleSets } from '#app/services/credit-rules.server.ts'
import { award, factorSetForAwards, findOrCreateConsumer, recordAtCounter, type AwardRequest } from '#app/services/credits.server.ts'
import { creditKeys, creditKeysFileName, resolveCreditKeys, type CreditKeys } from '#app/utils/credits-env.server.ts'
import { EnvError } from '#app/utils/env.server.ts'
import { verifyPassword } from '#app/utils/password.server.ts'
import { listLedgerEntries } from '#db/models/credits.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

let t: TestDatabase
let factorSet: FactorSet
let keys: CreditKeys
let outlets: Record<string, number>

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  factorSet = await factorSetForAwards(t.db)
  keys = creditKeys()
  const rows = await t.db.selectFrom('outlets').select(['id', 'code']).execute()
  outlets = Object.fromEntries(rows.map((r) => [r.code, r.id]))
})
afterAll(() => t?.close())

const viewerFor = (username: string): Promise<Viewer> => viewerOf(t.db, username)

let phoneSerial = 0
/** A fresh consumer met through a new phone number (13900000001, 13900000002, …). */
async function newConsumer(): Promise<{ id: string; memberCode: string; phone: string }> {
  phoneSerial++
  const phone = `139${String(phoneSerial).padStart(8, '0')}`
  const found = await t.db.transaction().execute((trx) =>
    findOrCreateConsumer(trx, { kind: 'phone', phone: phone as never }, keys, { outletId: outlets['SF-410105-01']! }),
  )
  if (!found.ok) throw new Error('consumer not created')
  return { id: found.consumer.id, memberCode: found.consumer.memberCode, phone }
}

function counterAward(consumerId: string, action: CreditAction, waybillNo: string, quantity: number, occurredOn = '2026-11-20'): AwardRequest {
  return {
    consumerId,
    action,
    waybillNo,
    quantity,
    occurredAt: new Date(`${occurredOn}T10:00:00+08:00`),
    occurredOn,
    source: { kind: 'counter', outletId: outlets['SF-410105-01']!, recordedBy: null },
  }
}

async function balanceRows(consumerId: string) {
  return t.db.selectFrom('credit_ledger').select(['kind', 'points', 'balance_after']).where('consumer_id', '=', consumerId).orderBy('id').execute()
}

describe('demo data', () => {
  it('gives the demo consumer a member code, a masked phone and five months of awards', async () => {
    const viewer = await viewerFor('consumer.demo')
    const overview = await consumerOverview(t.db, viewer, new Date())
    expect(overview?.memberCode).toBe('GP202405189')
    expect(overview?.phoneMasked).toBe('138****8000')
    // 74 + 371 + 111 + 1 + 364 + 364 + 185 − 500 + 743 + 74 + 364 + 148 + 1 + 364 + 74 + 371 = 3109
    expect(overview?.balance).toBe('3109')
    expect(overview?.history).toHaveLength(16)
    expect(overview?.redemptions).toHaveLength(1)
  })

  it('stores no phone number, only its keyed hash and mask', async () => {
    const rows = await sql<{ n: string }>`select count(*)::text as n from consumers where phone_hash like '%13800138000%' or phone_masked = '13800138000'`.execute(t.db)
    expect(rows.rows[0]!.n).toBe('0')
  })
})

describe('awards', () => {
  it('turns the engine’s avoided grams into points: 3 cartons × 37 g = 111 g → 111 points', async () => {
    const c = await newConsumer()
    const outcome = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF1000000000001', 3))
    expect(outcome.ok && outcome.status).toBe('awarded')
    if (!outcome.ok) return
    expect(new Decimal(outcome.award.avoidedCo2eG).toString()).toBe('111')
    expect(outcome.award.points).toBe('111')
    expect(outcome.award.factorIds).toEqual(['avoided.carton_reused'])
    expect(outcome.award.factorSetVersion).toBe('2026.1')
    expect(outcome.award.ruleSetVersion).toBe('2024.1')
    // 2024.1: points earned in 2026 count until 31 December 2027
    expect(outcome.award.expiresOn).toBe('2027-12-31')
  })

  it('floors fractional grams: one parcel not re-packed avoids 371.7606 g → 371 points', async () => {
    const c = await newConsumer()
    const outcome = await award(t.db, { factorSet }, { ...counterAward(c.id, 'original_packaging_chosen', 'YT1000000000001', 1), source: await demoPartnerSource() })
    expect(outcome.ok && [new Decimal(outcome.award.avoidedCo2eG).toString(), outcome.award.points]).toEqual(['371.7606', '371'])
  })

  it('caps points per consumer, action and China day (carton_returned: 500)', async () => {
    const c = await newConsumer()
    // 10 × 37 = 370; then 5 × 37 = 185 but only 500 − 370 = 130 left; then nothing left
    const first = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF2000000000001', 10))
    const second = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF2000000000002', 5))
    const third = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF2000000000003', 1))
    expect([first, second, third].map((o) => o.ok && [o.award.points, o.award.capped])).toEqual([
      ['370', false],
      ['130', true],
      ['0', true],
    ])
    // another action has its own cap; the next day starts afresh
    const box = await award(t.db, { factorSet }, counterAward(c.id, 'recyclable_box_returned', 'SF2000000000004', 1))
    const nextDay = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF2000000000005', 1, '2026-11-21'))
    expect(box.ok && box.award.points).toBe('364') // 364.8 g floored
    expect(nextDay.ok && nextDay.award.points).toBe('37')
  })

  it('refuses more items than the rule allows in one award (carton_returned: 20)', async () => {
    const c = await newConsumer()
    const outcome = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF3000000000001', 21))
    expect(outcome).toMatchObject({ ok: false, code: 'quantity_too_large', error: { key: 'credits.error.quantityTooLarge', params: { quantity: 21, max: 20 } } })
    expect(await balanceRows(c.id)).toEqual([])
  })

  it('awards a returned carton once per waybill; the repeat gets the first award back, the other return action nothing', async () => {
    const c = await newConsumer()
    const first = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF4000000000001', 2))
    const again = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF4000000000001', 2))
    const otherAction = await award(t.db, { factorSet }, counterAward(c.id, 'recyclable_box_returned', 'SF4000000000001', 1))
    expect(first.ok && again.ok && [first.status, again.status, again.award.actionId === first.award.actionId]).toEqual(['awarded', 'duplicate', true])
    expect(otherAction).toMatchObject({ ok: false, code: 'return_already_awarded', holder: { consumerId: c.id, action: 'carton_returned' } })
    // 2 cartons × 37 g, and nothing for the second return action
    expect((await balanceRows(c.id)).map((r) => r.balance_after)).toEqual(['74'])
  })

  it('gives exactly one award for 50 identical requests at once', async () => {
    const c = await newConsumer()
    const req = counterAward(c.id, 'carton_returned', 'SF5000000000001', 4)
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => award(t.db, { factorSet }, req)))
    const statuses = outcomes.map((o) => (o.ok ? o.status : 'error'))
    expect(statuses.filter((s) => s === 'awarded')).toHaveLength(1)
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(49)
    expect(new Set(outcomes.map((o) => o.ok && o.award.actionId)).size).toBe(1)
    expect(await balanceRows(c.id)).toEqual([{ kind: 'earn', points: '148', balance_after: '148' }])
  })

  it('has the database refuse a second award row for the same waybill and action', async () => {
    const c = await newConsumer()
    await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF6000000000001', 1))
    await expect(
      sql`insert into credit_actions (consumer_id, action, waybill_no, quantity, occurred_at, occurred_on, outlet_id, avoided_co2e_g, factor_ids, factor_set_version, rule_set_version, uncapped_points)
          values (${c.id}, 'carton_returned', 'SF6000000000001', 1, now(), '2026-11-20', ${outlets['SF-410105-01']}, 37, '[]', '2026.1', '2024.1', 37)`.execute(t.db),
    ).rejects.toThrow(/unique|duplicate/i)
  })
})

async function demoPartnerSource() {
  const key = await t.db.selectFrom('partner_keys').select(['id', 'partner_id']).orderBy('id').executeTakeFirstOrThrow()
  return { kind: 'partner' as const, partnerId: key.partner_id, partnerKeyId: key.id, partnerOrderId: 'ORDER-1' }
}

describe('the ledger', () => {
  it('is append-only: updates and deletes are refused', async () => {
    await expect(sql`update credit_ledger set points = points + 1`.execute(t.db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from credit_ledger`.execute(t.db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from credit_actions`.execute(t.db)).rejects.toThrow(/append-only/)
  })

  it('refuses a negative balance, in the service and in the database', async () => {
    const c = await newConsumer()
    await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF7000000000001', 1)) // 37
    // balance 37 − 40 would be −3
    await expect(
      sql`insert into credit_ledger (consumer_id, kind, points, balance_after, occurred_on) values (${c.id}, 'expire', -40, -3, '2026-11-22')`.execute(t.db),
    ).rejects.toThrow(/balance_after|check/i)
    // a balance_after that does not continue the chain (37 − 10 ≠ 30) is refused too
    await expect(
      sql`insert into credit_ledger (consumer_id, kind, points, balance_after, occurred_on) values (${c.id}, 'expire', -10, 30, '2026-11-22')`.execute(t.db),
    ).rejects.toThrow(/does not follow/)
    expect((await balanceRows(c.id)).map((r) => r.balance_after)).toEqual(['37'])
  })

  it('reverses an award without going below zero, once only', async () => {
    const c = await newConsumer()
    const admin = await viewerFor('admin')
    const earned = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SF8000000000001', 2)) // 74
    if (!earned.ok) throw new Error('not awarded')
    const reversed = await reverseEntry(t.db, admin, { consumerId: c.id, entryId: earned.award.ledgerEntryId, reason: 'order cancelled' }, new Date())
    expect(reversed).toMatchObject({ ok: true, points: '-74', shortfall: '0' })
    const again = await reverseEntry(t.db, admin, { consumerId: c.id, entryId: earned.award.ledgerEntryId, reason: 'twice' }, new Date())
    expect(again).toMatchObject({ ok: false, error: { key: 'credits.error.alreadyReversed' } })
    expect((await balanceRows(c.id)).map((r) => [r.kind, r.points, r.balance_after])).toEqual([
      ['earn', '74', '74'],
      ['reverse', '-74', '0'],
    ])
    // a reversal does not reopen the day's cap: gross earnings count
    const audit = await t.db.selectFrom('audit_log').select('action').where('action', '=', 'credits.reverse').execute()
    expect(audit.length).toBeGreaterThan(0)
  })

  it('refunds a redemption by reversing it', async () => {
    const c = await newConsumer()
    const admin = await viewerFor('admin')
    await claimFor(c, 'refund.tester')
    const viewer = await viewerFor('refund.tester')
    await award(t.db, { factorSet }, counterAward(c.id, 'original_packaging_chosen', 'SF9000000000001', 2, chinaToday())) // 743
    const reward = await t.db.selectFrom('rewards').select('id').where('code', '=', 'send_coupon_2').executeTakeFirstOrThrow()
    const redeemed = await redeemReward(t.db, viewer, reward.id, new Date())
    expect(redeemed).toMatchObject({ ok: true, balanceAfter: '243' })
    const entries = await listLedgerEntries(t.db, c.id)
    const redeemEntry = entries.find((e) => e.kind === 'redeem')!
    const refund = await reverseEntry(t.db, admin, { consumerId: c.id, entryId: redeemEntry.id, reason: 'reward not delivered' }, new Date())
    expect(refund).toMatchObject({ ok: true, points: '500' })
    expect((await balanceRows(c.id)).at(-1)!.balance_after).toBe('743')
  })

  it('expires what is left of a year’s points after 31 December of the next year, once', async () => {
    const c = await newConsumer()
    await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SFA000000000001', 3, '2024-06-01')) // 111, valid to 2025-12-31
    await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SFA000000000002', 1, '2025-03-01')) // 37, valid to 2026-12-31
    expect(await expirePoints(t.db, '2025-12-31')).toMatchObject({ points: '0' })
    const run = await expirePoints(t.db, '2026-01-01')
    expect(run.points).not.toBe('0')
    expect((await balanceRows(c.id)).map((r) => [r.kind, r.points, r.balance_after])).toEqual([
      ['earn', '111', '111'],
      ['earn', '37', '148'],
      ['expire', '-111', '37'],
    ])
    await expirePoints(t.db, '2026-01-01')
    expect(await balanceRows(c.id)).toHaveLength(3)
  })

  it('replays entries in id order when ids cross a power of ten (9999, 10000, …)', async () => {
    const c = await newConsumer()
    await sql`select setval(pg_get_serial_sequence('credit_ledger', 'id'), 9997)`.execute(t.db)
    // ids 9998, 9999, 10000, 10001: as text, '10000' would sort before '9998'
    for (const [i, day] of ['2024-02-01', '2024-03-01', '2024-04-01', '2025-05-01'].entries()) {
      await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', `SFH00000000000${i}`, 1, day))
    }
    const ids = (await listLedgerEntries(t.db, c.id)).map((e) => e.id)
    expect(ids).toEqual(['9998', '9999', '10000', '10001'])
    // three 2024 lots of 37 expire on 2026-01-01; running twice expires them once
    await expirePoints(t.db, '2026-01-01')
    await expirePoints(t.db, '2026-01-01')
    expect((await balanceRows(c.id)).map((r) => [r.kind, r.points, r.balance_after])).toEqual([
      ['earn', '37', '37'],
      ['earn', '37', '74'],
      ['earn', '37', '111'],
      ['earn', '37', '148'],
      ['expire', '-111', '37'],
    ])
  })

  it('redeems only what is available, and takes stock', async () => {
    const c = await newConsumer()
    await claimFor(c, 'redeem.tester')
    const viewer = await viewerFor('redeem.tester')
    await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SFB000000000001', 3, chinaToday())) // 111
    const bag = await t.db.selectFrom('rewards').select(['id', 'stock']).where('code', '=', 'cloth_bag').executeTakeFirstOrThrow()
    const refused = await redeemReward(t.db, viewer, bag.id, new Date())
    // 111 available, the bag costs 800: 689 short
    expect(refused).toEqual({ ok: false, error: { key: 'credits.error.insufficientPoints', params: { balance: '111', cost: '800', shortBy: '689' } } })
    expect((await t.db.selectFrom('rewards').select('stock').where('id', '=', bag.id).executeTakeFirstOrThrow()).stock).toBe(bag.stock)
    expect(await balanceRows(c.id)).toHaveLength(1)
  })
})

function chinaToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
}

async function claimFor(c: { memberCode: string; phone: string }, username: string) {
  const claimed = await claimAccount(t.db, keys, { memberCode: c.memberCode, phone: c.phone, username, password: 'a-long-password', displayName: 'Tester' }, '10.0.0.1', new Date())
  if (!claimed.ok) throw new Error(JSON.stringify(claimed.errors))
}

describe('the counter', () => {
  it('opens a placeholder account for a new phone and finds it again by phone or code', async () => {
    const operator = await viewerFor('outlet.sf')
    const ctx = { db: t.db, factorSet, keys }
    const first = await recordAtCounter(ctx, operator, { consumer: '+86 137-0000-1111', action: 'carton_returned', waybillNo: 'SFC000000000001', quantity: 2, outletId: operator.outletId! }, new Date())
    expect(first).toMatchObject({ ok: true, status: 'awarded', consumer: { phoneMasked: '137****1111', created: true }, award: { points: '74' } })
    if (!first.ok) return
    expect(first.consumer.memberCode).toMatch(/^GP\d{8}[\dX]$/)
    const byPhone = await recordAtCounter(ctx, operator, { consumer: '13700001111', action: 'carton_returned', waybillNo: 'SFC000000000002', quantity: 1, outletId: operator.outletId! }, new Date())
    const byCode = await recordAtCounter(ctx, operator, { consumer: first.consumer.memberCode.toLowerCase(), action: 'recyclable_box_returned', waybillNo: 'SFC000000000003', quantity: 1, outletId: operator.outletId! }, new Date())
    expect(byPhone).toMatchObject({ ok: true, consumer: { memberCode: first.consumer.memberCode, created: false } })
    expect(byCode).toMatchObject({ ok: true, consumer: { memberCode: first.consumer.memberCode, created: false } })
    // the placeholder can sign in only once claimed
    const user = await t.db.selectFrom('users').innerJoin('consumers', 'consumers.user_id', 'users.id').select(['users.password_hash']).where('consumers.member_code', '=', first.consumer.memberCode).executeTakeFirstOrThrow()
    expect(user.password_hash).toBeNull()
  })

  it('refuses an unknown member code without creating anything', async () => {
    const operator = await viewerFor('outlet.sf')
    const before = await t.db.selectFrom('consumers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
    // GP88000001 + its check character 7 (ISO 7064 MOD 11-2), but nobody holds it
    const outcome = await recordAtCounter({ db: t.db, factorSet, keys }, operator, { consumer: 'GP880000017', action: 'carton_returned', waybillNo: 'SFD000000000001', quantity: 1, outletId: operator.outletId! }, new Date())
    expect(outcome).toEqual({ ok: false, httpStatus: 400, errors: { consumer: { key: 'creditPages.counter.error.memberNotFound' } } })
    const after = await t.db.selectFrom('consumers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('rolls back a new placeholder when the award is refused', async () => {
    const operator = await viewerFor('outlet.sf')
    const outcome = await recordAtCounter({ db: t.db, factorSet, keys }, operator, { consumer: '13700002222', action: 'carton_returned', waybillNo: 'SFE000000000001', quantity: 25, outletId: operator.outletId! }, new Date())
    expect(outcome).toMatchObject({ ok: false, errors: { quantity: { key: 'credits.error.quantityTooLarge' } } })
    const users = await t.db.selectFrom('consumers').select('id').where('phone_masked', '=', '137****2222').execute()
    expect(users).toEqual([])
  })

  it('records for the operator’s own outlet only', async () => {
    const operator = await viewerFor('outlet.sf')
    const otherOutlet = outlets['ZTO-410105-01']!
    const refused = await recordAtCounter({ db: t.db, factorSet, keys }, operator, { consumer: '13700003333', action: 'carton_returned', waybillNo: 'SFF000000000001', quantity: 1, outletId: otherOutlet }, new Date())
    expect(refused).toEqual({ ok: false, httpStatus: 404, errors: { form: { key: 'creditPages.counter.error.notYourOutlet' } } })
    const rows = await t.db.selectFrom('credit_actions').select('id').where('waybill_no', '=', 'SFF000000000001').execute()
    expect(rows).toEqual([])
    // a carrier admin of the same brand is not an outlet operator
    const carrier = await viewerFor('carrier.sf')
    const alsoRefused = await recordAtCounter({ db: t.db, factorSet, keys }, carrier, { consumer: '13700003333', action: 'carton_returned', waybillNo: 'SFF000000000002', quantity: 1, outletId: outlets['SF-410105-01']! }, new Date())
    expect(alsoRefused.ok).toBe(false)
  })
})

describe('consumers see their own ledger only', () => {
  it('shows each consumer their entries and nobody else’s; other roles see none', async () => {
    const c = await newConsumer()
    await claimFor(c, 'scope.tester')
    await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SFG000000000001', 1, chinaToday()))
    const mine = await consumerOverview(t.db, await viewerFor('scope.tester'), new Date())
    expect(mine?.history.map((h) => h.waybillNo)).toEqual(['SFG000000000001'])
    expect(mine?.balance).toBe('37')
    const demo = await consumerOverview(t.db, await viewerFor('consumer.demo'), new Date())
    expect(demo?.history.some((h) => h.waybillNo === 'SFG000000000001')).toBe(false)
    expect(await consumerOverview(t.db, await viewerFor('outlet.sf'), new Date())).toBeNull()
    expect(await consumerOverview(t.db, await viewerFor('admin'), new Date())).toBeNull()
  })

  it('charts grams avoided per month, 12 months ending this month', async () => {
    const demo = await consumerOverview(t.db, await viewerFor('consumer.demo'), new Date())
    expect(demo?.monthly).toHaveLength(12)
    const total = demo!.monthly.reduce((sum, m) => sum.plus(m.avoidedCo2eG), new Decimal(0))
    expect(total.toString()).toBe(new Decimal(demo!.totalAvoidedCo2eG).toString())
    // 15 awards; grams are not floored: 74 + 371.7606 + 111 + 1.74015 + 364.8 + 364.8 + 185 + 743.5212 + 74 + 364.8 + 148 + 1.74015 + 364.8 + 74 + 371.7606
    expect(total.toString()).toBe('3615.7227')
  })
})

describe('claiming an account', () => {
  it('needs the member code and the phone that go together, and works once', async () => {
    const c = await newConsumer()
    const wrongPhone = await claimAccount(t.db, keys, { memberCode: c.memberCode, phone: '13100000000', username: 'claim.tester', password: 'a-long-password', displayName: 'Z' }, '10.0.0.2', new Date())
    expect(wrongPhone).toEqual({ ok: false, errors: { form: { key: 'creditPages.claim.error.noMatch' } } })
    const ok = await claimAccount(t.db, keys, { memberCode: c.memberCode, phone: c.phone, username: 'claim.tester', password: 'a-long-password', displayName: 'Z' }, '10.0.0.2', new Date())
    expect(ok).toMatchObject({ ok: true, username: 'claim.tester' })
    const user = await t.db.selectFrom('users').select('password_hash').where('username', '=', 'claim.tester').executeTakeFirstOrThrow()
    expect(await verifyPassword('a-long-password', user.password_hash!)).toBe(true)
    const twice = await claimAccount(t.db, keys, { memberCode: c.memberCode, phone: c.phone, username: 'claim.tester2', password: 'a-long-password', displayName: 'Z' }, '10.0.0.2', new Date())
    expect(twice).toEqual({ ok: false, errors: { form: { key: 'creditPages.claim.error.alreadyClaimed' } } })
  })

  it('stops guessing after 5 failures for one code', async () => {
    const c = await newConsumer()
    for (let i = 0; i < 5; i++) {
      await claimAccount(t.db, keys, { memberCode: c.memberCode, phone: `1310000000${i}`, username: `guess${i}`, password: 'a-long-password', displayName: 'G' }, `10.0.1.${i}`, new Date())
    }
    const sixth = await claimAccount(t.db, keys, { memberCode: c.memberCode, phone: c.phone, username: 'guess.right', password: 'a-long-password', displayName: 'G' }, '10.0.1.9', new Date())
    expect(sixth).toMatchObject({ ok: false, errors: { form: { key: 'creditPages.claim.error.rateLimited' } } })
  })
})

describe('credit keys', () => {
  const hex = 'ab'.repeat(32)
  const pepper = 'p'.repeat(32)
  it('takes both from the environment when set, and checks them', () => {
    const keys = resolveCreditKeys({ PARTNER_SECRET_SERVER_KEY: hex, PHONE_HASH_PEPPER: pepper }, { NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', DATA_DIR: 'unused' })
    expect([keys.serverKey.length, keys.phonePepper]).toEqual([32, pepper])
    expect(() => resolveCreditKeys({ PARTNER_SECRET_SERVER_KEY: 'abc', PHONE_HASH_PEPPER: 'short' }, { NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', DATA_DIR: 'unused' })).toThrow(
      /PARTNER_SECRET_SERVER_KEY: 须为 32 字节密钥[\s\S]*PHONE_HASH_PEPPER: 至少 32 字节/,
    )
  })

  it('requires them on PostgreSQL, naming each missing variable in Chinese and English', () => {
    const attempt = () => resolveCreditKeys({ PHONE_HASH_PEPPER: pepper }, { NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', DATA_DIR: 'unused' })
    expect(attempt).toThrow(EnvError)
    expect(attempt).toThrow(/PARTNER_SECRET_SERVER_KEY: 使用 PostgreSQL（DATABASE_URL）时必须设置.*required with DATABASE_URL/)
    expect(attempt).not.toThrow(/PHONE_HASH_PEPPER:/)
  })

  it('generates them once for the embedded database and keeps them in its data folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-keys-'))
    try {
      const base = { NODE_ENV: 'production' as const, DATABASE_URL: undefined, DATA_DIR: dir }
      const first = resolveCreditKeys({}, base)
      const second = resolveCreditKeys({}, base)
      expect(Buffer.from(second.serverKey).equals(Buffer.from(first.serverKey))).toBe(true)
      expect(second.phonePepper).toBe(first.phonePepper)
      const file = path.join(dir, creditKeysFileName)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toEqual(['PARTNER_SECRET_SERVER_KEY', 'PHONE_HASH_PEPPER'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('rule sets', () => {
  it('applies a newly published set from its effective date; earlier awards keep theirs', async () => {
    const admin = await viewerFor('admin')
    const file = JSON.parse(readFileSync('factors/credit-rules/2024.1.json', 'utf8'))
    file.version = '2027.1'
    file.status = 'draft'
    file.effectiveFrom = '2027-01-01'
    file.actions.carton_returned.pointsPerGram = '2'
    const synced = await syncCreditRuleSets(t.db, [{ fileName: '2027.1.json', text: JSON.stringify(file) }])
    expect(synced).toEqual({ loaded: ['2027.1'], errors: [] })

    const c = await newConsumer()
    const before = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SFJ000000000001', 2, '2027-01-05'))
    expect(before.ok && [before.award.ruleSetVersion, before.award.points]).toEqual(['2024.1', '74'])

    const published = await changeRuleSetStatus(t.db, admin, { version: '2027.1', to: 'published' }, new Date('2026-11-22T02:00:00Z'))
    expect(published).toEqual({ ok: true })
    // 2 cartons × 37 g × 2 points per gram = 148
    const after = await award(t.db, { factorSet }, counterAward(c.id, 'carton_returned', 'SFJ000000000002', 2, '2027-01-06'))
    expect(after.ok && [after.award.ruleSetVersion, after.award.points]).toEqual(['2027.1', '148'])
    const stored = await t.db.selectFrom('credit_actions').select(['waybill_no', 'rule_set_version']).where('consumer_id', '=', c.id).orderBy('waybill_no').execute()
    expect(stored.map((r) => r.rule_set_version)).toEqual(['2024.1', '2027.1'])

    expect(await changeRuleSetStatus(t.db, admin, { version: '2027.1', to: 'published' }, new Date())).toMatchObject({ ok: false, error: { key: 'creditPages.rules.error.wrongStatus' } })
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity_id', '=', '2027.1').execute()
    expect(audit.map((a) => a.action)).toEqual(['credits.rules.publish'])
  })

  it('refuses to publish a set whose effective date has passed', async () => {
    const admin = await viewerFor('admin')
    const file = JSON.parse(readFileSync('factors/credit-rules/2024.1.json', 'utf8'))
    Object.assign(file, { version: '2026.9', status: 'draft', effectiveFrom: '2026-06-01' })
    await syncCreditRuleSets(t.db, [{ fileName: '2026.9.json', text: JSON.stringify(file) }])
    const refused = await changeRuleSetStatus(t.db, admin, { version: '2026.9', to: 'published' }, new Date('2026-11-22T02:00:00Z'))
    expect(refused).toEqual({ ok: false, error: { key: 'creditPages.rules.error.inThePast', params: { version: '2026.9', date: '2026-06-01' } } })
  })
})
