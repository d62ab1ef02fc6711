import type Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import { intensityCsvRoles, userHasRole, type Viewer } from '#app/domain/access.ts'
import { toCsv, type CsvColumn } from '#app/domain/export/csv.ts'
import { allocateGroup, publicationStatus, publishedDecimals, percentDecimals, type Element, type GeographyLevel } from '#app/domain/footprints/allocation.ts'
import { translate, type MessageKey } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import type { Database } from '#db/schema.ts'
import { loadGroups, namesFor, thisMonth } from './footprint-groups.server.ts'

/** The intensities CSV of /reports: brand admins, bureaus and admins, each for their own reach. */

type Db = Kysely<Database>

/**
 * The levels a viewer's reach covers whole: a brand admin and an admin every
 * level; a province bureau its cities and itself; a city bureau its city. A
 * wider group summed over part of its outlets would be a figure nobody else
 * sees, so it is not given.
 */
function levelsFor(viewer: Viewer): GeographyLevel[] {
  if (viewer.role === 'admin' || viewer.role === 'carrier_admin') return ['city', 'province', 'national']
  if (viewer.role === 'bureau_officer' && viewer.regionCode) {
    if (viewer.regionCode.endsWith('0000')) return ['city', 'province']
    if (viewer.regionCode.endsWith('00')) return ['city']
  }
  return []
}

interface CsvRow extends Record<string, string | number | Decimal | null> {
  month: string
  brandCode: string
  brand: string
  level: string
  regionCode: string
  region: string
  reportingOutlets: number
  parcels: Decimal
  hub: Decimal | null
  ttw: Decimal | null
  wtt: Decimal | null
  wtw: Decimal | null
  packaging: Decimal | null
  total: Decimal | null
  primaryShare: Decimal | null
  versions: string
  apiStatus: string
  notReported: string
}

export type IntensityCsvResult = { ok: true; text: string; fileName: string; asciiName: string } | { ok: false; status: 400 | 403 }

/**
 * The intensities the partner API gives, for the viewer's own reach (scoped
 * in SQL), with the figures the API withholds shown to those entitled to
 * them (a regulator, the brand itself) and a column saying what partners see.
 */
export async function intensitiesCsv(db: Db, viewer: Viewer, monthParam: string | null, locale: Locale, now: Date): Promise<IntensityCsvResult> {
  if (!userHasRole(viewer, intensityCsvRoles)) return { ok: false, status: 403 }
  const current = thisMonth(now)
  const month = monthParam ?? current
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month) || month > current) return { ok: false, status: 400 }
  const levels = levelsFor(viewer)
  const groups = [...(await loadGroups(db, month, { brandIds: null, viewer })).values()].filter((g) => levels.includes(g.level))
  const names = await namesFor(db, [...new Set(groups.map((g) => g.brandCode))], [...new Set(groups.map((g) => g.geographyCode))])
  const t = (key: MessageKey) => translate(locale, key)
  const rows: CsvRow[] = groups.map((group) => {
    const status = publicationStatus(group)
    const outcome = allocateGroup(group, { withholdSmallGroups: false })
    const ok = outcome.status === 'ok' ? outcome : null
    const brand = names.brands.get(group.brandCode)
    const region = group.level === 'national' ? null : names.regions.get(group.geographyCode)
    return {
      month,
      brandCode: group.brandCode,
      brand: brand ? (locale === 'zh-CN' ? brand.nameZh : brand.nameEn) : group.brandCode,
      level: t(`footprints.level.${group.level}`),
      regionCode: group.geographyCode,
      region: region ? (locale === 'zh-CN' ? region.nameZh : region.nameEn) : t('footprints.level.national'),
      reportingOutlets: group.reportingOutlets,
      parcels: group.parcels,
      hub: ok?.hubOperations?.co2eKg ?? null,
      ttw: ok?.transport?.ttwKg ?? null,
      wtt: ok?.transport?.wttKg ?? null,
      wtw: ok?.transport?.co2eKg ?? null,
      packaging: ok?.packaging?.co2eKg ?? null,
      total: ok?.total.co2eKg ?? null,
      primaryShare: ok?.total.primaryDataShare ?? null,
      versions: group.factorSetVersions.join(' '),
      apiStatus: t(status === 'published' ? 'footprints.csv.status.published' : status === 'suppressed' ? 'footprints.csv.status.suppressed' : 'footprints.csv.status.noData'),
      notReported: (ok?.notReported ?? []).map((e: Element) => t(`footprints.element.${e}`)).join(' '),
    }
  })
  const columns: CsvColumn<CsvRow>[] = [
    { key: 'month', header: { key: 'footprints.csv.month' }, type: 'text' },
    { key: 'brandCode', header: { key: 'footprints.csv.brandCode' }, type: 'text' },
    { key: 'brand', header: { key: 'footprints.csv.brand' }, type: 'text' },
    { key: 'level', header: { key: 'footprints.csv.level' }, type: 'text' },
    { key: 'regionCode', header: { key: 'footprints.csv.regionCode' }, type: 'text' },
    { key: 'region', header: { key: 'footprints.csv.region' }, type: 'text' },
    { key: 'reportingOutlets', header: { key: 'footprints.csv.reportingOutlets' }, type: 'number' },
    { key: 'parcels', header: { key: 'footprints.csv.parcels' }, type: 'number' },
    { key: 'hub', header: { key: 'footprints.csv.hub' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'ttw', header: { key: 'footprints.csv.ttw' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'wtt', header: { key: 'footprints.csv.wtt' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'wtw', header: { key: 'footprints.csv.wtw' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'packaging', header: { key: 'footprints.csv.packaging' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'total', header: { key: 'footprints.csv.total' }, type: 'number', fractionDigits: publishedDecimals },
    { key: 'primaryShare', header: { key: 'footprints.csv.primaryShare' }, type: 'number', fractionDigits: percentDecimals },
    { key: 'versions', header: { key: 'footprints.csv.versions' }, type: 'text' },
    { key: 'apiStatus', header: { key: 'footprints.csv.apiStatus' }, type: 'text' },
    { key: 'notReported', header: { key: 'footprints.csv.notReported' }, type: 'text' },
  ]
  return {
    ok: true,
    text: toCsv(columns, rows, locale),
    fileName: `${t('footprints.csv.fileName')}-${month}.csv`,
    asciiName: `parcel-footprint-intensities-${month}.csv`,
  }
}
