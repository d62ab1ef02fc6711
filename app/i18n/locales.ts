export const locales = ['zh-CN', 'en'] as const
export type Locale = (typeof locales)[number]
export const defaultLocale: Locale = 'zh-CN'

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value)
}

/** Every figure and date is shown in China Standard Time, whatever the server's zone. */
export const displayTimeZone = 'Asia/Shanghai'
