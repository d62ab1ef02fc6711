import Decimal from 'decimal.js'
import { avoidedEmissions, type AvoidedKind } from '#app/domain/emissions/avoided.ts'
import { facilityEmissions } from '#app/domain/emissions/facility.ts'
import { fleetEmissions, type FleetInput, type FuelUnit, type VehicleClass, type VehicleEnergy } from '#app/domain/emissions/fleet.ts'
import { packagingEmissions, type PackagingInput } from '#app/domain/emissions/packaging.ts'
import { worstTier } from '#app/domain/emissions/provenance.ts'
import type { AvoidedResult, EmissionResult, Omission } from '#app/domain/emissions/types.ts'
import type { FactorFallback, FactorSet } from '#app/domain/factors/factor-set.ts'
import type { DataQualityTier } from '#app/domain/factors/types.ts'
import type { Message } from '#app/i18n/index.ts'
import type { ResultToWrite } from '#db/models/emissions.ts'
import type { CostedRecordType, EmissionCategory } from '#db/tables/emissions.ts'

/**
 * From one stored activity record to one emission result: which calculator a
 * record type goes to, with which inputs. Pure (no database): the service
 * reads the rows, this turns each into figures with the pure engine.
 *
 * packaging_consumption → packaging  items × unit mass × material factor (reusable: ÷ design life)
 * vehicle_use           → fleet      fuel first, electricity, else distance default
 * facility_electricity  → facility   kWh × grid factor of the outlet's province
 * shipment_stats        → avoided    e-waybills, narrow tape, no re-pack
 * recovery_collections  → avoided    cartons reused
 * reusable_assets       → avoided    recyclable box trips (transit-bag trips: see below)
 *
 * A record that yields both emissions and avoided emissions keeps both in the
 * same result row; its category is that of its emissions. None of today's
 * record types does.
 */

interface ActivityBase {
  recordId: string
  outletId: number
  /** GB/T 2260 code of the outlet (district or city): picks the grid factor. */
  regionCode: string
  /** The record's date, or the first day of its month (YYYY-MM-DD). */
  date: string
}

export type CostInput =
  | (ActivityBase & { recordType: 'facility_electricity'; electricityKwh: string })
  | (ActivityBase & {
      recordType: 'vehicle_use'
      vehicleClass: VehicleClass
      /** As stored in vehicles.energy (BEV, PHEV, FCEV, diesel, gasoline, CNG, LNG). */
      energy: string
      distanceKm: string
      fuelLitres: string | null
      fuelKg: string | null
      electricityKwh: string | null
    })
  | (ActivityBase & {
      recordType: 'packaging_consumption'
      itemCount: number
      item: PackagingItemFacts
    })
  | (ActivityBase & {
      recordType: 'shipment_stats'
      eWaybillParcels: number
      ecommerceOriginalParcels: number | null
      narrowTapeBoxParcels: number | null
    })
  | (ActivityBase & { recordType: 'recovery_collections'; cartonsReused: number })
  | (ActivityBase & { recordType: 'reusable_assets'; assetType: 'box' | 'transit_bag'; tripsCompleted: number })

export interface PackagingItemFacts {
  code: string
  /** Factor quantity of the material, as in packaging_items.material: 'material:corrugated_virgin'. */
  material: string
  unitMassKg: string
  designLifeUses: number | null
}

/** What is stored in emission_results for one record (the key and status are added by the service). */
export interface CostedRecord {
  outletId: number
  recordType: CostedRecordType
  recordId: string
  factorSetVersion: string
  month: string
  category: EmissionCategory
  co2eKg: Decimal
  avoidedCo2eKg: Decimal
  ttwKg: Decimal | null
  wttKg: Decimal | null
  electricityKg: Decimal | null
  method: string
  dataQuality: DataQualityTier
  provenance: Provenance
}

/** What a result was made from, as the engine reports it (stored compactly: see provenanceJson). */
export interface Provenance {
  /** The calculator's input exactly as given (Decimals as strings when stored). */
  inputs: unknown
  factorIds: readonly string[]
  fallbacks: readonly FactorFallback[]
  omissions: readonly { part: string; quantity: string; message: Message }[]
}

export type CostOutcome = { ok: true; record: CostedRecord } | { ok: false; error: Message }

const ZERO = new Decimal(0)

const ENERGY: Record<string, VehicleEnergy> = {
  BEV: 'bev',
  PHEV: 'phev',
  FCEV: 'fcev',
  diesel: 'diesel',
  gasoline: 'gasoline',
  CNG: 'cng',
  LNG: 'lng',
}

/** The first day (`YYYY-MM-01`) of an ISO date's month: the month column of a result. */
export function firstDayOfMonth(date: string): string {
  return `${date.slice(0, 7)}-01`
}

function yearOf(date: string): number {
  return Number(date.slice(0, 4))
}

/** Cost one activity record with one factor set. */
export function costActivity(set: FactorSet, input: CostInput): CostOutcome {
  switch (input.recordType) {
    case 'facility_electricity':
      return emission(set, input, 'facility', facilityEmissions(set, {
        regionCode: input.regionCode,
        year: yearOf(input.date),
        electricityKwh: new Decimal(input.electricityKwh),
      }))
    case 'vehicle_use':
      return costVehicleUse(set, input)
    case 'packaging_consumption': {
      const { item } = input
      const packaging: PackagingInput = {
        material: item.material.startsWith('material:') ? item.material.slice('material:'.length) : item.material,
        count: new Decimal(input.itemCount),
        unitMassKg: new Decimal(item.unitMassKg),
        year: yearOf(input.date),
      }
      if (item.designLifeUses !== null) packaging.designLifeUses = new Decimal(item.designLifeUses)
      return emission(set, input, 'packaging', packagingEmissions(set, packaging))
    }
    case 'shipment_stats': {
      const parts: [AvoidedKind, number | null][] = [
        ['e_waybill', input.eWaybillParcels],
        ['narrow_tape', input.narrowTapeBoxParcels],
        ['no_repack', input.ecommerceOriginalParcels],
      ]
      return avoided(set, input, parts)
    }
    case 'recovery_collections':
      return avoided(set, input, [['carton_reused', input.cartonsReused]])
    case 'reusable_assets':
      if (input.assetType === 'box') return avoided(set, input, [['recyclable_trip', input.tripsCompleted]])
      // The avoided-emission references price a trip against a single-use
      // carton; a transit bag replaces a woven sack instead, and no set has a
      // reference for that yet. Say so rather than borrow the carton's figure.
      return avoidedRecord(set, input, ZERO, 3, {
        inputs: { kind: 'transit_bag_trip', count: input.tripsCompleted, year: yearOf(input.date) },
        factorIds: [],
        fallbacks: [],
        omissions: [
          {
            part: 'avoided',
            quantity: 'avoided:transit_bag_trip',
            message: { key: 'emissions.omission.transitBagTrip', params: { version: set.version } },
          },
        ],
      })
  }
}

function emission<I>(
  set: FactorSet,
  input: CostInput,
  category: EmissionCategory,
  outcome: EmissionResult<I> | { ok: false; error: Message },
): CostOutcome {
  if (!outcome.ok) return outcome
  // One object literal with every field (no spread): this runs for every record of a recompute.
  return {
    ok: true,
    record: {
      outletId: input.outletId,
      recordType: input.recordType,
      recordId: input.recordId,
      factorSetVersion: set.version,
      month: firstDayOfMonth(input.date),
      category,
      co2eKg: outcome.co2eKg,
      avoidedCo2eKg: ZERO,
      ttwKg: outcome.ttwKg ?? null,
      wttKg: outcome.wttKg ?? null,
      electricityKg: outcome.electricityKg ?? null,
      method: outcome.method,
      dataQuality: outcome.dataQuality,
      provenance: {
        inputs: outcome.inputs,
        factorIds: outcome.factorIds,
        fallbacks: outcome.fallbacks,
        omissions: outcome.omissions as readonly Omission[],
      },
    },
  }
}

function costVehicleUse(set: FactorSet, input: Extract<CostInput, { recordType: 'vehicle_use' }>): CostOutcome {
  const energy = ENERGY[input.energy]
  if (energy === undefined) {
    return { ok: false, error: { key: 'emissions.error.unknownEnergy', params: { energy: input.energy } } }
  }
  // Fuel first: litres when recorded, else kilograms (CNG, LNG). A battery
  // vehicle burns none, whatever a sheet says in the fuel column.
  let fuelAmount: Decimal | null = null
  let fuelUnit: FuelUnit | null = null
  if (energy !== 'bev') {
    if (input.fuelLitres !== null) {
      fuelAmount = new Decimal(input.fuelLitres)
      fuelUnit = 'L'
    } else if (input.fuelKg !== null) {
      fuelAmount = new Decimal(input.fuelKg)
      fuelUnit = 'kg'
    }
  }
  let electricityKwh = input.electricityKwh === null ? null : new Decimal(input.electricityKwh)
  // A zero in one column beside a reading in the other is an empty cell, not a
  // second energy source (it would turn a fuel figure into "fuel and electricity").
  if (fuelAmount !== null && electricityKwh !== null) {
    if (fuelAmount.isZero() && !electricityKwh.isZero()) {
      fuelAmount = null
      fuelUnit = null
    } else if (electricityKwh.isZero() && !fuelAmount.isZero()) {
      electricityKwh = null
    }
  }
  // Absent readings stay absent (not null) so that the stored inputs list only what was recorded.
  const fleetInput: FleetInput = {
    vehicleClass: input.vehicleClass,
    energy,
    regionCode: input.regionCode,
    year: yearOf(input.date),
    distanceKm: new Decimal(input.distanceKm),
  }
  if (fuelAmount !== null) {
    fleetInput.fuelAmount = fuelAmount
    fleetInput.fuelUnit = fuelUnit
  }
  if (electricityKwh !== null) fleetInput.electricityKwh = electricityKwh
  return emission(set, input, 'fleet', fleetEmissions(set, fleetInput))
}

function avoided(set: FactorSet, input: CostInput, counts: readonly [AvoidedKind, number | null][]): CostOutcome {
  const year = yearOf(input.date)
  let total = ZERO
  let dataQuality: DataQualityTier = 1
  const factorIds: string[] = []
  const fallbacks: FactorFallback[] = []
  const used: Partial<Record<AvoidedKind, number>> = {}
  let single: AvoidedResult<unknown> | undefined
  let parts = 0
  for (const [kind, count] of counts) {
    if (count === null) continue
    const r = avoidedEmissions(set, { kind, count: new Decimal(count), year })
    if (!r.ok) return r
    single = r
    parts++
    used[kind] = count
    total = total.plus(r.avoidedCo2eKg)
    dataQuality = worstTier(dataQuality, r.dataQuality)
    factorIds.push(...r.factorIds)
    fallbacks.push(...r.fallbacks)
  }
  // nothing counted: no factor stands behind the zero, so it is not a tier-1 figure either
  return avoidedRecord(set, input, total, parts === 0 ? 3 : dataQuality, {
    // several kinds (shipment statistics): the counts by kind, factor ids in the same order
    inputs: parts === 1 ? single!.inputs : { year, counts: used },
    factorIds,
    fallbacks,
    omissions: [],
  })
}

/** The stored shape of an avoided-emission result: never any emissions of its own. */
function avoidedRecord(
  set: FactorSet,
  input: CostInput,
  avoidedCo2eKg: Decimal,
  dataQuality: DataQualityTier,
  provenance: Provenance,
): CostOutcome {
  return {
    ok: true,
    record: {
      outletId: input.outletId,
      recordType: input.recordType,
      recordId: input.recordId,
      factorSetVersion: set.version,
      month: firstDayOfMonth(input.date),
      category: 'avoided',
      co2eKg: ZERO,
      avoidedCo2eKg,
      ttwKg: null,
      wttKg: null,
      electricityKg: null,
      method: 'avoided_reference',
      dataQuality,
      provenance,
    },
  }
}

const PLAIN = /^[\w .:/-]*$/

/**
 * JSON of a calculator input, as JSON.stringify would write it with absent
 * (null) fields left out, written directly: this runs for every record of a
 * recompute, and JSON.stringify calling Decimal#toJSON field by field is the
 * slower way to the same text.
 */
function inputsJson(input: Record<string, unknown>): string {
  let out = '{'
  for (const key in input) {
    const value = input[key]
    if (value === null || value === undefined) continue
    out += out.length === 1 ? `"${key}":` : `,"${key}":`
    if (typeof value === 'number') out += String(value)
    else if (typeof value === 'string') out += PLAIN.test(value) ? `"${value}"` : JSON.stringify(value)
    else if (value instanceof Decimal) out += `"${value.toString()}"`
    else out += JSON.stringify(value)
  }
  return `${out}}`
}

// Most of a provenance is shared by every record costed with the same factors:
// the JSON of a fallback is made once per fallback object (the factor lookup
// memoizes them) and of a list of factor ids once per list.
const fallbackJson = new WeakMap<object, string>()
function compactFallback(f: FactorFallback): string {
  let json = fallbackJson.get(f)
  if (json === undefined) {
    json = JSON.stringify({ factorId: f.factorId, kinds: f.kinds, level: f.used.level, year: f.used.year })
    fallbackJson.set(f, json)
  }
  return json
}

const idsJson = new Map<string, string>()
function factorIdsJson(ids: readonly string[]): string {
  const key = ids.length === 1 ? (ids[0] as string) : ids.join('\n')
  let json = idsJson.get(key)
  if (json === undefined) idsJson.set(key, (json = JSON.stringify(ids)))
  return json
}

/**
 * The provenance as stored in emission_results.provenance (jsonb), kept small
 * because it is written for every record:
 *
 *   inputs     the calculator's input, decimals as strings, absent fields left out
 *   factorIds  every factor used, in order (look them up in emission_factors with the row's set version)
 *   fallbacks  only when a factor other than the one asked for was used:
 *              { factorId, kinds: ['region' | 'year'], level: 'province' | 'grid' | 'national', year }
 *              (the region and year asked for are inputs.regionCode and inputs.year)
 *   omissions  only when a part could not be computed: { part: 'wtt' | 'avoided', quantity }
 */
export function provenanceJson(p: Provenance): string {
  let json = `{"inputs":${inputsJson(p.inputs as Record<string, unknown>)},"factorIds":${factorIdsJson(p.factorIds)}`
  if (p.fallbacks.length > 0) json += `,"fallbacks":[${p.fallbacks.map(compactFallback).join(',')}]`
  if (p.omissions.length > 0) {
    json += `,"omissions":${JSON.stringify(p.omissions.map((o) => ({ part: o.part, quantity: o.quantity })))}`
  }
  return `${json}}`
}

/** The row stored in emission_results for a costed record (figures as exact decimal strings, provenance compact). */
export function toResultRow(c: CostedRecord, status: 'current' | 'restatement'): ResultToWrite {
  return {
    outletId: c.outletId,
    recordId: c.recordId,
    month: c.month,
    category: c.category,
    co2eKg: c.co2eKg === ZERO ? '0' : c.co2eKg.toFixed(),
    avoidedCo2eKg: c.avoidedCo2eKg === ZERO ? '0' : c.avoidedCo2eKg.toFixed(),
    ttwKg: c.ttwKg === null ? null : c.ttwKg.toFixed(),
    wttKg: c.wttKg === null ? null : c.wttKg.toFixed(),
    electricityKg: c.electricityKg === null ? null : c.electricityKg.toFixed(),
    method: c.method,
    dataQuality: c.dataQuality,
    provenance: provenanceJson(c.provenance),
    status,
  }
}
