import { admin } from './messages/admin.ts'
import { auth } from './messages/auth.ts'
import { common } from './messages/common.ts'
import { activity } from './messages/activity.ts'
import { csv } from './messages/csv.ts'
import { metrics } from './messages/metrics.ts'
import { home } from './messages/home.ts'
import { credits } from './messages/credits.ts'
import { creditPages } from './messages/credit-pages.ts'
import { emissions } from './messages/emissions.ts'
import { emissionPages } from './messages/emission-pages.ts'
import { reportPages } from './messages/report-pages.ts'
import { activityPages } from './messages/activity-pages.ts'
import { forms } from './messages/forms.ts'
import { phone } from './messages/phone.ts'
import { footprints } from './messages/footprints.ts'
import { imports } from './messages/imports.ts'
import { verdicts } from './messages/verdicts.ts'
import { defaultLocale, type Locale } from './locales.ts'

// Each area of the product keeps its own catalog file; they are merged here.
const areas = [common, auth, home, admin, activity, csv, credits, creditPages, metrics, emissions, emissionPages, reportPages, activityPages, phone, footprints, forms, imports, verdicts] as const

type Merge<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? (H extends Record<Locale, infer M> ? M : never) & Merge<R>
  : unknown

export type Messages = Merge<typeof areas>
export type MessageKey = keyof Messages & string
export type MessageParams = Record<string, string | number>

const catalogs = Object.fromEntries(
  (['zh-CN', 'en'] as const).map((locale) => [
    locale,
    Object.assign({}, ...areas.map((area) => area[locale])) as Record<string, string>,
  ]),
) as Record<Locale, Record<string, string>>

export function hasMessage(key: string): key is MessageKey {
  return key in catalogs[defaultLocale]
}

/** Translate a key, filling {placeholders}. Unknown keys are a programming error. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = catalogs[locale][key] ?? catalogs[defaultLocale][key]
  if (template === undefined) throw new Error(`Unknown message key: ${key}`)
  if (!params) return template
  const parts = partsOf(template)
  let text = parts[0]!
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!
    text += (name in params ? String(params[name]) : `{${name}}`) + parts[i + 1]!
  }
  return text
}

/**
 * A template split once at its {placeholders}: text, name, text, … (always odd
 * in length). Filling the parts gives what a replace of each placeholder would,
 * without running the pattern on every call.
 */
const templateParts = new Map<string, readonly string[]>()
function partsOf(template: string): readonly string[] {
  let parts = templateParts.get(template)
  if (!parts) {
    parts = template.split(/\{(\w+)\}/)
    templateParts.set(template, parts)
  }
  return parts
}

export type Translate = (key: MessageKey, params?: MessageParams) => string

export function translator(locale: Locale): Translate {
  return (key, params) => translate(locale, key, params)
}

/**
 * A message that crosses a boundary (a domain validation error, a CSV row
 * error) travels as a key plus parameters and is put into words only when shown.
 */
export interface Message {
  key: MessageKey
  params?: MessageParams
}
