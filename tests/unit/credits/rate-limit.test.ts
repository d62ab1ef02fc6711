import { describe, expect, it } from 'vitest'
import { rateSlotCount, retryAfterSeconds } from '#app/domain/credits/rate-limit.ts'

describe('rate-limit slots', () => {
  it('keeps a small bucket in one slot, so it behaves exactly as one bucket', () => {
    expect(rateSlotCount(1)).toBe(1)
    expect(rateSlotCount(3)).toBe(1)
    expect(rateSlotCount(7)).toBe(1)
  })
  it('gives each slot at least 4 tokens and never more than 64 slots', () => {
    expect(rateSlotCount(8)).toBe(2) // 2 slots of 4
    expect(rateSlotCount(100)).toBe(25) // the demo partner: 25 slots of 4
    expect(rateSlotCount(256)).toBe(64)
    expect(rateSlotCount(100000)).toBe(64) // the load script's partner: 64 slots of 1,562.5
  })
  it('tells a refused partner when one token is back', () => {
    expect(retryAfterSeconds('1')).toBe(1)
    expect(retryAfterSeconds('20')).toBe(1)
    expect(retryAfterSeconds('0.1')).toBe(10)
  })
})
