import type { RecordCode } from '#app/domain/activity/definitions.ts'
import type { CostInput, PackagingItemFacts } from '#app/domain/emissions/costing.ts'
import type { VehicleClass } from '#app/domain/emissions/fleet.ts'
import type { QuantitySlot, RecipeTemplate } from '#app/domain/emissions/recipes.ts'

/**
 * One record type in one place: where its rows live, how its fields reach
 * their columns (units in the field names, scales of the numeric columns),
 * which date gives its month, and, for a costed type, how a row becomes the
 * engine's input and how its rows are grouped for costing in SQL. The
 * database models, the import, the recompute and the rollups read these
 * descriptors instead of naming the type's columns themselves.
 */

export type SqlType = 'integer' | 'bigint' | 'numeric' | 'date' | 'text'
/** A column value as written: numbers for integer columns, exact strings otherwise. */
export type DbValue = string | number | null

/**
 * How a field reaches its column:
 *  plain   the value as read (count, decimal as exact text, date, enum, text)
 *  month   `2024-03` → `2024-03-01`
 *  period  a date or a month → period_start + period_kind
 *  item    a catalog code → item_id
 *  vehicle a plate → vehicle_id (and the vehicle's outlet owns the record)
 *  owner   an outlet or site code → outlet_id, brand_id, region_code
 */
export type FieldMap =
  | { field: string; via: 'plain' | 'month'; column: string; type: SqlType; scale?: number }
  | { field: string; via: 'period' | 'item' | 'vehicle' | 'owner' }

export interface RecordDescriptor {
  code: RecordCode
  /** The table of its rows (the same name as the code). */
  table: RecordCode
  fields: readonly FieldMap[]
  /** With outlet_id (except for vehicles, whose plate is unique in a brand), what identifies a current row. */
  keyColumns: readonly string[]
  /** The date column that gives a row its month (and a costed row its factor year); null for the vehicle register. */
  dateColumn: string | null
  /** How its rows are costed; absent for types that produce no emission result. */
  costing?: CostingDescriptor
}

/** What a row brings to costing besides its own columns. */
export interface CostRow {
  recordId: string
  outletId: number
  /** GB/T 2260 code of the record's region: picks the grid factor. */
  regionCode: string
  /** The value of the date column, `YYYY-MM-DD`. */
  date: string
  /** The catalog item's facts (types whose costing `needs` the item). */
  item?: PackagingItemFacts
  /** The vehicle's class and energy (types whose costing `needs` the vehicle). */
  vehicle?: { vehicleClass: VehicleClass; energy: string }
}

export interface CostingDescriptor {
  /** Columns of the row the cost input reads, in the order `input` takes their positions. */
  columns: readonly string[]
  /** Reference data the cost input needs besides the row. */
  needs: 'item' | 'vehicle' | null
  /**
   * The engine's input for a row: `values[at[i]]` is the value of columns[i].
   * One object literal: this runs for every row of an import or recompute.
   */
  input(row: CostRow, values: readonly DbValue[], at: readonly number[]): CostInput
  /** The quantities, in the order of `sql.slots`. */
  slots: readonly QuantitySlot[]
  /** A group's template from the parts its key was made of (`sql.parts`). */
  templateOf(parts: Record<string, unknown>): RecipeTemplate
  /** The group of one input as `sql.key` keys it in SQL: the same text. */
  groupOf(input: CostInput): { key: string; parts: Record<string, unknown> }
  /** The same grouping in SQL. Fixed text, no user input; the table is aliased `t`. */
  sql: {
    /** The table as `t`, with whatever the group key needs. */
    from: string
    /** The group key: equal keys, same recipe. */
    key: string
    /** What the template of a group is built from (a jsonb object). */
    parts: string
    /** The quantity of each slot (null where the row does not record it). */
    slots: readonly string[]
    /** Whether every slot is an integer column: its text in the provenance is then its own. */
    integerSlots: boolean
  }
}

// ---- field helpers shared by the descriptors ------------------------------------

export const dataQualityField: FieldMap = { field: 'dataQuality', via: 'plain', column: 'data_quality', type: 'text' }
export const ownerField = (field = 'outletCode'): FieldMap => ({ field, via: 'owner' })
export const countField = (field: string, column: string): FieldMap => ({ field, via: 'plain', column, type: 'integer' })
// The scale of the numeric column: a value is rounded to it before it is
// written or costed (the database would round it anyway), so that the stored
// figure and the costed figure are the same number.
export const decimalField = (field: string, column: string, scale: number): FieldMap => ({ field, via: 'plain', column, type: 'numeric', scale })
export const dateField = (field: string, column: string): FieldMap => ({ field, via: 'plain', column, type: 'date' })
export const textField = (field: string, column: string): FieldMap => ({ field, via: 'plain', column, type: 'text' })
export const monthField = (field = 'month', column = 'month'): FieldMap => ({ field, via: 'month', column, type: 'date' })

/** Whole numbers: up to 10 digits before the point, none after. */
export const INTEGER_DIGITS: readonly [number, number] = [10, 0]

/** The factor year of a date column in SQL. */
export const sqlYear = (column: string): string => `extract(year from t.${column})::int`
/** 'y' when a value is recorded, 'n' when not, in SQL. */
export const sqlRecorded = (value: string): string => `case when ${value} is null then 'n' else 'y' end`
/** The same in TypeScript. */
export const recorded = (value: unknown): string => (value === null || value === undefined ? 'n' : 'y')
/** A template's date: the first day of the group's year. */
export const yearStart = (parts: Record<string, unknown>): string => `${String(parts.year)}-01-01`
export const yearOfDate = (date: string): number => Number(date.slice(0, 4))
