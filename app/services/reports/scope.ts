import type { Kysely } from 'kysely'
import { isInt4Id } from '#app/domain/ids.ts'
import type { Viewer } from '#app/domain/access.ts'
import { nationalRegionCode } from '#app/domain/metrics/targets.ts'
import { isWithinRegion, regionAncestry } from '#app/domain/regions.ts'
import { findVisibleOutlet, type OutletRow } from '#db/models/outlets.ts'
import { findBrand, findRegion } from '#db/models/reference.ts'
import { regionNames, type GroupKey, type ScopeFilter } from '#db/models/reports.ts'
import type { Database } from '#db/schema.ts'
import type { ScopeRequest, ReportLevel, Refusal, Named, ScopeInfo } from './types.ts'

/** The scope a viewer lands on at /reports. */
export function homeScope(viewer: Viewer): ScopeRequest | null {
  switch (viewer.role) {
    case 'admin':
    case 'carrier_admin':
      return { kind: 'nation' }
    case 'bureau_officer':
      return viewer.regionCode ? { kind: 'region', regionCode: viewer.regionCode } : null
    case 'outlet_operator':
      return viewer.outletId !== null ? { kind: 'outlet', outletId: viewer.outletId } : null
    case 'consumer':
      return null
  }
}

/** `nation`, `region:410100` or `outlet:12`, as links and the export carry it. */
export function parseScopeParam(value: string | null): ScopeRequest | null {
  if (value === null || value === 'nation') return value === null ? null : { kind: 'nation' }
  let match = /^region:(\d{6})$/.exec(value)
  if (match) return { kind: 'region', regionCode: match[1]! }
  match = /^outlet:([1-9]\d{0,9})$/.exec(value)
  // Past int4 is no outlet: "not found", never a database error.
  if (match && isInt4Id(Number(match[1]))) return { kind: 'outlet', outletId: Number(match[1]) }
  return null
}

export function scopeParam(scope: ScopeRequest): string {
  switch (scope.kind) {
    case 'nation':
      return 'nation'
    case 'region':
      return `region:${scope.regionCode}`
    case 'outlet':
      return `outlet:${scope.outletId}`
  }
}

export type Resolved = { ok: true; scope: ScopeInfo; filter: ScopeFilter; targetRegion: string }

export const nationName: Named = { nameZh: '全国', nameEn: 'China (national)' }

/** `known`: the outlet of an outlet scope as findVisibleOutlet reads it for this viewer, when the caller reads it anyway. */
export async function resolveScope(db: Kysely<Database>, viewer: Viewer, request: ScopeRequest, known?: Promise<OutletRow | undefined>): Promise<Resolved | Refusal> {
  if (viewer.role === 'consumer') return { ok: false, status: 403 }
  const brandId = viewer.role === 'carrier_admin' ? viewer.brandId : null
  const brandRow = brandId !== null ? await findBrand(db, brandId) : undefined
  const brand = brandRow ? { id: brandRow.id, code: brandRow.code, nameZh: brandRow.name_zh, nameEn: brandRow.name_en } : null

  if (request.kind === 'outlet') {
    const outlet = await (known ?? findVisibleOutlet(db, viewer, request.outletId))
    if (!outlet || outlet.id !== request.outletId) return { ok: false, status: 404 }
    return {
      ok: true,
      scope: {
        kind: 'outlet',
        level: 'outlet',
        param: scopeParam(request),
        regionCode: outlet.regionCode,
        outletId: outlet.id,
        name: { nameZh: outlet.nameZh, nameEn: outlet.nameEn },
        brand: { id: outlet.brandId, code: outlet.brandCode, nameZh: outlet.brandNameZh, nameEn: outlet.brandNameEn },
        brandFiltered: false,
        breadcrumbs: await breadcrumbs(db, viewer, outlet.regionCode, true),
      },
      filter: { scope: request },
      targetRegion: outlet.regionCode,
    }
  }
  // An outlet operator reads its own outlet only.
  if (viewer.role === 'outlet_operator') return { ok: false, status: 403 }

  if (request.kind === 'nation') {
    // A bureau's reach ends at its jurisdiction; the nation is not its to read.
    if (viewer.role === 'bureau_officer') return { ok: false, status: 404 }
    return {
      ok: true,
      scope: { kind: 'nation', level: 'nation', param: 'nation', regionCode: null, outletId: null, name: nationName, brand, brandFiltered: brand !== null, breadcrumbs: [] },
      filter: { scope: request, brandId },
      targetRegion: nationalRegionCode,
    }
  }

  if (!/^\d{6}$/.test(request.regionCode)) return { ok: false, status: 404 }
  if (viewer.role === 'bureau_officer' && !(viewer.regionCode && isWithinRegion(request.regionCode, viewer.regionCode))) {
    return { ok: false, status: 404 }
  }
  const region = await findRegion(db, request.regionCode)
  if (!region) return { ok: false, status: 404 }
  return {
    ok: true,
    scope: {
      kind: 'region',
      level: region.level,
      param: scopeParam(request),
      regionCode: region.code,
      outletId: null,
      name: { nameZh: region.name_zh, nameEn: region.name_en },
      brand,
      brandFiltered: brand !== null,
      breadcrumbs: await breadcrumbs(db, viewer, region.code, false),
    },
    filter: { scope: request, brandId },
    targetRegion: region.code,
  }
}

export async function breadcrumbs(db: Kysely<Database>, viewer: Viewer, regionCode: string, includeSelf: boolean) {
  const chain = regionAncestry(regionCode).reverse()
  const codes = includeSelf ? chain : chain.slice(0, -1)
  const reachable = codes.filter((code) => {
    if (viewer.role === 'admin' || viewer.role === 'carrier_admin') return true
    if (viewer.role === 'bureau_officer') return !!viewer.regionCode && isWithinRegion(code, viewer.regionCode)
    return false
  })
  const names = new Map((await regionNames(db, reachable)).map((r) => [r.key, r]))
  const crumbs: (Named & { param: string })[] = []
  if (viewer.role === 'admin' || viewer.role === 'carrier_admin') crumbs.push({ ...nationName, param: 'nation' })
  for (const code of reachable) {
    const name = names.get(code)
    if (name) crumbs.push({ nameZh: name.nameZh, nameEn: name.nameEn, param: `region:${code}` })
  }
  return crumbs
}

export function childLevelOf(scope: ScopeInfo): ReportLevel | null {
  switch (scope.level) {
    case 'nation':
      return 'province'
    case 'province':
      return 'city'
    case 'city':
      return 'district'
    case 'district':
      return 'outlet'
    case 'outlet':
      return null
  }
}

export function groupKeyOf(level: ReportLevel): GroupKey {
  return level === 'nation' ? 'province' : (level as GroupKey)
}
