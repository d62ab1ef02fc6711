import type { ColumnType, Generated } from 'kysely'
import type { DateString, NumericString } from '../schema.ts'

type GeneratedAlways<T> = ColumnType<T, never, never>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** numeric and bigint columns: read as exact strings. */
type Numeric = ColumnType<NumericString, NumericString | number | undefined, NumericString | number>
type Count = ColumnType<number, number | undefined, number>

export type TargetComparison = '>=' | '<=' | '=='
export type TargetKindColumn = 'rate' | 'national_count' | 'relative_to_baseline'

export interface TargetSetsTable {
  id: string
  name_zh: string
  name_en: string
  source_title: string
  source_issuer: string
  source_number: string | null
  source_date: string
  source_url: string | null
  source_verification: string
  region_code: string
  brand_code: string | null
  origin: 'file' | 'admin'
  created_at: Generated<Date>
  updated_at: Timestamp
}

export interface TargetsTable {
  id: GeneratedAlways<number>
  target_set_id: string
  metric: string
  comparison: TargetComparison
  value: Numeric
  deadline: DateString
  kind: TargetKindColumn
  note: string | null
}

export interface OutletMonthRollupsTable {
  outlet_id: number
  month: DateString
  brand_id: number
  region_code: string
  province_code: string
  city_code: string
  outlets: Count
  reporting_outlets: Count
  outlets_with_bin: Count
  parcels: Numeric
  e_waybill_parcels: Numeric
  box_parcels: Numeric
  narrow_tape_box_parcels: Numeric
  ecommerce_parcels: Numeric
  ecommerce_original_parcels: Numeric
  recyclable_packaging_parcels: Numeric
  same_city_parcels: Numeric
  same_city_recyclable_packaging_parcels: Numeric
  transit_bags: Numeric
  recyclable_transit_bags: Numeric
  packaging_mass_kg: Numeric
  standard_packaging_mass_kg: Numeric
  plastic_bags: Numeric
  degradable_plastic_bags: Numeric
  non_degradable_plastic_items: Numeric
  cartons_reused: Numeric
  vehicles_in_service: Count
  nev_in_service: Count
  distance_km: Numeric
  nev_distance_km: Numeric
  vehicles_acquired: Count
  nev_acquired: Count
  co2e_kg: Numeric
  packaging_co2e_kg: Numeric
  fleet_co2e_kg: Numeric
  facility_co2e_kg: Numeric
  /** Mass of packaging items marked as meeting GB 43352-2023 (migration 0016_rollup_gb43352_packaging). */
  gb43352_packaging_mass_kg: Numeric
  /** Outlet-months that reported each metric's data; per-parcel pairs of outlet-months that reported both sides (migration 0019). */
  narrow_tape_reporting_outlets: Count
  no_repack_reporting_outlets: Count
  recyclable_packaging_reporting_outlets: Count
  transit_bag_reporting_outlets: Count
  packaging_reporting_outlets: Count
  collection_reporting_outlets: Count
  emissions_reporting_outlets: Count
  per_parcel_packaging_mass_kg: Numeric
  packaging_parcels: Numeric
  per_parcel_co2e_kg: Numeric
  emissions_parcels: Numeric
  /** CO2e of the records costed with a fallback factor (migration 0016). */
  fallback_co2e_kg: Numeric
  gross_avoided_co2e_kg: Numeric
  consumer_avoided_co2e_kg: Numeric
  avoided_co2e_kg: Numeric
  factor_set_versions: ColumnType<string[], string[] | undefined, string[]>
  refreshed_at: Generated<Date>
}

export type MixMeasure = 'packaging_mass_kg' | 'vehicle_months' | 'distance_km'

export interface OutletMonthMixTable {
  outlet_id: number
  month: DateString
  brand_id: number
  region_code: string
  province_code: string
  city_code: string
  measure: MixMeasure
  category: string
  value: Numeric
}

export interface ReportsTables {
  target_sets: TargetSetsTable
  targets: TargetsTable
  outlet_month_rollups: OutletMonthRollupsTable
  outlet_month_mix: OutletMonthMixTable
}
