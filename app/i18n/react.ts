import { useRouteLoaderData } from '@remix-run/react'
import { useMemo } from 'react'
import { defaultLocale, type Locale } from './locales.ts'
import { translator, type Translate } from './index.ts'

interface RootData {
  locale: Locale
}

export function useLocale(): Locale {
  return useRouteLoaderData<RootData>('root')?.locale ?? defaultLocale
}

export function useT(): Translate {
  const locale = useLocale()
  return useMemo(() => translator(locale), [locale])
}

/** Names stored in both languages (regions, brands, outlets) shown in the reader's. */
export function localName(locale: Locale, row: { nameZh: string; nameEn: string }): string {
  return locale === 'zh-CN' ? row.nameZh : row.nameEn
}
