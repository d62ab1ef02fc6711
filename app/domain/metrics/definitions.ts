/**
 * The metrics of the compliance reports (spec, "Metrics and targets"). Each is
 * a ratio of two rollup sums, or one sum, optionally scaled (kg to g, kg to t).
 * Rollup field names are documented in README.md beside this file.
 */

export const rollupFields = [
  // Shipment statistics, summed over days.
  'parcels',
  'e_waybill_parcels',
  'box_parcels',
  'narrow_tape_box_parcels',
  'ecommerce_parcels',
  'ecommerce_original_parcels',
  'recyclable_packaging_parcels',
  'same_city_parcels',
  'same_city_recyclable_packaging_parcels',
  'transit_bags',
  'recyclable_transit_bags',
  // Outlets, summed as outlet-months.
  'outlets',
  'reporting_outlets',
  'outlets_with_bin',
  // Outlet-months that reported a metric's data (migration 0019): a metric's
  // coverage, and what tells a count nobody reported from a reported 0.
  'narrow_tape_reporting_outlets',
  'no_repack_reporting_outlets',
  'recyclable_packaging_reporting_outlets',
  'transit_bag_reporting_outlets',
  'packaging_reporting_outlets',
  'collection_reporting_outlets',
  'emissions_reporting_outlets',
  // Packaging consumption.
  'packaging_mass_kg',
  'standard_packaging_mass_kg',
  // Of that, items meeting the mandatory GB 43352-2023 alone.
  'gb43352_packaging_mass_kg',
  // Per-parcel pairs: packaging mass (CO2e) of outlet-months that also
  // reported shipments, parcels of outlet-months that also reported packaging
  // (emissions), so that one side's absence is never read as 0 g/parcel.
  'per_parcel_packaging_mass_kg',
  'packaging_parcels',
  'per_parcel_co2e_kg',
  'emissions_parcels',
  'plastic_bags',
  'degradable_plastic_bags',
  'non_degradable_plastic_items',
  // Recovery.
  'cartons_reused',
  // Fleet: in-service counts summed as vehicle-months.
  'vehicles_in_service',
  'nev_in_service',
  'distance_km',
  'nev_distance_km',
  'vehicles_acquired',
  'nev_acquired',
  // Emissions engine output.
  'co2e_kg',
  // The part of co2e_kg from records costed with a fallback factor (shown as a share, not a metric).
  'fallback_co2e_kg',
  'avoided_co2e_kg',
] as const

export type RollupField = (typeof rollupFields)[number]

export type MetricKind = 'ratio' | 'count' | 'intensity'
export type MetricDirection = 'higher_is_better' | 'lower_is_better'

/** Display units; each has a catalog entry `metric.unit.<unit>`. */
export type MetricUnit =
  | 'percent'
  | 'parcels'
  | 'cartons'
  | 'items'
  | 'g_per_parcel'
  | 'gco2e_per_parcel'
  | 'tco2e'

export interface MetricDefinition {
  code: string
  kind: MetricKind
  numerator: RollupField
  /** null for a count: the value is the (scaled) numerator itself. */
  denominator: RollupField | null
  /** Multiplier of numerator/denominator, a Decimal string ('1000' for kg to g). */
  scale: string
  direction: MetricDirection
  unit: MetricUnit
  /** Decimals suggested when shown (a ratio's decimals are of its percentage). */
  fractionDigits: number
  /**
   * Outlet-months that reported this metric's data: its coverage is this over
   * `outlets`, and with none the metric is "insufficient data", never 0.
   */
  reportedBy: RollupField
}

const definitions = [
  // Parcels and e-waybill parcels are required fields of the daily shipment statistics.
  ratio('e_waybill_rate', 'e_waybill_parcels', 'parcels'),
  // Box parcels and narrow-tape box parcels are optional: a day with either
  // blank did not report the metric and leaves numerator and denominator.
  ratio('narrow_tape_rate', 'narrow_tape_box_parcels', 'box_parcels', 'narrow_tape_reporting_outlets'),
  // E-commerce parcels and 原包装直发件数 are optional: the same rule.
  ratio('no_repack_rate', 'ecommerce_original_parcels', 'ecommerce_parcels', 'no_repack_reporting_outlets'),
  // Transit bags and recyclable transit bags are optional: the same rule.
  ratio('recyclable_transit_bag_rate', 'recyclable_transit_bags', 'transit_bags', 'transit_bag_reporting_outlets'),
  // Recovery bins are a state (the latest snapshot), not a figure of the month.
  ratio('recovery_bin_coverage', 'outlets_with_bin', 'outlets'),
  // Packaging consumption: an outlet-month without any record did not report it.
  ratio('standard_packaging_rate', 'standard_packaging_mass_kg', 'packaging_mass_kg', 'packaging_reporting_outlets'),
  // GB 43352-2023 is mandatory (since 2024-06-01); GB/T 16606 is not: the mandatory part is reported on its own.
  ratio('gb43352_packaging_rate', 'gb43352_packaging_mass_kg', 'packaging_mass_kg', 'packaging_reporting_outlets'),
  // Recyclable-packaging parcels are optional: a blank day adds nothing, and a
  // scope where no day carried the field has no figure rather than 0.
  count('recyclable_packaging_parcels', 'recyclable_packaging_parcels', 'parcels', 'recyclable_packaging_reporting_outlets'),
  // The NDRC 2023 target is a share of same-city parcels, not of all parcels.
  ratio(
    'same_city_recyclable_packaging_rate',
    'same_city_recyclable_packaging_parcels',
    'same_city_parcels',
  ),
  // Recovery collections: a month without any record did not report cartons reused.
  count('cartons_reused', 'cartons_reused', 'cartons', 'collection_reporting_outlets'),
  ratio('nev_fleet_share', 'nev_in_service', 'vehicles_in_service'),
  ratio('nev_fleet_distance_share', 'nev_distance_km', 'distance_km'),
  ratio('nev_new_vehicle_share', 'nev_acquired', 'vehicles_acquired'),
  {
    // Only outlet-months that reported both packaging and shipments.
    code: 'packaging_per_parcel_g',
    kind: 'intensity',
    numerator: 'per_parcel_packaging_mass_kg',
    denominator: 'packaging_parcels',
    scale: '1000',
    direction: 'lower_is_better',
    unit: 'g_per_parcel',
    fractionDigits: 1,
    reportedBy: 'packaging_reporting_outlets',
  },
  ratio('degradable_bag_share', 'degradable_plastic_bags', 'plastic_bags', 'packaging_reporting_outlets'),
  {
    ...count('non_degradable_plastic_items', 'non_degradable_plastic_items', 'items', 'packaging_reporting_outlets'),
    direction: 'lower_is_better',
  },
  {
    // Only outlet-months that reported both emissions (packaging, fleet or facility records) and shipments.
    code: 'co2e_per_parcel_g',
    kind: 'intensity',
    numerator: 'per_parcel_co2e_kg',
    denominator: 'emissions_parcels',
    scale: '1000',
    direction: 'lower_is_better',
    unit: 'gco2e_per_parcel',
    fractionDigits: 1,
    reportedBy: 'emissions_reporting_outlets',
  },
  {
    code: 'co2e_t',
    kind: 'count',
    numerator: 'co2e_kg',
    denominator: null,
    scale: '0.001',
    direction: 'lower_is_better',
    unit: 'tco2e',
    fractionDigits: 3,
    reportedBy: 'emissions_reporting_outlets',
  },
  {
    // Avoided emissions come mostly from the daily shipment statistics.
    code: 'avoided_co2e_t',
    kind: 'count',
    numerator: 'avoided_co2e_kg',
    denominator: null,
    scale: '0.001',
    direction: 'higher_is_better',
    unit: 'tco2e',
    fractionDigits: 3,
    reportedBy: 'reporting_outlets',
  },
] as const satisfies readonly MetricDefinition[]

export type MetricCode = (typeof definitions)[number]['code']

export const metricDefinitions: readonly (MetricDefinition & { code: MetricCode })[] = definitions

export const metricCodes: readonly MetricCode[] = definitions.map((d) => d.code)

const byCode = new Map<string, MetricDefinition & { code: MetricCode }>(
  definitions.map((d) => [d.code, d]),
)

export function isMetricCode(value: unknown): value is MetricCode {
  return typeof value === 'string' && byCode.has(value)
}

export function getMetric(code: MetricCode): MetricDefinition & { code: MetricCode } {
  const definition = byCode.get(code)
  if (!definition) throw new Error(`Unknown metric: ${code}`)
  return definition
}

/** Catalog keys of a metric's name, its definition sentence, and its unit. */
export function metricLabelKeys(code: MetricCode) {
  return {
    name: `metric.${code}.name`,
    definition: `metric.${code}.definition`,
    unit: `metric.unit.${getMetric(code).unit}`,
  } as const
}

function ratio<const C extends string>(
  code: C,
  numerator: RollupField,
  denominator: RollupField,
  reportedBy: RollupField = 'reporting_outlets',
) {
  return {
    code,
    kind: 'ratio',
    numerator,
    denominator,
    scale: '1',
    direction: 'higher_is_better',
    unit: 'percent',
    fractionDigits: 1,
    reportedBy,
  } as const
}

function count<const C extends string, const U extends MetricUnit>(
  code: C,
  numerator: RollupField,
  unit: U,
  reportedBy: RollupField,
) {
  return {
    code,
    kind: 'count',
    numerator,
    denominator: null,
    scale: '1',
    direction: 'higher_is_better',
    unit,
    fractionDigits: 0,
    reportedBy,
  } as const
}
