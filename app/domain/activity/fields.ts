import type Decimal from 'decimal.js'
import type { MessageKey } from '#app/i18n/index.ts'
import type { EnumDefinition } from './enums.ts'

/**
 * What a field holds, and so how its text is read:
 *  - count: a whole number of things (parcels, bins, bags), 0 … 2,147,483,647
 *  - decimal: an exact non-negative quantity in the unit its code names (massKg)
 *  - date `2024-03-01`, month `2024-03`, dateOrMonth either of the two
 *  - enum: one option code of a closed list
 *  - code: an identifier of something in the database (outlet, item), case kept
 *  - plate: a vehicle plate, upper-cased, spaces and dots removed
 *  - text: free text (a recycler's name)
 */
export type FieldKind = 'count' | 'decimal' | 'date' | 'month' | 'dateOrMonth' | 'enum' | 'code' | 'plate' | 'text'

/** Which lookup in ActivityContext checks that the value names something that exists and is in scope. */
export type FieldReference = 'outlet' | 'site' | 'packagingItem' | 'vehicle'

interface FieldBase<C extends string> {
  code: C
  /** Label key; its zh and en texts are also the accepted CSV headers. */
  label: MessageKey
  required: boolean
  /** More header spellings accepted in a CSV (compared like headers: case, width and spaces ignored). */
  headerAliases?: readonly string[]
  /** The template's example cell; a message key when it is words (translated per template locale). */
  example: string | { key: MessageKey }
}

export interface CountField<C extends string = string> extends FieldBase<C> {
  kind: 'count'
}
export interface DecimalField<C extends string = string> extends FieldBase<C> {
  kind: 'decimal'
  unit: 'kg' | 'km' | 'kWh' | 'L'
}
export interface DateField<C extends string = string> extends FieldBase<C> {
  kind: 'date'
  /** A planned end of service may lie ahead; activity dates may not. */
  allowFuture?: boolean
}
export interface MonthField<C extends string = string> extends FieldBase<C> {
  kind: 'month'
}
export interface DateOrMonthField<C extends string = string> extends FieldBase<C> {
  kind: 'dateOrMonth'
}
export interface EnumField<C extends string = string, O extends string = string> extends FieldBase<C> {
  kind: 'enum'
  enum: EnumDefinition<O>
}
export interface CodeField<C extends string = string> extends FieldBase<C> {
  kind: 'code'
  maxLength: number
  ref?: FieldReference
}
export interface PlateField<C extends string = string> extends FieldBase<C> {
  kind: 'plate'
  ref?: FieldReference
}
export interface TextField<C extends string = string> extends FieldBase<C> {
  kind: 'text'
  maxLength: number
}

export type FieldDefinition =
  | CountField
  | DecimalField
  | DateField
  | MonthField
  | DateOrMonthField
  | EnumField
  | CodeField
  | PlateField
  | TextField

type BaseValue<F> = F extends { kind: 'count' }
  ? number
  : F extends { kind: 'decimal' }
    ? Decimal
    : F extends { kind: 'enum'; enum: EnumDefinition<infer O> }
      ? O
      : string

/** The typed value of a field: null when an optional field was left empty. */
export type FieldValue<F> = F extends { required: true } ? BaseValue<F> : BaseValue<F> | null
