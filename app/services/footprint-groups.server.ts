import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { chinaDay } from '#app/domain/credits/actions.ts'
import { emptySplit, nationalCode, type GeographyLevel, type GroupTotals, type QualitySplit } from '#app/domain/footprints/allocation.ts'
import { brandIdsByCode, footprintGroups, footprintMaterials, regionsByCode, type FootprintGroupRow, type FootprintMaterialRow } from '#db/models/footprints.ts'
import type { Database } from '#db/schema.ts'

/**
 * The month's sums behind parcel footprints, as the domain's group totals
 * (app/domain/footprints), with the names of their brands and regions: read
 * by the partner API and by the intensities CSV alike.
 */

type Db = Kysely<Database>

const d = (value: string | number) => new Decimal(value)

export function groupKey(brandCode: string, level: GeographyLevel, code: string, month: string): string {
  return `${brandCode}|${level}|${code}|${month}`
}

export function emptyGroup(brandCode: string, level: GeographyLevel, geographyCode: string, month: string): GroupTotals {
  const none = { co2eKg: d(0), byQuality: emptySplit(), records: 0 }
  return { brandCode, level, geographyCode, month, parcels: d(0), reportingOutlets: 0, hub: none, transport: { ...none, ttwKg: d(0) }, packaging: { ...none, materials: [] }, factorSetVersions: [] }
}

function split(measured: string, estimated: string, byDefault: string): QualitySplit {
  return { measured: d(measured), estimated: d(estimated), default: d(byDefault) }
}

function toGroup(row: FootprintGroupRow, materials: readonly FootprintMaterialRow[], month: string): GroupTotals {
  return {
    brandCode: row.brandCode,
    level: row.level,
    geographyCode: row.geographyCode,
    month,
    parcels: d(row.parcels),
    reportingOutlets: row.reportingOutlets,
    hub: { co2eKg: d(row.hubKg), byQuality: split(row.hubMeasuredKg, row.hubEstimatedKg, row.hubDefaultKg), records: row.hubRecords },
    transport: {
      co2eKg: d(row.fleetKg),
      ttwKg: d(row.fleetTtwKg),
      byQuality: split(row.fleetMeasuredKg, row.fleetEstimatedKg, row.fleetDefaultKg),
      records: row.fleetRecords,
    },
    packaging: {
      co2eKg: d(row.packagingKg),
      byQuality: split(row.packagingMeasuredKg, row.packagingEstimatedKg, row.packagingDefaultKg),
      records: row.packagingRecords,
      materials: materials.map((m) => ({ material: m.material, massKg: d(m.massKg), co2eKg: d(m.co2eKg) })),
    },
    factorSetVersions: [...row.factorSetVersions].sort(),
  }
}

/** Every group of the month for these brands (or the viewer's reach), keyed by groupKey. */
export async function loadGroups(db: Db, month: string, filter: { brandIds: readonly number[] | null; viewer: Viewer | null }): Promise<Map<string, GroupTotals>> {
  const args = { month: `${month}-01`, brandIds: filter.brandIds, viewer: filter.viewer }
  const [rows, materials] = await Promise.all([footprintGroups(db, args), footprintMaterials(db, args)])
  const byGroup = new Map<string, FootprintMaterialRow[]>()
  for (const m of materials) {
    const key = `${m.brandId}|${m.level}|${m.geographyCode}`
    byGroup.set(key, [...(byGroup.get(key) ?? []), m])
  }
  const out = new Map<string, GroupTotals>()
  for (const row of rows) {
    out.set(groupKey(row.brandCode, row.level, row.geographyCode, month), toGroup(row, byGroup.get(`${row.brandId}|${row.level}|${row.geographyCode}`) ?? [], month))
  }
  return out
}

/** The geographies a parcel's intensity is looked for in, narrowest first. */
export function chainOf(regionCode: string): { level: GeographyLevel; code: string }[] {
  const province = `${regionCode.slice(0, 2)}0000`
  const chain: { level: GeographyLevel; code: string }[] = []
  if (regionCode !== province) chain.push({ level: 'city', code: `${regionCode.slice(0, 4)}00` })
  chain.push({ level: 'province', code: province }, { level: 'national', code: nationalCode })
  return chain
}

export interface Names {
  brands: Map<string, { id: number; nameZh: string; nameEn: string }>
  regions: Map<string, { level: string; nameZh: string; nameEn: string }>
}

export function thisMonth(now: Date): string {
  return chinaDay(now).slice(0, 7)
}

export async function namesFor(db: Db, brandCodes: readonly string[], regionCodes: readonly string[]): Promise<Names> {
  const [brands, regions] = await Promise.all([brandIdsByCode(db, brandCodes), regionsByCode(db, regionCodes)])
  return { brands, regions }
}
