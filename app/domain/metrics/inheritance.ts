import { metricCodes, type MetricCode } from './definitions.ts'
import { nationalRegionCode, type Target, type TargetSet } from './targets.ts'

/**
 * A region inherits the target sets of every region above it. GB/T 2260 codes
 * encode the hierarchy: 410102 (district) lies in 410100 (city), which lies in
 * 410000 (province), which lies in the nation (000000).
 */
export function regionAncestors(regionCode: string): string[] {
  if (!/^\d{6}$/.test(regionCode)) throw new Error(`Not a GB/T 2260 region code: ${regionCode}`)
  const chain = [regionCode, `${regionCode.slice(0, 4)}00`, `${regionCode.slice(0, 2)}0000`, nationalRegionCode]
  return chain.filter((code, index) => chain.indexOf(code) === index)
}

export interface InForceOptions {
  /**
   * The brand whose figures are being judged. Sets bound to one brand (a
   * company's own plan) apply only to that brand's figures; without a brand
   * (a cross-brand view) they are left out.
   */
  brand?: string | null
}

/** The sets in force for a region, nearest first: its own, its city's, its province's, national. */
export function targetSetsInForce(
  regionCode: string,
  sets: readonly TargetSet[],
  options: InForceOptions = {},
): TargetSet[] {
  const ancestors = regionAncestors(regionCode)
  return sets
    .filter((set) => ancestors.includes(set.region))
    .filter((set) => set.brand === null || (options.brand != null && set.brand === options.brand))
    .sort((a, b) => ancestors.indexOf(a.region) - ancestors.indexOf(b.region))
}

export interface ApplicableTarget {
  metric: MetricCode
  target: Target
  set: TargetSet
  /** The deadline is before the date: the target is the latest past one. */
  deadlinePassed: boolean
}

/**
 * For each metric, the one target that applies on `date` (`YYYY-MM-DD`): the
 * nearest deadline on or after the date, else the latest one before it. When
 * two sets give the same deadline, the nearer region's set wins (a city may
 * be stricter than the nation), then the stricter value.
 */
export function applicableTargets(
  regionCode: string,
  sets: readonly TargetSet[],
  date: string,
  options: InForceOptions = {},
): ApplicableTarget[] {
  const ancestors = regionAncestors(regionCode)
  const inForce = targetSetsInForce(regionCode, sets, options)
  const result: ApplicableTarget[] = []
  for (const metric of metricCodes) {
    let best: { target: Target; set: TargetSet; rank: number } | undefined
    for (const set of inForce) {
      const rank = ancestors.indexOf(set.region)
      for (const target of set.targets) {
        if (target.metric !== metric) continue
        if (!best || isPreferred({ target, rank }, best, date)) best = { target, set, rank }
      }
    }
    if (best) {
      result.push({ metric, target: best.target, set: best.set, deadlinePassed: best.target.deadline < date })
    }
  }
  return result
}

function isPreferred(
  candidate: { target: Target; rank: number },
  current: { target: Target; rank: number },
  date: string,
): boolean {
  const a = candidate.target
  const b = current.target
  const aUpcoming = a.deadline >= date
  const bUpcoming = b.deadline >= date
  if (aUpcoming !== bUpcoming) return aUpcoming
  if (a.deadline !== b.deadline) return aUpcoming ? a.deadline < b.deadline : a.deadline > b.deadline
  if (candidate.rank !== current.rank) return candidate.rank < current.rank
  return isStricter(a, b)
}

function isStricter(a: Target, b: Target): boolean {
  if (a.comparison === '>=' && b.comparison === '>=') return a.value.gt(b.value)
  if (a.comparison === '<=' && b.comparison === '<=') return a.value.lt(b.value)
  return false
}
