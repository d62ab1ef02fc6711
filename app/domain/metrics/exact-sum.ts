import Decimal from 'decimal.js'

// A plain decimal as PostgreSQL prints `numeric`: optional minus, digits, optional fraction.
const plainDecimal = /^(-?)(\d+)(?:\.(\d+))?$/

/**
 * The exact sum of decimal values, as a plain decimal string ("1.5", "-0.25", "0").
 *
 * Report assembly adds thousands of rollup figures per page; a Decimal per
 * term and per partial sum made that the largest cost of a report page after
 * rendering. Here the terms, mostly `numeric` text from PostgreSQL, are added
 * as scaled BigInts: exact at any size (no 20-digit rounding, no floats).
 * Decimals, numbers and other notations ("1e3") are turned into plain text
 * by Decimal first; a non-finite term makes the sum what Decimal says it is.
 */
export function sumExact(values: Iterable<Decimal.Value>): string {
  let total = 0n
  let scale = 0
  for (const value of values) {
    let text = typeof value === 'string' ? value : null
    let match = text === null ? null : plainDecimal.exec(text)
    if (!match) {
      const decimal = new Decimal(value)
      if (!decimal.isFinite()) return slowSum(values)
      text = decimal.toFixed()
      match = plainDecimal.exec(text)!
    }
    const fraction = match[3] ?? ''
    if (fraction.length > scale) {
      total *= 10n ** BigInt(fraction.length - scale)
      scale = fraction.length
    }
    const units = BigInt(match[2]! + fraction.padEnd(scale, '0'))
    total += match[1] ? -units : units
  }
  return plainText(total, scale)
}

function slowSum(values: Iterable<Decimal.Value>): string {
  let total = new Decimal(0)
  for (const value of values) total = total.plus(value)
  return total.toFixed()
}

/** `units` × 10^-scale as a plain decimal without trailing fraction zeros. */
function plainText(units: bigint, scale: number): string {
  const negative = units < 0n
  let digits = (negative ? -units : units).toString()
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0')
    const whole = digits.slice(0, -scale)
    const fraction = digits.slice(-scale).replace(/0+$/, '')
    digits = fraction ? `${whole}.${fraction}` : whole
  }
  return negative && digits !== '0' ? `-${digits}` : digits
}
