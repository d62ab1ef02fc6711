import Decimal from 'decimal.js'
import { displayTimeZone, type Locale } from './locales.ts'

/**
 * Numbers are rounded once, here, when shown. Decimal keeps the value exact up
 * to this point; Intl.NumberFormat formats the already-rounded decimal string
 * (it accepts strings exactly, so no float ever touches the figure).
 */
export function formatDecimal(
  locale: Locale,
  value: Decimal.Value | null | undefined,
  fractionDigits = 0,
): string {
  if (value === null || value === undefined || value === '') return '—'
  const rounded = new Decimal(value).toDecimalPlaces(fractionDigits, Decimal.ROUND_HALF_UP)
  const formatter = new Intl.NumberFormat(locale, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  })
  return formatter.format(rounded.toFixed(fractionDigits) as unknown as number)
}

/** A ratio (0..1) as a percentage with the given decimals. */
export function formatPercent(
  locale: Locale,
  ratio: Decimal.Value | null | undefined,
  fractionDigits = 1,
): string {
  if (ratio === null || ratio === undefined || ratio === '') return '—'
  return `${formatDecimal(locale, new Decimal(ratio).times(100), fractionDigits)}%`
}

export function formatDate(locale: Locale, value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value
  return new Intl.DateTimeFormat(locale, {
    timeZone: displayTimeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date)
}

export function formatDateTime(locale: Locale, value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value
  return new Intl.DateTimeFormat(locale, {
    timeZone: displayTimeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date)
}
