import Decimal from 'decimal.js'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import { recordDescriptors, type DbValue, type FieldMap, type RecordDescriptor, type SqlType } from '#app/domain/records/index.ts'
import type { FactTable } from '../tables/activity.ts'
import type { ScopeData } from './activity-scope.ts'

/**
 * How each record type's fields map onto its table's columns, both ways:
 * a validated record to the values a write sets, a stored row to the text a
 * form shows. Derived from the descriptors (app/domain/records/).
 */

export type { DbValue, SqlType }

export interface TableSpec {
  recordCode: RecordCode
  table: FactTable
  fields: readonly FieldMap[]
  /** Written columns besides the owner's three, in a fixed order. */
  columns: readonly { column: string; type: SqlType }[]
  /** With outlet_id (except for vehicles, whose plate is unique in a brand), what identifies a current row. */
  keyColumns: readonly string[]
  /** The column whose month a submission locks; null for the vehicle register. */
  dateColumn: string | null
}

/** A record type's table as the writes and readers use it, from its descriptor (app/domain/records/). */
function spec(descriptor: RecordDescriptor): TableSpec {
  const columns: { column: string; type: SqlType }[] = []
  for (const f of descriptor.fields) {
    if (f.via === 'plain' || f.via === 'month') columns.push({ column: f.column, type: f.type })
    else if (f.via === 'period') columns.push({ column: 'period_start', type: 'date' }, { column: 'period_kind', type: 'text' })
    else if (f.via === 'item') columns.push({ column: 'item_id', type: 'integer' })
    else if (f.via === 'vehicle') columns.push({ column: 'vehicle_id', type: 'bigint' })
  }
  const { code, table, fields, keyColumns, dateColumn } = descriptor
  return { recordCode: code, table, fields, columns, keyColumns, dateColumn }
}

export const tableSpecs: Readonly<Record<RecordCode, TableSpec>> = Object.fromEntries(
  Object.values(recordDescriptors).map((d) => [d.code, spec(d)]),
) as Record<RecordCode, TableSpec>

export interface Owner {
  outletId: number
  brandId: number
  regionCode: string
}

export interface DbRecord {
  owner: Owner
  /** Aligned with spec.columns. */
  values: DbValue[]
}

/** Why a record that passed validation cannot be written (a lookup the validator was not given). */
export type ResolveFailure = { field: string; reason: 'outlet' | 'item' | 'vehicle' }

function plainValue(value: unknown, scale: number | undefined): DbValue {
  if (value === null || value === undefined) return null
  if (value instanceof Decimal) return (scale === undefined ? value : value.toDecimalPlaces(scale, Decimal.ROUND_HALF_UP)).toFixed()
  if (typeof value === 'number') return value
  return String(value)
}

/** The column values of a validated record, codes resolved to ids through the scope data. */
export function toDbRecord(
  spec: TableSpec,
  record: Readonly<Record<string, unknown>>,
  scope: Pick<ScopeData, 'outlets' | 'items' | 'vehicles'>,
): DbRecord | ResolveFailure {
  let ownerRef: Owner | null = null
  const values: DbValue[] = []
  for (const f of spec.fields) {
    const value = record[f.field]
    switch (f.via) {
      case 'plain':
        values.push(plainValue(value, f.scale))
        break
      case 'month':
        values.push(`${String(value)}-01`)
        break
      case 'period': {
        const text = String(value)
        values.push(text.length === 7 ? `${text}-01` : text, text.length === 7 ? 'month' : 'day')
        break
      }
      case 'item': {
        const item = scope.items.get(String(value))
        if (!item) return { field: f.field, reason: 'item' }
        values.push(item.id)
        break
      }
      case 'vehicle': {
        const vehicle = scope.vehicles.get(String(value))
        if (!vehicle) return { field: f.field, reason: 'vehicle' }
        values.push(vehicle.id)
        ownerRef = { outletId: vehicle.outletId, brandId: vehicle.brandId, regionCode: vehicle.regionCode }
        break
      }
      case 'owner': {
        const outlet = scope.outlets.get(String(value))
        if (!outlet) return { field: f.field, reason: 'outlet' }
        ownerRef = { outletId: outlet.id, brandId: outlet.brandId, regionCode: outlet.regionCode }
        break
      }
    }
  }
  return { owner: ownerRef!, values }
}

export function isResolveFailure(value: DbRecord | ResolveFailure): value is ResolveFailure {
  return 'reason' in value
}

/** `YYYY-MM-01` of the month a record falls in (null for the vehicle register). */
export function monthKeyOf(spec: TableSpec, values: readonly DbValue[]): string | null {
  if (spec.dateColumn === null) return null
  let index = dateIndexCache.get(spec)
  if (index === undefined) {
    index = spec.columns.findIndex((c) => c.column === spec.dateColumn)
    dateIndexCache.set(spec, index)
  }
  return `${String(values[index]).slice(0, 7)}-01`
}
const dateIndexCache = new WeakMap<TableSpec, number>()

/** The same text for equal values whichever driver read them (numeric 12.500 and 12.5 agree). */
export function canonicalValue(type: SqlType, value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (type === 'numeric') return new Decimal(String(value)).toFixed()
  if (type === 'date' && value instanceof Date) return value.toISOString().slice(0, 10)
  return String(value)
}

/**
 * The field a list names a record by: its date, month, period or as-of date,
 * or a vehicle's plate (the first of them its type has).
 */
export function labelFieldOf(spec: TableSpec): FieldMap {
  for (const code of ['date', 'month', 'period', 'asOfDate', 'plate']) {
    const field = spec.fields.find((f) => f.field === code)
    if (field) return field
  }
  throw new Error(`record type ${spec.recordCode} has no field to name a record by`)
}

/**
 * Field code → text as a form shows it, from a stored row (and the codes of
 * the outlet, item or vehicle it points at).
 */
export function formValuesOf(
  spec: TableSpec,
  row: Readonly<Record<string, unknown>>,
  refs: { outletCode: string; itemCode?: string | null; plate?: string | null },
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of spec.fields) {
    switch (f.via) {
      case 'plain':
        out[f.field] = canonicalValue(f.type, row[f.column]) ?? ''
        break
      case 'month':
        out[f.field] = String(canonicalValue('date', row[f.column])).slice(0, 7)
        break
      case 'period': {
        const start = String(canonicalValue('date', row.period_start))
        out[f.field] = row.period_kind === 'month' ? start.slice(0, 7) : start
        break
      }
      case 'item':
        out[f.field] = refs.itemCode ?? ''
        break
      case 'vehicle':
        out[f.field] = refs.plate ?? ''
        break
      case 'owner':
        out[f.field] = refs.outletCode
        break
    }
  }
  return out
}
