import Decimal from 'decimal.js'

export interface RoundedParts {
  /** Each part rounded to `decimalPlaces`; they add up exactly to `total`. */
  parts: Decimal[]
  /** The exact sum rounded half up (away from zero) to `decimalPlaces`. */
  total: Decimal
  /** The exact sum, unrounded. */
  exactTotal: Decimal
}

/**
 * Round the parts of a total for display so that the parts shown add up to
 * the total shown (largest-remainder rule):
 *
 * 1. The total is the exact sum rounded half up, the same rounding
 *    formatDecimal applies to any single figure, so a total shown alone and the
 *    same total shown under its parts agree.
 * 2. Each part is first rounded down (toward −∞) to the display step.
 * 3. The steps still missing to reach the total (never more than the number
 *    of parts) go one each to the parts with the largest remainders; ties go
 *    to the part listed first.
 *
 * A part therefore differs from its own half-up rounding by at most one step.
 */
export function roundParts(parts: readonly Decimal[], decimalPlaces: number): RoundedParts {
  if (!Number.isInteger(decimalPlaces) || decimalPlaces < 0) {
    throw new RangeError('decimalPlaces must be a non-negative integer')
  }
  const scale = new Decimal(10).pow(decimalPlaces)
  const exactTotal = parts.reduce((sum, p) => sum.plus(p), new Decimal(0))
  const totalSteps = exactTotal.times(scale).toDecimalPlaces(0, Decimal.ROUND_HALF_UP)

  const floors = parts.map((p) => p.times(scale).floor())
  const remainders = parts.map((p, i) => p.times(scale).minus(floors[i] as Decimal))
  let missing = totalSteps.minus(floors.reduce((sum, f) => sum.plus(f), new Decimal(0))).toNumber()

  const order = parts
    .map((_, i) => i)
    .sort((a, b) => (remainders[b] as Decimal).comparedTo(remainders[a] as Decimal) || a - b)
  for (const i of order) {
    if (missing <= 0) break
    floors[i] = (floors[i] as Decimal).plus(1)
    missing -= 1
  }
  return {
    parts: floors.map((f) => f.dividedBy(scale)),
    total: totalSteps.dividedBy(scale),
    exactTotal,
  }
}
