/**
 * Turning what people type into a spreadsheet or a form field into exact
 * values. Shared by the HTML forms and the CSV rows, so that "１，２３４" in a
 * form and "1,234" in a GBK file from head office mean the same number.
 *
 * Every function here is on the per-row path of a million-row import: the
 * common case (plain ASCII digits) is tested first and returns without
 * allocating.
 */

const plainDigits = /^\d+$/
// Anything outside printable ASCII: only then is NFKC worth its cost.
const nonAscii = /[^\x20-\x7e]/

/**
 * Full-width digits, letters and punctuation (０-９，．－（）) become their ASCII
 * forms via NFKC; the ideographic space becomes a space; then outer spaces go.
 * Chinese characters are left alone by NFKC.
 */
export function toHalfWidth(raw: string): string {
  if (!nonAscii.test(raw)) return raw.trim()
  // U+2212 MINUS SIGN is not folded by NFKC; Excel and Word produce it.
  return raw.normalize('NFKC').replace(/\u2212/g, '-').trim()
}

export type NumberParse =
  | { ok: true; text: string }
  | { ok: false; code: 'not_a_number' | 'negative' }

// 1,234 or 1,234,567.5: a comma is a thousands separator only between groups of
// three digits; "1,5" (a decimal comma) is refused rather than guessed.
const thousands = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/
const unsignedDecimal = /^(?:\d+(?:\.\d*)?|\.\d+)$/

/**
 * A non-negative decimal number as a canonical text (no separators, no sign),
 * or why it is not one. Scientific notation is refused: Excel writes it only
 * when it has already rounded the number.
 */
export function normalizeNumberText(raw: string): NumberParse {
  if (plainDigits.test(raw)) return { ok: true, text: raw }
  let text = toHalfWidth(raw)
  if (plainDigits.test(text)) return { ok: true, text }
  let negative = false
  if (text.startsWith('-')) {
    negative = true
    text = text.slice(1).trimStart()
  }
  if (thousands.test(text)) text = text.replace(/,/g, '')
  if (!unsignedDecimal.test(text)) return { ok: false, code: 'not_a_number' }
  if (text.endsWith('.')) text = text.slice(0, -1)
  if (text.startsWith('.')) text = `0${text}`
  if (negative && /[1-9]/.test(text)) return { ok: false, code: 'negative' }
  return { ok: true, text }
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/
const separatedDate = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:\s+0{1,2}:00(?::00)?)?$/
const chineseDate = /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$/
const separatedMonth = /^(\d{4})[-/.](\d{1,2})$/
const chineseMonth = /^(\d{4})\s*年\s*(\d{1,2})\s*月?$/

const minYear = 1900
const maxYear = 2999

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

function isoFromParts(y: string, m: string, d: string): string | null {
  const year = Number(y)
  const month = Number(m)
  const day = Number(d)
  if (year < minYear || year > maxYear || month < 1 || month > 12) return null
  if (day < 1 || day > daysInMonth(year, month)) return null
  return `${y}-${pad2(month)}-${pad2(day)}`
}

/**
 * 2024-03-01, 2024/3/1, 2024.3.1 or 2024年3月1日 (full-width digits too) as
 * `2024-03-01`; a midnight time that Excel appends ("2024/3/1 0:00") is
 * accepted. Null when it is not a real calendar date.
 */
export function parseDateText(raw: string): string | null {
  const direct = isoDate.exec(raw)
  if (direct) return isoFromParts(direct[1]!, direct[2]!, direct[3]!)
  const text = toHalfWidth(raw)
  let match = separatedDate.exec(text)
  if (match) return isoFromParts(match[1]!, match[3]!, match[4]!)
  match = chineseDate.exec(text)
  if (match) return isoFromParts(match[1]!, match[2]!, match[3]!)
  return null
}

/** 2024-03, 2024/3, 2024.3 or 2024年3月 as `2024-03`; null otherwise. */
export function parseMonthText(raw: string): string | null {
  const text = toHalfWidth(raw)
  const match = separatedMonth.exec(text) ?? chineseMonth.exec(text)
  if (!match) return null
  const year = Number(match[1])
  const month = Number(match[2])
  if (year < minYear || year > maxYear || month < 1 || month > 12) return null
  return `${match[1]}-${pad2(month)}`
}

/**
 * How a header cell or an enum value is compared: full-width folded,
 * lower-cased, without spaces, without a trailing "*" (a required marker some
 * templates carry).
 */
export function matchKey(raw: string): string {
  return toHalfWidth(raw.replace(/^\uFEFF/, ''))
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/\*+$/, '')
}

/** The same key with a trailing "(unit)" removed: "行驶里程(公里)" → "行驶里程". */
export function stripUnitSuffix(key: string): string {
  return key.replace(/\([^()]*\)$/, '')
}
