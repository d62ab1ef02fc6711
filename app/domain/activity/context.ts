import type Decimal from 'decimal.js'
import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import type { Energy, VehicleClass } from './enums.ts'

/**
 * Stable machine codes of the problems a value or a record can have. They are
 * shown to the user beside the message (row, column, code, message) and are
 * safe to match on in code and tests; the words live in the catalogs.
 */
export const issueCodes = [
  // one value
  'required',
  'not_a_number',
  'negative',
  'not_whole',
  'too_large',
  'invalid_date',
  'invalid_month',
  'invalid_date_or_month',
  'future_date',
  'future_month',
  'invalid_option',
  'too_long',
  'invalid_code',
  // a value that must name something known and in the user's scope
  'unknown_outlet',
  'outlet_out_of_scope',
  'unknown_packaging_item',
  'unknown_vehicle',
  'vehicle_out_of_scope',
  // plausibility of a record
  'part_exceeds_whole',
  'parts_do_not_add_up',
  'part_without_whole',
  'end_before_start',
  'tricycle_must_be_electric',
  'electric_has_no_emission_standard',
  'recycler_name_required',
  'fuel_both_units',
  'fuel_unit_mismatch',
  'fuel_for_electric',
  'electricity_for_fuel_vehicle',
  'energy_without_distance',
  'outside_vehicle_range',
  'no_vehicle_range',
  'outside_service_period',
] as const
export type IssueCode = (typeof issueCodes)[number]

/**
 * One problem with a form submission or a CSV row. `field` is the field code
 * at fault (the first named when a rule involves several); params hold raw
 * values and field/enum codes, turned into words by `issueMessage`.
 */
export interface FieldIssue {
  field: string | null
  code: IssueCode
  key: MessageKey
  params: MessageParams
}

/** Energy use per distance, one measure per energy carrier. */
export const vehicleMeasures = ['kwh_per_km', 'l_per_100km', 'kg_per_100km'] as const
export type VehicleMeasure = (typeof vehicleMeasures)[number]

export interface VehicleRange {
  vehicleClass: VehicleClass
  energy: Energy
  measure: VehicleMeasure
  min: Decimal
  max: Decimal
  source: string
  rationale: string
  verified: boolean
}

/** Loaded from factors/vehicle-plausibility.csv by loadVehiclePlausibility. */
export interface VehiclePlausibility {
  fileName: string
  ranges: readonly VehicleRange[]
  find(vehicleClass: VehicleClass, energy: Energy, measure: VehicleMeasure): VehicleRange | undefined
}

/** What the vehicle register says about a plate, for checking its monthly use. */
export interface VehicleProfile {
  vehicleClass: VehicleClass
  energy: Energy
  /** ISO dates; null when open. */
  inServiceFrom: string | null
  inServiceTo: string | null
}

export type ScopeLookup = 'ok' | 'unknown' | 'out_of_scope'

/**
 * Everything validation needs from outside a row. Lookups are synchronous so
 * that a million rows stream through without awaiting: the server preloads the
 * user's outlets, catalog items and vehicles (a Map each) before parsing. A
 * lookup left out is not checked (the browser has none of them); the server
 * must pass every one it has.
 */
export interface ActivityContext {
  /** Today in China (`2024-03-31`): no date after it, no month after its month. */
  today: string
  vehicleRanges?: VehiclePlausibility
  lookups?: {
    outlet?: (code: string) => ScopeLookup
    /** An outlet or a sorting centre (facility electricity). */
    site?: (code: string) => ScopeLookup
    packagingItem?: (code: string) => boolean
    vehicle?: (plate: string) => VehicleProfile | 'unknown' | 'out_of_scope'
  }
}
