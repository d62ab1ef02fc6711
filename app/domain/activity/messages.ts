import { hasMessage, translate, type MessageKey, type MessageParams } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { recordDefinitions } from './definitions.ts'
import { enums, type EnumName } from './enums.ts'
import type { FieldDefinition } from './fields.ts'

const fieldLabels = new Map<string, MessageKey>()
for (const definition of Object.values(recordDefinitions)) {
  for (const field of definition.fields as readonly FieldDefinition[]) fieldLabels.set(field.code, field.label)
}

/** A field's label in the user's language; the code itself if it is not an activity field. */
export function fieldLabel(fieldCode: string, locale: Locale): string {
  const key = fieldLabels.get(fieldCode)
  return key ? translate(locale, key) : fieldCode
}

/** The label of one enum option, e.g. ('energy', 'BEV') → 纯电动. */
export function optionLabel(enumName: EnumName, option: string, locale: Locale): string {
  const definition = enums[enumName]
  const key = (definition.labels as Record<string, MessageKey>)[option]
  return key ? translate(locale, key) : option
}

/** Options of an enum with labels, in order, for a <select> or a message. */
export function enumOptions(enumName: EnumName, locale: Locale): { value: string; label: string }[] {
  return enums[enumName].options.map((value) => ({ value, label: optionLabel(enumName, value, locale) }))
}

// Params that hold codes rather than words; everything else is shown as given.
const singleFieldParams = ['field', 'part', 'whole', 'start', 'end', 'expected', 'distance', 'fuelLitres', 'fuelKg']
const fieldListParams = ['parts', 'keyFields']

/**
 * The params of an issue with field codes, enum codes and unit codes turned
 * into words of the given language, ready for `translate`.
 */
export function localizeParams(params: MessageParams | undefined, locale: Locale): MessageParams {
  if (!params) return {}
  const out: MessageParams = { ...params }
  const separator = translate(locale, 'activity.listSeparator')
  for (const name of singleFieldParams) {
    const value = params[name]
    if (typeof value === 'string') out[name] = fieldLabel(value, locale)
  }
  for (const name of fieldListParams) {
    const value = params[name]
    if (typeof value !== 'string') continue
    const labels = value.split(',').map((code) => fieldLabel(code, locale))
    out[name] = name === 'parts' ? labels.map((label) => `“${label}”`).join(separator) : labels.join(separator)
  }
  if (typeof params.energy === 'string') out.energy = optionLabel('energy', params.energy, locale)
  if (typeof params.vehicleClass === 'string') out.vehicleClass = optionLabel('vehicleClass', params.vehicleClass, locale)
  if (typeof params.options === 'string' && params.options in enums) {
    out.options = enumOptions(params.options as EnumName, locale)
      .map((option) => option.label)
      .join(separator)
  }
  if (typeof params.unit === 'string') {
    const unitKey = `activity.unit.${params.unit}`
    if (hasMessage(unitKey)) out.unit = translate(locale, unitKey)
  }
  if (typeof params.measure === 'string') {
    const unitKey = `activity.unit.${params.measure}`
    if (hasMessage(unitKey)) out.measure = translate(locale, unitKey)
  }
  return out
}

/** The words of an issue (a form field error, a CSV row or file problem) in the user's language. */
export function issueMessage(issue: { key: MessageKey; params?: MessageParams }, locale: Locale): string {
  return translate(locale, issue.key, localizeParams(issue.params, locale))
}
