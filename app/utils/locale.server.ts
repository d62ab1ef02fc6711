import { defaultLocale, isLocale, type Locale } from '#app/i18n/locales.ts'
import { readCookie, serializeCookie } from './cookies.server.ts'

const cookieName = 'gp_lang'

/** The chosen language, remembered in a cookie; Simplified Chinese until someone switches. */
export function getLocale(request: Request): Locale {
  const value = readCookie(request, cookieName)
  return isLocale(value) ? value : defaultLocale
}

export function localeCookie(locale: Locale, request: Request): string {
  return serializeCookie(cookieName, locale, request, { maxAgeSeconds: 365 * 24 * 3600, httpOnly: false })
}
