import type { ColumnType, Generated } from 'kysely'
import {
  facilityElectricity,
  packagingConsumption,
  recoveryBins,
  recoveryCollections,
  reusableAssets,
  shipmentStats,
  vehicleUse,
  vehicles,
  type RecordDescriptor,
} from '#app/domain/records/index.ts'
import type { DateString, NumericString } from '../schema.ts'

type GeneratedAlways<T> = ColumnType<T, never, never>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** numeric columns: read as exact strings, written from strings (or Decimal#toString()). */
type Numeric = ColumnType<NumericString, NumericString, NumericString>

export type DataQuality = 'measured' | 'estimated' | 'default'
export type RowSource = 'form' | 'csv' | 'seed'

/** Columns every activity fact table has. */
export interface FactColumns {
  id: GeneratedAlways<string>
  outlet_id: number
  brand_id: number
  region_code: string
  data_quality: DataQuality
  source: RowSource
  import_batch_id: string | null
  row_fingerprint: string | null
  created_by: number | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
  superseded_at: Timestamp | null
  superseded_by: string | null
  restatement_reason: string | null
}

export interface PackagingItemsTable {
  id: GeneratedAlways<number>
  code: string
  name_zh: string
  name_en: string
  category: 'box' | 'bag' | 'envelope' | 'tape' | 'filler' | 'waybill' | 'transit_bag' | 'other'
  material: string
  unit_mass_kg: Numeric
  outer_length_mm: number | null
  outer_width_mm: number | null
  outer_height_mm: number | null
  fits_base_module: boolean | null
  tape_width_mm: number | null
  meets_gb_t_16606: Generated<boolean>
  meets_gb_43352: Generated<boolean>
  plastic: Generated<boolean>
  degradable: Generated<boolean>
  reusable: Generated<boolean>
  design_life_uses: number | null
  source: string
}

export interface ImportBatchesTable {
  id: GeneratedAlways<string>
  record_type: string
  brand_id: number | null
  outlet_id: number | null
  file_name: string
  file_sha256: string
  encoding: string
  uploaded_by: number | null
  created_at: Generated<Date>
  committed_at: Timestamp | null
  rows_total: Generated<number>
  rows_accepted: Generated<number>
  rows_rejected: Generated<number>
  rows_duplicate: Generated<number>
  rows_replaced: Generated<number>
}

export interface ShipmentStatsTable extends FactColumns {
  stat_date: DateString
  parcels: number
  e_waybill_parcels: number
  paper_waybill_parcels: number
  ecommerce_parcels: number | null
  ecommerce_original_parcels: number | null
  recyclable_packaging_parcels: number | null
  box_parcels: number | null
  narrow_tape_box_parcels: number | null
  transit_bags: number | null
  recyclable_transit_bags: number | null
}

export interface PackagingConsumptionTable extends FactColumns {
  period_start: DateString
  period_kind: 'day' | 'month'
  item_id: number
  item_count: number
}

export interface RecoveryBinsTable extends FactColumns {
  as_of_date: DateString
  installed_bins: number
  labelled_bins: number
  in_service_bins: number
}

export interface RecoveryCollectionsTable extends FactColumns {
  collection_date: DateString
  cartons_collected: number
  cartons_reused: number
  recycler_mass_kg: Numeric | null
  recycler_name: string | null
}

export interface ReusableAssetsTable extends FactColumns {
  month: DateString
  asset_type: 'box' | 'transit_bag'
  in_circulation: number
  trips_completed: number
  returns: number
  losses: number
}

export interface VehiclesTable extends FactColumns {
  plate: string
  vehicle_class: 'electric_tricycle' | 'light_van' | 'light_truck' | 'heavy_truck'
  energy: 'BEV' | 'PHEV' | 'FCEV' | 'diesel' | 'gasoline' | 'CNG' | 'LNG'
  emission_standard: 'guo5' | 'guo6' | 'none'
  in_service_from: DateString
  in_service_to: DateString | null
  acquisition: 'new' | 'replacement' | 'existing'
}

export interface VehicleUseTable extends FactColumns {
  vehicle_id: string
  month: DateString
  distance_km: Numeric
  fuel_litres: Numeric | null
  fuel_kg: Numeric | null
  electricity_kwh: Numeric | null
}

export interface FacilityElectricityTable extends FactColumns {
  month: DateString
  electricity_kwh: Numeric
}

export interface PeriodSubmissionsTable {
  outlet_id: number
  month: DateString
  submitted_at: Generated<Date>
  submitted_by: number | null
}

/** The record types' tables, each under the table name its descriptor gives. */
export interface RecordTables {
  [shipmentStats.table]: ShipmentStatsTable
  [packagingConsumption.table]: PackagingConsumptionTable
  [recoveryBins.table]: RecoveryBinsTable
  [recoveryCollections.table]: RecoveryCollectionsTable
  [reusableAssets.table]: ReusableAssetsTable
  [vehicles.table]: VehiclesTable
  [vehicleUse.table]: VehicleUseTable
  [facilityElectricity.table]: FacilityElectricityTable
}

export interface ActivityTables extends RecordTables {
  packaging_items: PackagingItemsTable
  import_batches: ImportBatchesTable
  period_submissions: PeriodSubmissionsTable
}

/** A table that holds activity facts: one per record type. */
export type FactTable = RecordDescriptor['table']
