import { describe, expect, it } from 'vitest'
import { verdictExample } from '#app/components/verdict-example.tsx'

// The worked example on /methodology, checked against arithmetic done by hand.
describe('the worked verdict example', () => {
  const example = verdictExample()

  it('pools the quarter and checks its coverage', () => {
    // (760 + 780 + 800) / (1000 + 1000 + 1000) = 2340 / 3000 = 0.78
    expect([example.numerator, example.denominator, example.pooled.toString()]).toEqual([2340, 3000, '0.78'])
    // (7 + 8 + 8) / (3 × 8) = 23 / 24
    expect(example.coverage.toFixed(4)).toBe('0.9583')
  })

  it('before the deadline: June left out of the trend, on track', () => {
    // Points x = months from September: -5 → 0.70, -4 → 0.72, -2 → 0.76, -1 → 0.78, 0 → 0.80.
    // mean x = -2.4, mean y = 0.752; Sxy = 0.344, Sxx = 17.2; slope = 0.02; intercept = 0.752 + 0.048 = 0.8.
    // December 2027 is 15 months after September 2026: 0.8 + 0.02 × 15 = 1.1 ≥ 0.9.
    expect(example.before.lowCoverageMonths).toEqual(['2026-06'])
    expect(example.before.slopePerMonth?.toString()).toBe('0.02')
    expect(example.before.projected?.toString()).toBe('1.1')
    expect(example.before.status).toBe('on_track')
  })

  it('after the deadline: a standing requirement, the pooled 78 % misses 90 %', () => {
    expect(example.after.status).toBe('missed')
    expect(example.after.pooled?.toString()).toBe('0.78')
  })
})
