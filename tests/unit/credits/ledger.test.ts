import { describe, expect, it } from 'vitest'
import {
  availableBalance,
  balanceOf,
  checkRedemption,
  expiryDate,
  LedgerInconsistencyError,
  planReversal,
  pointsToExpire,
  replayLedger,
  upcomingExpiries,
} from '#app/domain/credits/ledger.ts'
import { d, entry, shippedRuleSet } from './helpers.ts'

const rules = shippedRuleSet()

describe('expiry date', () => {
  it('runs to 31 December of the year after earning (2024.1)', () => {
    expect(expiryDate(rules, '2024-03-05')).toBe('2025-12-31')
    expect(expiryDate(rules, '2024-01-01')).toBe('2025-12-31')
    expect(expiryDate(rules, '2024-12-31')).toBe('2025-12-31')
  })
  it('counts days when a rule set says days_after_earning', () => {
    // 2024-02-29 + 365 days: 1 day to 03-01, then 364 days to 2025-02-28
    expect(expiryDate({ expiry: { rule: 'days_after_earning', days: 365 } }, '2024-02-29')).toBe('2025-02-28')
    expect(expiryDate({ expiry: { rule: 'days_after_earning', days: 30 } }, '2024-06-06')).toBe('2024-07-06')
  })
  it('refuses a non-date', () => {
    expect(() => expiryDate(rules, '2024-02-30')).toThrow(RangeError)
  })
})

// A consumer's year and a half, all under 2024.1 (valid to end of next year).
const history = [
  entry('e1', 'earn', 100, '2024-03-01', { expiresOn: '2025-12-31' }),
  entry('e2', 'earn', 200, '2024-11-10', { expiresOn: '2025-12-31' }),
  entry('e3', 'earn', 50, '2025-02-01', { expiresOn: '2026-12-31' }),
  // takes all 100 of e1, then 20 of e2 → e1 0, e2 180, e3 50
  entry('r1', 'redeem', -120, '2025-03-01'),
  entry('e4', 'earn', 80, '2025-06-01', { expiresOn: '2026-12-31' }),
  // takes 30 more of e2 → e2 150
  entry('r2', 'redeem', -30, '2025-07-01'),
]

describe('balance and FIFO expiry', () => {
  it('sums signed entries: 100 + 200 + 50 − 120 + 80 − 30 = 280', () => {
    expect(balanceOf(history).toString()).toBe('280')
    const { lots } = replayLedger(history)
    expect(lots.map((lot) => [lot.earnEntryId, lot.remaining.toString()])).toEqual([
      ['e1', '0'],
      ['e2', '150'],
      ['e3', '50'],
      ['e4', '80'],
    ])
  })

  it('expires what is left of the 2024 lots on 2026-01-01, not on their last valid day', () => {
    expect(pointsToExpire(history, '2025-12-31').points.toString()).toBe('0')
    const run = pointsToExpire(history, '2026-01-01')
    // e1 was spent; 150 of e2 remain
    expect(run.points.toString()).toBe('150')
    expect(run.lots.map((lot) => [lot.earnEntryId, lot.expiresOn, lot.points.toString()])).toEqual([['e2', '2025-12-31', '150']])
    // before the sweep has been written, only 280 − 150 = 130 may be spent
    expect(availableBalance(history, '2026-01-01').toString()).toBe('130')
    expect(availableBalance(history, '2025-12-31').toString()).toBe('280')
  })

  it('does not expire twice once the expire entry is written', () => {
    const swept = [...history, entry('x1', 'expire', -150, '2026-01-01')]
    expect(balanceOf(swept).toString()).toBe('130')
    expect(pointsToExpire(swept, '2026-01-01').points.toString()).toBe('0')
    // e3 50 + e4 80 go at the start of 2027
    expect(pointsToExpire(swept, '2027-01-01').points.toString()).toBe('130')
  })

  it('lists what expires when, for the consumer page', () => {
    expect(upcomingExpiries(history, '2025-08-01').map((row) => [row.expiresOn, row.points.toString()])).toEqual([
      ['2025-12-31', '150'],
      ['2026-12-31', '130'],
    ])
  })

  it('puts refunded points back into the lots they came from, latest-expiring first', () => {
    // refund 50 of r1 (which took e1 100, e2 20): 20 back to e2, then 30 to e1
    const refunded = [...history, entry('v1', 'reverse', 50, '2025-08-01', { reversesEntryId: 'r1' })]
    const { lots, balance } = replayLedger(refunded)
    expect(balance.toString()).toBe('330')
    expect(lots.map((lot) => lot.remaining.toString())).toEqual(['30', '170', '50', '80'])
    // on 2026-01-01: e1 30 + e2 170 = 200 expire
    expect(pointsToExpire(refunded, '2026-01-01').points.toString()).toBe('200')
  })

  it('spends first the points that expire first when a later rule set is shorter', () => {
    const mixed = [
      entry('e1', 'earn', 100, '2024-05-01', { expiresOn: '2025-12-31' }),
      entry('e2', 'earn', 50, '2024-06-06', { expiresOn: '2024-07-06' }),
      // takes e2's 50 first (expires sooner), then 10 of e1
      entry('r1', 'redeem', -60, '2024-06-10'),
    ]
    expect(replayLedger(mixed).lots.map((lot) => [lot.earnEntryId, lot.remaining.toString()])).toEqual([
      ['e2', '0'],
      ['e1', '90'],
    ])
    expect(pointsToExpire(mixed, '2024-07-07').points.toString()).toBe('0')
  })

  it('refuses stored entries that break the ledger rules', () => {
    expect(() => replayLedger([entry('e1', 'earn', 10, '2024-01-01', { expiresOn: '2025-12-31' }), entry('r1', 'redeem', -11, '2024-01-02')])).toThrow(
      LedgerInconsistencyError,
    )
    expect(() => replayLedger([entry('e1', 'earn', 10, '2024-01-01')])).toThrow(/expiresOn/)
    expect(() => replayLedger([entry('r1', 'redeem', 5, '2024-01-02')])).toThrow(/negative/)
    expect(() => replayLedger([entry('v1', 'reverse', -5, '2024-01-02', { reversesEntryId: 'nope' })])).toThrow(/unknown/)
  })
})

describe('redemption check', () => {
  it('refuses a cost above the points available, never going negative', () => {
    expect(checkRedemption(d(280), d(300))).toEqual({
      ok: false,
      error: { field: 'cost', key: 'credits.error.insufficientPoints', params: { balance: '280', cost: '300', shortBy: '20' } },
    })
    const exact = checkRedemption(d(280), d(280))
    expect(exact.ok && exact.balanceAfter.toString()).toBe('0')
    const some = checkRedemption(d(280), d(100))
    expect(some.ok && some.balanceAfter.toString()).toBe('180')
  })

  it('uses the balance net of points already past expiry', () => {
    // 280 on the books, but 150 lapsed on 2026-01-01 and not yet swept → 130 available
    expect(checkRedemption(availableBalance(history, '2026-01-01'), d(200)).ok).toBe(false)
  })

  it('refuses a cost that is not a whole positive number', () => {
    for (const cost of [0, -5, 1.5]) {
      expect(checkRedemption(d(100), d(cost))).toEqual({ ok: false, error: { field: 'cost', key: 'credits.error.costInvalid' } })
    }
  })
})

describe('reversals', () => {
  it('takes back an earn only as far as the balance allows', () => {
    const entries = [
      entry('e1', 'earn', 100, '2024-03-01', { expiresOn: '2025-12-31' }),
      entry('r1', 'redeem', -70, '2024-03-02'),
    ]
    // 70 already spent: take back 30, report 70 short
    const plan = planReversal(entries, 'e1')
    expect(plan.ok && [plan.points.toString(), plan.shortfall.toString()]).toEqual(['-30', '70'])
    const after = [...entries, entry('v1', 'reverse', -30, '2024-03-03', { reversesEntryId: 'e1' })]
    expect(balanceOf(after).toString()).toBe('0')
    expect(planReversal(after, 'e1')).toEqual({ ok: false, error: { key: 'credits.error.alreadyReversed', params: { entryId: 'e1' } } })
  })

  it('takes a reversed earn out of its own lot first', () => {
    const entries = [
      entry('e1', 'earn', 100, '2024-03-01', { expiresOn: '2025-12-31' }),
      entry('e2', 'earn', 50, '2024-03-05', { expiresOn: '2025-12-31' }),
      entry('r1', 'redeem', -60, '2024-03-06'), // e1 → 40
      entry('v1', 'reverse', -50, '2024-03-07', { reversesEntryId: 'e2' }), // e2 → 0
    ]
    const { lots, balance } = replayLedger(entries)
    expect(balance.toString()).toBe('40')
    expect(lots.map((lot) => [lot.earnEntryId, lot.remaining.toString()])).toEqual([
      ['e1', '40'],
      ['e2', '0'],
    ])
  })

  it('refunds a redemption in full, and refuses what cannot be reversed', () => {
    const refund = planReversal(history, 'r2')
    expect(refund.ok && [refund.points.toString(), refund.shortfall.toString()]).toEqual(['30', '0'])
    const swept = [...history, entry('x1', 'expire', -150, '2026-01-01')]
    expect(planReversal(swept, 'x1')).toEqual({ ok: false, error: { key: 'credits.error.notReversible', params: { entryId: 'x1' } } })
    expect(planReversal(swept, 'zz')).toEqual({ ok: false, error: { key: 'credits.error.entryNotFound', params: { entryId: 'zz' } } })
  })
})
