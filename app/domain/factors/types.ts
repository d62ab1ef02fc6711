import type Decimal from 'decimal.js'

/**
 * Closed vocabularies of a factor file. A value outside these lists stops the
 * load: a typo in a unit would otherwise multiply the wrong quantity.
 */
export const FACTOR_UNITS = [
  'kgCO2/kWh',
  'kgCO2e/kWh',
  'kgCO2/L',
  'kgCO2e/L',
  'kgCO2/kg',
  'kgCO2e/kg',
  'kgCO2/m3',
  'kgCO2e/m3',
  'kgCO2e/tkm',
  'kgCO2e/vkm',
  'kgCO2e/item',
] as const
export type FactorUnit = (typeof FACTOR_UNITS)[number]

/** What one unit of activity is measured in: the denominator of a factor unit. */
export const ACTIVITY_UNITS = ['kWh', 'L', 'kg', 'm3', 'tkm', 'vkm', 'item'] as const
export type ActivityUnit = (typeof ACTIVITY_UNITS)[number]

export function activityUnitOf(unit: FactorUnit): ActivityUnit {
  return unit.slice(unit.indexOf('/') + 1) as ActivityUnit
}

/**
 * ttw = tank-to-wheel (combustion), wtt = well-to-tank (fuel upstream),
 * wtw = both, generation = emissions where consumed electricity is generated
 * (location-based scope 2), cradle_to_gate = material production,
 * avoided = an avoided-emission reference (never an emission).
 */
export const BOUNDARIES = ['ttw', 'wtt', 'wtw', 'generation', 'cradle_to_gate', 'avoided'] as const
export type Boundary = (typeof BOUNDARIES)[number]

export const GHG_SCOPES = ['1', '2', '3', 'none'] as const
export type GhgScope = (typeof GHG_SCOPES)[number]

/** 1 = official Chinese national data, 2 = official international default or secondary official, 3 = literature estimate, proxy or derived with assumptions. */
export const DATA_QUALITY_TIERS = [1, 2, 3] as const
export type DataQualityTier = (typeof DATA_QUALITY_TIERS)[number]

export const VERIFIED_STATES = ['yes', 'secondary', 'no'] as const
export type VerifiedState = (typeof VERIFIED_STATES)[number]

export const SET_STATUSES = ['draft', 'published', 'retired'] as const
export type FactorSetStatus = (typeof SET_STATUSES)[number]

/** The seven regional grids of the MEE/NBS electricity factor announcements. */
export const GRID_REGIONS = [
  'north',
  'northeast',
  'east',
  'central',
  'northwest',
  'south',
  'southwest',
] as const
export type GridRegion = (typeof GRID_REGIONS)[number]

export type RegionLevel = 'province' | 'grid' | 'national'

/** Factor region: 'CN', 'grid:<GridRegion>' or a six-digit province code (GB/T 2260). */
export const NATIONAL_REGION = 'CN'

export interface FactorSource {
  document: string
  table: string
  page: string
}

export interface EmissionFactor {
  id: string
  quantity: string
  boundary: Boundary
  value: Decimal
  unit: FactorUnit
  /** Denominator of `unit`, precomputed so lookups never re-parse the unit. */
  per: ActivityUnit
  region: string
  regionLevel: RegionLevel
  validFromYear: number
  /** null = open-ended */
  validToYear: number | null
  releaseYear: number
  ghgScope: GhgScope
  dataQuality: DataQualityTier
  source: FactorSource
  verified: VerifiedState
  verificationNote: string
  note: string
  /** Row in factors.csv (header = row 1). */
  row: number
}

export interface LocalizedText {
  zh: string
  en: string
}

export interface FactorSetMeta {
  version: string
  /** YYYY-MM-DD */
  releaseDate: string
  status: FactorSetStatus
  title: LocalizedText
  notes: LocalizedText
  /** sha256 of the canonical content recorded when the set was published; null for drafts. */
  contentSha256: string | null
}

export interface GridRegionRow {
  /** Six-digit GB/T 2260 code: a province, or a city whose grid differs from its province's (蒙东). */
  code: string
  name: LocalizedText
  grid: GridRegion
  note: string
  row: number
}

/** A key that names one series of factors: the same thing, boundary and activity unit in different regions and years. */
export interface FactorKey {
  quantity: string
  boundary: Boundary
  per: ActivityUnit
}

/** Raw text of the three files of one set, each with the name used in error messages. */
export interface FactorSetFiles {
  setJson: { name: string; text: string }
  factorsCsv: { name: string; text: string }
  gridRegionsCsv: { name: string; text: string }
}
