import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CreditAction } from '#app/domain/credits/actions.ts'
import { parseCreditRuleSet } from '#app/domain/credits/rules.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { award, factorSetForAwards, findOrCreateConsumer, recordAtCounter, type AwardRequest } from '#app/services/credits.server.ts'
import { creditKeys, type CreditKeys } from '#app/utils/credits-env.server.ts'
import { createTestDatabase, viewerOf, type TestDatabase } from '../support/db.ts'

// One carton, one award: a returned carton or box earns once per waybill,
// whoever brings it back and by either return action (migration 0011).

let t: TestDatabase
let factorSet: FactorSet
let keys: CreditKeys
let sfOutlet: number

beforeAll(async () => {
  t = await createTestDatabase({ seed: true })
  factorSet = await factorSetForAwards(t.db)
  keys = creditKeys()
  sfOutlet = (await t.db.selectFrom('outlets').select('id').where('code', '=', 'SF-410105-01').executeTakeFirstOrThrow()).id
})
afterAll(() => t?.close())

let serial = 0
async function newConsumer(): Promise<string> {
  serial++
  const phone = `136${String(serial).padStart(8, '0')}`
  const found = await t.db.transaction().execute((trx) => findOrCreateConsumer(trx, { kind: 'phone', phone: phone as never }, keys, { outletId: sfOutlet }))
  if (!found.ok) throw new Error('consumer not created')
  return found.consumer.id
}

const request = (consumerId: string, action: CreditAction, waybillNo: string, occurredOn = '2026-11-20'): AwardRequest => ({
  consumerId,
  action,
  waybillNo,
  quantity: 1,
  occurredAt: new Date(`${occurredOn}T10:00:00+08:00`),
  occurredOn,
  source: { kind: 'counter', outletId: sfOutlet, recordedBy: null },
})

const actionsFor = async (waybillNo: string) =>
  (await t.db.selectFrom('credit_actions').select('consumer_id').where('waybill_no', '=', waybillNo).execute()).length

describe('one carton, one award', () => {
  it('refuses a second consumer bringing the same waybill, naming who was awarded it', async () => {
    const first = await newConsumer()
    const second = await newConsumer()
    expect((await award(t.db, { factorSet }, request(first, 'carton_returned', 'SFR100000000001'))).ok).toBe(true)
    const refused = await award(t.db, { factorSet }, request(second, 'carton_returned', 'SFR100000000001'))
    expect(refused).toMatchObject({ ok: false, code: 'return_already_awarded', holder: { consumerId: first, action: 'carton_returned', outletId: sfOutlet } })
    expect(await actionsFor('SFR100000000001')).toBe(1)
  })

  it('50 consumers bringing one box at once: exactly one award', async () => {
    const consumers = await Promise.all(Array.from({ length: 50 }, () => newConsumer()))
    const outcomes = await Promise.all(
      consumers.map((id, i) => award(t.db, { factorSet }, request(id, i % 2 ? 'carton_returned' : 'recyclable_box_returned', 'SFR200000000001'))),
    )
    expect(outcomes.filter((o) => o.ok && o.status === 'awarded')).toHaveLength(1)
    expect(outcomes.filter((o) => !o.ok && o.code === 'return_already_awarded')).toHaveLength(49)
    expect(await actionsFor('SFR200000000001')).toBe(1)
    const earns = await t.db
      .selectFrom('credit_ledger as e')
      .innerJoin('credit_actions as a', (j) => j.onRef('a.consumer_id', '=', 'e.consumer_id').onRef('a.id', '=', 'e.action_id'))
      .select('e.id')
      .where('a.waybill_no', '=', 'SFR200000000001')
      .execute()
    expect(earns).toHaveLength(1)
  })

  it('does not touch choices at checkout: a box chosen and later returned are two facts', async () => {
    const c = await newConsumer()
    const chosen = await award(t.db, { factorSet }, { ...request(c, 'recyclable_box_chosen', 'SFR300000000001'), source: { kind: 'counter', outletId: sfOutlet, recordedBy: null } })
    const returned = await award(t.db, { factorSet }, request(c, 'recyclable_box_returned', 'SFR300000000001'))
    expect([chosen.ok && chosen.status, returned.ok && returned.status]).toEqual(['awarded', 'awarded'])
  })

  it('shows the clerk who was awarded the carton and when', async () => {
    const operator = await viewerOf(t.db, 'outlet.sf')
    const ctx = { db: t.db, factorSet, keys }
    const at = new Date('2026-11-20T02:30:00Z') // 10:30 in China
    const first = await recordAtCounter(ctx, operator, { consumer: '13599990001', action: 'carton_returned', waybillNo: 'SFR400000000001', quantity: 1, outletId: operator.outletId! }, at)
    expect(first.ok).toBe(true)
    const second = await recordAtCounter(ctx, operator, { consumer: '13599990002', action: 'recyclable_box_returned', waybillNo: 'SFR400000000001', quantity: 1, outletId: operator.outletId! }, new Date())
    expect(second).toEqual({
      ok: false,
      httpStatus: 400,
      errors: { waybillNo: { key: 'creditPages.counter.error.returnAwardedHere', params: { who: '135****0001', when: '2026-11-20 10:30' } } },
    })
    // the refused consumer's new placeholder account was rolled back with the award
    expect(await t.db.selectFrom('consumers').select('id').where('phone_masked', '=', '135****0002').execute()).toEqual([])
  })
})

describe('rule set 2026.2: one recyclable-box trip is paid once', () => {
  it('pays the choice and the return half a trip each, so both together earn one trip', async () => {
    const file = readFileSync('factors/credit-rules/2026.2.json', 'utf8')
    const parsed = parseCreditRuleSet(file, '2026.2.json')
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const ruleSets = [{ ...parsed.ruleSet, status: 'published' as const }]
    const c = await newConsumer()
    const chosen = await award(t.db, { factorSet, ruleSets }, request(c, 'recyclable_box_chosen', 'SFR500000000001', '2027-01-05'))
    const returned = await award(t.db, { factorSet, ruleSets }, request(c, 'recyclable_box_returned', 'SFR500000000001', '2027-01-09'))
    // one trip avoids 364.8 g: 182.4 floored is 182 each, 364 together (a full trip under 2024.1 is 364)
    expect([chosen.ok && chosen.award.points, returned.ok && returned.award.points]).toEqual(['182', '182'])
  })
})
