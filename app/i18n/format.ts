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
  return numberFormat(locale, fractionDigits).format(rounded.toFixed(fractionDigits) as unknown as number)
}

// Building an Intl formatter costs far more than using one, and a report page
// formats thousands of figures: one formatter per locale and option set, kept
// for the life of the process (a handful of entries).
const numberFormats = new Map<string, Intl.NumberFormat>()
function numberFormat(locale: Locale, fractionDigits: number): Intl.NumberFormat {
  const key = `${locale}|${fractionDigits}`
  let formatter = numberFormats.get(key)
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits })
    numberFormats.set(key, formatter)
  }
  return formatter
}

const dateFormats = new Map<string, Intl.DateTimeFormat>()
function dateFormat(locale: Locale, withTime: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${withTime}`
  let formatter = dateFormats.get(key)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, {
      timeZone: displayTimeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hour12: false } : {}),
    })
    dateFormats.set(key, formatter)
  }
  return formatter
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
  return dateFormat(locale, false).format(date)
}

export function formatDateTime(locale: Locale, value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value
  return dateFormat(locale, true).format(date)
}
