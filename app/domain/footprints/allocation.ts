import Decimal from 'decimal.js'
import { minOtherBrandOutlets } from '#app/domain/metrics/suppression.ts'

/**
 * A parcel's footprint, allocated from what the platform records (ISO 14083 /
 * GLEC Framework v3): one brand, one geography (city, province or the
 * nation), one month. Every parcel the group's outlets handled carries the
 * same share: the parcel count is the allocation unit, because parcels, not
 * their masses or distances, are what outlets record
 * (docs/decisions/085-parcel-footprints.md).
 *
 *   hub operations   = electricity CO2e of the group's outlets and sorting centres ÷ parcels
 *   transport TTW    = tank-to-wheel CO2e of the group's vehicles ÷ parcels
 *   transport WTT    = (well-to-tank CO2e + grid electricity CO2e of the vehicles) ÷ parcels
 *   transport WTW    = TTW + WTT
 *   packaging        = packaging CO2e ÷ parcels, and by material (kg of material and kg CO2e per parcel)
 *   total            = hub + WTW + packaging (the parts reported, each rounded as published)
 *
 * Pure: the totals come in as arguments, already summed in SQL.
 */

export const ACTIVITY_QUALITIES = ['measured', 'estimated', 'default'] as const
export type ActivityQuality = (typeof ACTIVITY_QUALITIES)[number]

/** kg CO2e by how the activity data behind it was obtained. */
export type QualitySplit = Record<ActivityQuality, Decimal>

/** Fewer reporting outlets than this behind a figure: suppressed, as the reports' benchmark cells. */
export const minReportingOutlets = minOtherBrandOutlets

/** Decimal places of a published kg CO2e figure (milligrams) and of a percentage. */
export const publishedDecimals = 6
export const percentDecimals = 2

export type GeographyLevel = 'city' | 'province' | 'national'
/** The nation, as the target sets write it. */
export const nationalCode = '000000'

export interface ElementTotals {
  co2eKg: Decimal
  byQuality: QualitySplit
  /** Stored results behind the figure: 0 means the element was not reported (missing, never zero). */
  records: number
}

export interface TransportTotals extends ElementTotals {
  /** Tank-to-wheel part of co2eKg; the rest is well-to-tank (fuel supply and grid electricity). */
  ttwKg: Decimal
}

export interface MaterialTotals {
  /** As in packaging_items.material, e.g. 'material:corrugated_virgin'. */
  material: string
  massKg: Decimal
  co2eKg: Decimal
}

export interface GroupTotals {
  brandCode: string
  level: GeographyLevel
  /** GB/T 2260 code of the city or province, or 000000 for the nation. */
  geographyCode: string
  /** YYYY-MM */
  month: string
  /** Parcels handled by the group's outlets in the month (shipment statistics). */
  parcels: Decimal
  /** Outlets of the group that sent shipment statistics in the month. */
  reportingOutlets: number
  hub: ElementTotals
  transport: TransportTotals
  packaging: ElementTotals & { materials: readonly MaterialTotals[] }
  factorSetVersions: readonly string[]
}

export interface ElementIntensity {
  /** kg CO2e per parcel, rounded as published. */
  co2eKg: Decimal
  /** Share of the element's emissions from measured activity data, percent (PACT primaryDataShare). */
  primaryDataShare: Decimal | null
  /** Shares by how the activity data was obtained, percent; null when the element's emissions are zero. */
  qualityShares: Record<ActivityQuality, Decimal> | null
}

export interface TransportIntensity extends ElementIntensity {
  ttwKg: Decimal
  wttKg: Decimal
}

export interface MaterialIntensity {
  material: string
  massKg: Decimal
  co2eKg: Decimal
}

export type Element = 'hubOperations' | 'transport' | 'packaging'
export const ELEMENTS: readonly Element[] = ['hubOperations', 'transport', 'packaging']

export type IntensityOutcome =
  | {
      status: 'ok'
      group: GroupTotals
      hubOperations: ElementIntensity | null
      transport: TransportIntensity | null
      packaging: (ElementIntensity & { materials: MaterialIntensity[] }) | null
      /** Sum of the elements reported. */
      total: ElementIntensity
      /** Elements with no record behind them: left out of the total, and said so. */
      notReported: Element[]
    }
  | { status: 'suppressed'; group: GroupTotals }
  | { status: 'no_data'; group: GroupTotals }

const ZERO = new Decimal(0)
const HUNDRED = new Decimal(100)

export function emptySplit(): QualitySplit {
  return { measured: ZERO, estimated: ZERO, default: ZERO }
}

export function publish(value: Decimal): Decimal {
  return value.toDecimalPlaces(publishedDecimals, Decimal.ROUND_HALF_UP)
}

function percent(part: Decimal, whole: Decimal): Decimal {
  return part.times(HUNDRED).dividedBy(whole).toDecimalPlaces(percentDecimals, Decimal.ROUND_HALF_UP)
}

function shares(split: QualitySplit, whole: Decimal): Record<ActivityQuality, Decimal> | null {
  if (whole.isZero()) return null
  return {
    measured: percent(split.measured, whole),
    estimated: percent(split.estimated, whole),
    default: percent(split.default, whole),
  }
}

function element(totals: ElementTotals, parcels: Decimal): ElementIntensity | null {
  if (totals.records === 0) return null
  const qualityShares = shares(totals.byQuality, totals.co2eKg)
  return { co2eKg: publish(totals.co2eKg.dividedBy(parcels)), primaryDataShare: qualityShares?.measured ?? null, qualityShares }
}

/** What the partner API may publish of a group: its figures, nothing (too few outlets), or there are none. */
export function publicationStatus(group: GroupTotals): 'published' | 'suppressed' | 'no_data' {
  if (group.parcels.lessThanOrEqualTo(0) || group.reportingOutlets === 0) return 'no_data'
  // Parcels but no emission record at all: nothing to allocate, not a zero footprint.
  if (group.hub.records + group.transport.records + group.packaging.records === 0) return 'no_data'
  return group.reportingOutlets < minReportingOutlets ? 'suppressed' : 'published'
}

/**
 * The group's intensities per parcel. No parcels (or no outlet reporting
 * them, or no emission record): no intensity, never a zero one. Fewer than 3 reporting outlets: the
 * figures are withheld, so no outlet's own figures can be read off them
 * (a regulator's or the brand's own export passes withholdSmallGroups: false).
 */
export function allocateGroup(group: GroupTotals, options: { withholdSmallGroups?: boolean } = {}): IntensityOutcome {
  const status = publicationStatus(group)
  if (status === 'no_data') return { status, group }
  if (status === 'suppressed' && options.withholdSmallGroups !== false) return { status, group }
  const parcels = group.parcels

  const hubOperations = element(group.hub, parcels)
  const transportBase = element(group.transport, parcels)
  const transport: TransportIntensity | null = transportBase
    ? (() => {
        const ttwKg = publish(group.transport.ttwKg.dividedBy(parcels))
        const wttKg = publish(group.transport.co2eKg.minus(group.transport.ttwKg).dividedBy(parcels))
        // WTW is published as the sum of the parts as published, so a reader's sum agrees.
        return { ...transportBase, ttwKg, wttKg, co2eKg: ttwKg.plus(wttKg) }
      })()
    : null
  const packagingBase = element(group.packaging, parcels)
  const packaging = packagingBase
    ? {
        ...packagingBase,
        materials: [...group.packaging.materials]
          .sort((a, b) => (a.material < b.material ? -1 : a.material > b.material ? 1 : 0))
          .map((m) => ({ material: m.material, massKg: publish(m.massKg.dividedBy(parcels)), co2eKg: publish(m.co2eKg.dividedBy(parcels)) })),
      }
    : null

  const reported: [ElementIntensity, ElementTotals][] = []
  const notReported: Element[] = []
  for (const [name, intensity, totals] of [
    ['hubOperations', hubOperations, group.hub],
    ['transport', transport, group.transport],
    ['packaging', packaging, group.packaging],
  ] as const) {
    if (intensity) reported.push([intensity, totals])
    else notReported.push(name)
  }
  const totalKg = reported.reduce((sum, [i]) => sum.plus(i.co2eKg), ZERO)
  const totalEmissions = reported.reduce((sum, [, t]) => sum.plus(t.co2eKg), ZERO)
  const totalSplit = reported.reduce<QualitySplit>(
    (sum, [, t]) => ({
      measured: sum.measured.plus(t.byQuality.measured),
      estimated: sum.estimated.plus(t.byQuality.estimated),
      default: sum.default.plus(t.byQuality.default),
    }),
    emptySplit(),
  )
  const totalShares = shares(totalSplit, totalEmissions)
  return {
    status: 'ok',
    group,
    hubOperations,
    transport,
    packaging,
    total: { co2eKg: totalKg, primaryDataShare: totalShares?.measured ?? null, qualityShares: totalShares },
    notReported,
  }
}

export type FallbackReason = 'suppressed' | 'no_data'

export type ParcelFootprint =
  | {
      status: 'ok'
      /** The intensity used: the first of the chain (city, province, nation) that could be published. */
      intensity: Extract<IntensityOutcome, { status: 'ok' }>
      /** Each narrower geography passed over, and why. */
      fallbacks: { level: GeographyLevel; geographyCode: string; reason: FallbackReason }[]
      hubOperationsKg: Decimal | null
      ttwKg: Decimal | null
      wttKg: Decimal | null
      wtwKg: Decimal | null
      packagingKg: Decimal | null
      totalKg: Decimal
      /** kg CO2e per tonne of the parcel, where its mass is given: the total ÷ mass in tonnes. */
      perTonneKg: Decimal | null
    }
  | { status: 'no_data'; fallbacks: { level: GeographyLevel; geographyCode: string; reason: FallbackReason }[] }

/**
 * A parcel described by a shipper gets the intensity of its brand, origin
 * and month: the city's, or where that is withheld or empty the province's,
 * then the nation's, saying which it passed over. Its figures are that
 * intensity's (every parcel of the group carries the same share).
 */
export function parcelFootprint(chain: readonly IntensityOutcome[], parcel: { massKg?: Decimal | null }): ParcelFootprint {
  const fallbacks: { level: GeographyLevel; geographyCode: string; reason: FallbackReason }[] = []
  for (const outcome of chain) {
    if (outcome.status !== 'ok') {
      fallbacks.push({ level: outcome.group.level, geographyCode: outcome.group.geographyCode, reason: outcome.status })
      continue
    }
    const mass = parcel.massKg ?? null
    return {
      status: 'ok',
      intensity: outcome,
      fallbacks,
      hubOperationsKg: outcome.hubOperations?.co2eKg ?? null,
      ttwKg: outcome.transport?.ttwKg ?? null,
      wttKg: outcome.transport?.wttKg ?? null,
      wtwKg: outcome.transport?.co2eKg ?? null,
      packagingKg: outcome.packaging?.co2eKg ?? null,
      totalKg: outcome.total.co2eKg,
      perTonneKg: mass && mass.greaterThan(0) ? publish(outcome.total.co2eKg.times(1000).dividedBy(mass)) : null,
    }
  }
  return { status: 'no_data', fallbacks }
}

/** How withheld figures are described to partners (the OpenAPI document). */
export const maxReportingOutletsNote = `An intensity with fewer than ${minReportingOutlets} reporting outlets behind it is withheld; a parcel then gets its province’s, then the nation’s, and the answer says so.`
