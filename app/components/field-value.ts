import type { EnumName } from '#app/domain/activity/enums.ts'
import type { FieldDefinition } from '#app/domain/activity/fields.ts'
import { optionLabel } from '#app/domain/activity/messages.ts'
import { formatDecimal } from '#app/i18n/format.ts'
import type { Locale } from '#app/i18n/locales.ts'

/** A stored activity value as a person reads it: option names in words, numbers grouped and exact, '—' for not reported. */
export function fieldValueText(field: FieldDefinition, value: string | undefined, locale: Locale): string {
  if (value === undefined || value === '') return '—'
  if (field.kind === 'enum') return optionLabel(field.enum.name as EnumName, value, locale)
  if (field.kind === 'count') return formatDecimal(locale, value, 0)
  if (field.kind === 'decimal') return formatDecimal(locale, value, value.includes('.') ? value.split('.')[1]!.length : 0)
  return value
}

export function isNumericField(field: FieldDefinition): boolean {
  return field.kind === 'count' || field.kind === 'decimal'
}
