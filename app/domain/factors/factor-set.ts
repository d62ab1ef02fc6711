import type { Message } from '#app/i18n/index.ts'
import {
  type ActivityUnit,
  type Boundary,
  type EmissionFactor,
  type FactorKey,
  type FactorSetMeta,
  type GridRegion,
  type GridRegionRow,
  type RegionLevel,
} from './types.ts'

const LEVEL_RANK: Record<RegionLevel, number> = { province: 0, grid: 1, national: 2 }

/** Factors of one series, by region, each list sorted by first valid year. */
interface FactorSeries {
  key: FactorKey
  finestLevel: RegionLevel
  province: Map<string, EmissionFactor[]>
  grid: Map<string, EmissionFactor[]>
  national: EmissionFactor[] | undefined
  /**
   * Memo of resolved lookups by region code ('' = none) and year. Lookups are
   * pure functions of the set, so memoizing them keeps the per-record cost of
   * a recompute to a few map reads with no allocation.
   */
  cache: Map<string, Map<number, FactorLookupHit>>
}

/** A factor set indexed for lookup. Build it once per set version and reuse it for every record. */
export interface FactorSet {
  meta: FactorSetMeta
  version: string
  /** sha256 of the canonical content, computed at load (compare with meta.contentSha256 or a stored value). */
  contentSha256: string
  factors: readonly EmissionFactor[]
  gridRegions: readonly GridRegionRow[]
  byId: ReadonlyMap<string, EmissionFactor>
  /** @internal quantity → boundary → activity unit → series */
  series: Map<string, Map<Boundary, Map<ActivityUnit, FactorSeries>>>
  /** @internal region code (province, or a city whose grid differs) → grid */
  gridByCode: Map<string, GridRegion>
}

export interface FactorFallback {
  factorId: string
  quantity: string
  requested: { regionCode: string | null; year: number }
  used: { region: string; level: RegionLevel; year: number }
  /** 'region': a coarser level than the series offers was used; 'year': another year was used. */
  kinds: readonly ('region' | 'year')[]
}

export interface FactorLookupHit {
  ok: true
  factor: EmissionFactor
  level: RegionLevel
  /** null when the factor matched the request exactly. */
  fallback: FactorFallback | null
}

export interface FactorLookupMiss {
  ok: false
  error: Message
}

export type FactorLookup = FactorLookupHit | FactorLookupMiss

/** Index validated factors. `loadFactorSet` calls this; call it yourself only with data that passed the loader. */
export function buildFactorSet(
  meta: FactorSetMeta,
  factors: readonly EmissionFactor[],
  gridRegions: readonly GridRegionRow[],
  contentSha256: string,
): FactorSet {
  const series = new Map<string, Map<Boundary, Map<ActivityUnit, FactorSeries>>>()
  for (const factor of factors) {
    let byBoundary = series.get(factor.quantity)
    if (!byBoundary) series.set(factor.quantity, (byBoundary = new Map()))
    let byUnit = byBoundary.get(factor.boundary)
    if (!byUnit) byBoundary.set(factor.boundary, (byUnit = new Map()))
    let s = byUnit.get(factor.per)
    if (!s) {
      s = {
        key: { quantity: factor.quantity, boundary: factor.boundary, per: factor.per },
        finestLevel: 'national',
        province: new Map(),
        grid: new Map(),
        national: undefined,
        cache: new Map(),
      }
      byUnit.set(factor.per, s)
    }
    if (LEVEL_RANK[factor.regionLevel] < LEVEL_RANK[s.finestLevel]) s.finestLevel = factor.regionLevel
    if (factor.regionLevel === 'national') {
      ;(s.national ??= []).push(factor)
    } else {
      const map = factor.regionLevel === 'province' ? s.province : s.grid
      const list = map.get(factor.region)
      if (list) list.push(factor)
      else map.set(factor.region, [factor])
    }
  }
  const byYear = (a: EmissionFactor, b: EmissionFactor) => a.validFromYear - b.validFromYear
  for (const byBoundary of series.values())
    for (const byUnit of byBoundary.values())
      for (const s of byUnit.values()) {
        s.national?.sort(byYear)
        for (const list of s.province.values()) list.sort(byYear)
        for (const list of s.grid.values()) list.sort(byYear)
      }

  return {
    meta,
    version: meta.version,
    contentSha256,
    factors,
    gridRegions,
    byId: new Map(factors.map((f) => [f.id, f])),
    series,
    gridByCode: new Map(gridRegions.map((r) => [r.code, r.grid])),
  }
}

/**
 * The regional grid of a GB/T 2260 code (province, city or district). A city
 * row in the mapping (eastern Inner Mongolia) overrides its province's grid.
 */
export function gridRegionOf(set: FactorSet, regionCode: string): GridRegion | undefined {
  if (!/^\d{6}$/.test(regionCode)) return undefined
  return (
    set.gridByCode.get(regionCode) ??
    set.gridByCode.get(`${regionCode.slice(0, 4)}00`) ??
    set.gridByCode.get(`${regionCode.slice(0, 2)}0000`)
  )
}

/** True when the set has at least one factor for the key, in any region or year. */
export function hasFactorSeries(set: FactorSet, key: FactorKey): boolean {
  return set.series.get(key.quantity)?.get(key.boundary)?.get(key.per) !== undefined
}

/**
 * Find the factor for a quantity at a place and year.
 *
 * Region first, then year: the most specific region level that has any factor
 * in the series is used (province → regional grid → national), and within it
 * the factor valid for the year, else the nearest earlier year, else the
 * nearest later year. A place-specific factor from a neighbouring year is
 * closer to the truth than a wider average for the exact year (Yunnan's hydro
 * grid at 0.1073 against the South grid at 0.4042). Every departure from the
 * request is returned in `fallback`.
 *
 * `regionCode` may be a province, city or district code; series that exist
 * only nationally (fuels, materials) ignore it.
 */
export function lookupFactor(
  set: FactorSet,
  key: FactorKey,
  at: { regionCode: string | null; year: number },
): FactorLookup {
  const series = set.series.get(key.quantity)?.get(key.boundary)?.get(key.per)
  if (!series) {
    return {
      ok: false,
      error: {
        key: 'emissions.error.noFactor',
        params: { version: set.version, quantity: key.quantity, boundary: key.boundary, per: key.per },
      },
    }
  }
  const regionKey = series.finestLevel === 'national' ? '' : (at.regionCode ?? '')
  let memo = series.cache.get(regionKey)
  const cached = memo?.get(at.year)
  if (cached) return cached

  const result = resolve(set, series, regionKey === '' ? null : regionKey, at.year)
  if (result.ok) {
    if (!memo) series.cache.set(regionKey, (memo = new Map()))
    memo.set(at.year, result)
  }
  return result
}

function resolve(
  set: FactorSet,
  series: FactorSeries,
  regionCode: string | null,
  year: number,
): FactorLookup {
  let candidates: EmissionFactor[] | undefined
  let level: RegionLevel = 'national'
  if (regionCode !== null) {
    const grid = gridRegionOf(set, regionCode)
    if (grid === undefined) {
      return { ok: false, error: { key: 'emissions.error.unknownRegion', params: { regionCode } } }
    }
    candidates = series.province.get(`${regionCode.slice(0, 2)}0000`)
    level = 'province'
    if (!candidates) {
      candidates = series.grid.get(`grid:${grid}`)
      level = 'grid'
    }
  }
  if (!candidates) {
    candidates = series.national
    level = 'national'
  }
  if (!candidates || candidates.length === 0) {
    return {
      ok: false,
      error: {
        key: 'emissions.error.noFactorForYear',
        params: { version: set.version, quantity: series.key.quantity, year },
      },
    }
  }

  const picked = pickYear(candidates, year)
  const regionFallback = LEVEL_RANK[level] > LEVEL_RANK[series.finestLevel]
  const kinds: ('region' | 'year')[] = []
  if (regionFallback) kinds.push('region')
  if (picked.usedYear !== year) kinds.push('year')
  return {
    ok: true,
    factor: picked.factor,
    level,
    fallback:
      kinds.length === 0
        ? null
        : {
            factorId: picked.factor.id,
            quantity: series.key.quantity,
            requested: { regionCode, year },
            used: { region: picked.factor.region, level, year: picked.usedYear },
            kinds,
          },
  }
}

/** Candidates are sorted by first valid year and do not overlap (the loader refuses overlaps). */
function pickYear(
  candidates: EmissionFactor[],
  year: number,
): { factor: EmissionFactor; usedYear: number } {
  let earlier: EmissionFactor | undefined
  for (const f of candidates) {
    if (f.validFromYear > year) {
      // sorted: the first one after the year is the nearest later one
      return earlier
        ? { factor: earlier, usedYear: earlier.validToYear ?? year }
        : { factor: f, usedYear: f.validFromYear }
    }
    if (f.validToYear === null || f.validToYear >= year) return { factor: f, usedYear: year }
    earlier = f
  }
  // candidates is non-empty, so earlier is set here
  const last = earlier as EmissionFactor
  return { factor: last, usedYear: last.validToYear ?? year }
}
