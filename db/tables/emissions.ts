import type { ColumnType, Generated, Selectable } from 'kysely'
import type { CostedRecordType, EmissionCategory } from '#app/domain/emissions/types.ts'
import type { DateString, NumericString } from '../schema.ts'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
/** numeric columns: read as exact strings, written from strings (or Decimal#toString()). */
type Numeric = ColumnType<NumericString, NumericString, NumericString>
type NumericWithDefault = ColumnType<NumericString, NumericString | undefined, NumericString>

export type FactorSetStatus = 'draft' | 'published' | 'retired'

export interface FactorSetsTable {
  version: string
  status: FactorSetStatus
  release_date: DateString
  title_zh: string
  title_en: string
  notes_zh: Generated<string>
  notes_en: Generated<string>
  content_sha256: string
  set_json: string
  factors_csv: string
  grid_regions_csv: string
  factor_count: number
  created_at: Generated<Date>
  created_by: number | null
  published_at: Timestamp | null
  published_by: number | null
  retired_at: Timestamp | null
  retired_by: number | null
}

export interface EmissionFactorsTable {
  factor_set_version: string
  id: string
  quantity: string
  boundary: 'ttw' | 'wtt' | 'wtw' | 'generation' | 'cradle_to_gate' | 'avoided'
  value: Numeric
  unit: string
  per: string
  region: string
  region_level: 'province' | 'grid' | 'national'
  valid_from_year: number
  valid_to_year: number | null
  release_year: number
  ghg_scope: '1' | '2' | '3' | 'none'
  data_quality: number
  source_document: string
  source_table: Generated<string>
  source_page: Generated<string>
  verified: 'yes' | 'secondary' | 'no'
  verification_note: Generated<string>
  note: Generated<string>
  file_row: number
}

export interface FactorGridRegionsTable {
  factor_set_version: string
  code: string
  name_zh: string
  name_en: string
  grid: 'north' | 'northeast' | 'east' | 'central' | 'northwest' | 'south' | 'southwest'
  note: Generated<string>
}

// The record types and categories are the engine's (the domain's); the table stores them.
export { costedRecordTypes, type CostedRecordType, type EmissionCategory } from '#app/domain/emissions/types.ts'

/**
 * current     the result reports use;
 * restatement computed by a newer set for a locked (submitted) month, shown beside the locked current one;
 * superseded  replaced by a later result (kept for the record).
 */
export type EmissionResultStatus = 'current' | 'restatement' | 'superseded'

export interface EmissionResultsTable {
  outlet_id: number
  record_type: CostedRecordType
  record_id: string
  factor_set_version: string
  /** First day of the record's month. */
  month: DateString
  category: EmissionCategory
  co2e_kg: NumericWithDefault
  avoided_co2e_kg: NumericWithDefault
  ttw_kg: Numeric | null
  wtt_kg: Numeric | null
  electricity_kg: Numeric | null
  method: string
  /** Worst factor data quality tier used (1 best, 3 worst). */
  data_quality: number
  /** { inputs, factorIds, fallbacks, omissions }: everything needed to redo the figure by hand. */
  provenance: unknown
  computed_at: Generated<Date>
  status: EmissionResultStatus
}

export interface EmissionTables {
  factor_sets: FactorSetsTable
  emission_factors: EmissionFactorsTable
  factor_grid_regions: FactorGridRegionsTable
  emission_results: EmissionResultsTable
}

export type FactorSetRow = Selectable<FactorSetsTable>
export type EmissionResultRow = Selectable<EmissionResultsTable>
