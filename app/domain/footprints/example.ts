import Decimal from 'decimal.js'
import { facilityEmissions } from '#app/domain/emissions/facility.ts'
import { fleetEmissions } from '#app/domain/emissions/fleet.ts'
import { packagingEmissions } from '#app/domain/emissions/packaging.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import type { MessageKey } from '#app/i18n/index.ts'
import { allocateGroup, emptySplit, parcelFootprint, percentDecimals, publishedDecimals, type ActivityQuality, type GroupTotals } from './allocation.ts'
import { maxBatchParcels } from './request.ts'

const d = (value: string | number) => new Decimal(value)
const fixed = (value: Decimal) => value.toFixed(publishedDecimals)
const pct = (value: Decimal | null) => (value === null ? null : value.toFixed(percentDecimals))

export interface FootprintExampleLine {
  item: MessageKey
  activity: string
  activityUnit: string
  quality: ActivityQuality
  factorIds: string[]
  co2eKg: string
  ttwKg: string | null
}

export interface FootprintExample {
  parcels: number
  reportingOutlets: number
  lines: FootprintExampleLine[]
  hub: string | null
  ttw: string | null
  wtt: string | null
  wtw: string | null
  packaging: string | null
  total: string
  primaryDataShare: string | null
  perTonneFor25Kg: string | null
  factorSetVersion: string
  maxParcels: number
}

/**
 * A month of one brand in Zhengzhou, costed by the engine with the given set
 * and allocated by the same function the API uses, so the page cannot drift
 * from the figures partners receive. Null when the set cannot cost it.
 */
export function footprintExample(set: FactorSet): FootprintExample | null {
  const year = 2022
  const at = { regionCode: '410105', year }
  const outlets = facilityEmissions(set, { ...at, electricityKwh: d(3600) })
  const centre = facilityEmissions(set, { regionCode: '410104', year, electricityKwh: d(12000) })
  const diesel = fleetEmissions(set, { vehicleClass: 'light_van', energy: 'diesel', ...at, fuelAmount: d(300), fuelUnit: 'L', distanceKm: d(3500) })
  const bev = fleetEmissions(set, { vehicleClass: 'light_van', energy: 'bev', ...at, electricityKwh: d(900), distanceKm: d(4200) })
  const boxes = packagingEmissions(set, { material: 'corrugated_virgin', count: d(15000), unitMassKg: d('0.215'), year })
  const bags = packagingEmissions(set, { material: 'pe_film', count: d(15000), unitMassKg: d('0.02'), year })
  if (!outlets.ok || !centre.ok || !diesel.ok || !bev.ok || !boxes.ok || !bags.ok) return null
  const costed = [
    { item: 'footprints.method.item.outletElectricity', activity: '3600', unit: 'kWh', quality: 'measured', r: outlets, element: 'hub' },
    { item: 'footprints.method.item.sortingElectricity', activity: '12000', unit: 'kWh', quality: 'estimated', r: centre, element: 'hub' },
    { item: 'footprints.method.item.dieselVan', activity: '300', unit: 'L', quality: 'measured', r: diesel, element: 'transport' },
    { item: 'footprints.method.item.bevVan', activity: '900', unit: 'kWh', quality: 'measured', r: bev, element: 'transport' },
    { item: 'footprints.method.item.boxes', activity: '15000 × 0.215', unit: 'kg', quality: 'measured', r: boxes, element: 'packaging' },
    { item: 'footprints.method.item.bags', activity: '15000 × 0.02', unit: 'kg', quality: 'estimated', r: bags, element: 'packaging' },
  ] as const
  const sum = (element: string) => {
    const rows = costed.filter((c) => c.element === element)
    const byQuality = emptySplit()
    let co2eKg = d(0)
    for (const row of rows) {
      co2eKg = co2eKg.plus(row.r.co2eKg)
      byQuality[row.quality] = byQuality[row.quality].plus(row.r.co2eKg)
    }
    return { co2eKg, byQuality, records: rows.length }
  }
  const group: GroupTotals = {
    brandCode: 'example',
    level: 'city',
    geographyCode: '410100',
    month: '2022-10',
    parcels: d(30000),
    reportingOutlets: 3,
    hub: sum('hub'),
    transport: { ...sum('transport'), ttwKg: diesel.ttwKg ?? d(0) },
    packaging: {
      ...sum('packaging'),
      materials: [
        { material: 'material:corrugated_virgin', massKg: d(15000).times('0.215'), co2eKg: boxes.co2eKg },
        { material: 'material:pe_film', massKg: d(15000).times('0.02'), co2eKg: bags.co2eKg },
      ],
    },
    factorSetVersions: [set.version],
  }
  const outcome = allocateGroup(group)
  if (outcome.status !== 'ok') return null
  const footprint = parcelFootprint([outcome], { massKg: d('2.5') })
  const s = (v: Decimal | null | undefined) => (v === null || v === undefined ? null : fixed(v))
  return {
    parcels: 30000,
    reportingOutlets: 3,
    lines: costed.map((c) => ({
      item: c.item,
      activity: c.activity,
      activityUnit: c.unit,
      quality: c.quality,
      factorIds: [...c.r.factorIds],
      co2eKg: c.r.co2eKg.toFixed(),
      ttwKg: 'ttwKg' in c.r && c.r.ttwKg ? c.r.ttwKg.toFixed() : null,
    })),
    hub: s(outcome.hubOperations?.co2eKg),
    ttw: s(outcome.transport?.ttwKg),
    wtt: s(outcome.transport?.wttKg),
    wtw: s(outcome.transport?.co2eKg),
    packaging: s(outcome.packaging?.co2eKg),
    total: fixed(outcome.total.co2eKg),
    primaryDataShare: pct(outcome.total.primaryDataShare),
    perTonneFor25Kg: footprint.status === 'ok' ? s(footprint.perTonneKg) : null,
    factorSetVersion: set.version,
    maxParcels: maxBatchParcels,
  }
}

