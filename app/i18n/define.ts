import type { Locale } from './locales.ts'

/**
 * A catalog area: Chinese is the source of truth for the keys, English must
 * supply every one of them (the type checker refuses a missing translation).
 */
export function defineMessages<const Zh extends Record<string, string>>(
  zh: Zh,
  en: { [K in keyof Zh]: string },
): Record<Locale, { [K in keyof Zh]: string }> {
  return { 'zh-CN': zh, en }
}
