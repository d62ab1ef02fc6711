import { translate, type MessageKey } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import type { Period } from './period.ts'

/** A period as people write it: 2024年3月 / March 2024, 2024年第1季度 / Q1 2024, 2024年 / 2024. */
export function periodLabel(period: Period, locale: Locale): string {
  switch (period.kind) {
    case 'month':
      return translate(locale, 'period.label.month', {
        year: period.year,
        month: period.month,
        monthName: translate(locale, `period.monthName.${period.month}` as MessageKey),
      })
    case 'quarter':
      return translate(locale, 'period.label.quarter', { year: period.year, quarter: period.quarter })
    case 'year':
      return translate(locale, 'period.label.year', { year: period.year })
  }
}
