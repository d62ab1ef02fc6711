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
import { defaultLocale, type Locale } from './locales.ts'

// Each area of the product keeps its own catalog file; they are merged here.
const areas = [common, auth, home, admin, activity, csv, credits, creditPages, metrics, emissions, emissionPages, reportPages, activityPages, phone, footprints, forms, imports] as const

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
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
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
