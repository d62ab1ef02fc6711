import { expressionBuilder, sql, type Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { FallbackKind } from '#app/domain/factors/fallbacks.ts'
import type { RegionLevel } from '#app/domain/factors/types.ts'
import { regionPrefix } from '#app/domain/regions.ts'
import type { Database } from '../schema.ts'
import type { CostedRecordType } from '../tables/emissions.ts'
import { outletVisibleTo } from './scope.ts'
import { countedCurrent } from './result-status.ts'

/** Where the fallbacks are looked for: the nation, a region subtree or one outlet. */
export type FallbackScope = { kind: 'nation' } | { kind: 'region'; regionCode: string } | { kind: 'outlet'; outletId: number }

export interface FallbackGroupRow {
  factorId: string
  kinds: FallbackKind[]
  level: RegionLevel
  usedYear: number
  requestedYear: number | null
  recordType: CostedRecordType
  records: number
  /** CO2e of those records (kg, exact). */
  co2eKg: string
  /** One record of the group, to open on its page. */
  exampleRecordId: string
}

/** At most this many groups are read: a page lists them, it does not page through millions. */
export const fallbackGroupLimit = 200

/**
 * The current emission results of a scope and months that were costed with a
 * fallback factor, grouped by the factor used, the year asked for and the
 * record type, largest CO2e first. Limited in SQL to the outlets the viewer
 * may see (`outletVisibleTo`) and, within them, to the scope.
 */
export async function fallbackGroups(
  db: Kysely<Database>,
  viewer: Viewer,
  scope: FallbackScope,
  months: { from: string; to: string },
): Promise<{ rows: FallbackGroupRow[]; truncated: boolean }> {
  for (const month of [months.from, months.to]) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`Not a month (YYYY-MM): ${month}`)
  }
  const { rows } = await sql<{
    factor_id: string
    kinds: string
    level: string
    used_year: number
    requested_year: string | null
    record_type: CostedRecordType
    records: string
    co2e_kg: string
    example: string
  }>`
    select f.value ->> 'factorId' as factor_id, f.value ->> 'kinds' as kinds, f.value ->> 'level' as level,
      (f.value ->> 'year')::int as used_year, e.provenance -> 'inputs' ->> 'year' as requested_year,
      e.record_type, count(*)::text as records, sum(e.co2e_kg)::text as co2e_kg, min(e.record_id) as example
    from emission_results e
    join outlets on outlets.id = e.outlet_id
    cross join lateral jsonb_array_elements(e.provenance -> 'fallbacks') f(value)
    where ${countedCurrent('e')}
      and e.category in ('packaging', 'fleet', 'facility')
      and e.provenance -> 'fallbacks' is not null
      and e.month between ${`${months.from}-01`}::date and ${`${months.to}-01`}::date
      and ${scopeCondition(viewer, scope)}
    group by 1, 2, 3, 4, 5, 6
    order by sum(e.co2e_kg) desc, 1, 5
    limit ${fallbackGroupLimit + 1}`.execute(db)
  return {
    rows: rows.slice(0, fallbackGroupLimit).map((r) => ({
      factorId: r.factor_id,
      kinds: parseKinds(r.kinds),
      level: r.level as RegionLevel,
      usedYear: r.used_year,
      requestedYear: r.requested_year !== null && /^\d{4}$/.test(r.requested_year) ? Number(r.requested_year) : null,
      recordType: r.record_type,
      records: Number(r.records),
      co2eKg: r.co2e_kg,
      exampleRecordId: r.example,
    })),
    truncated: rows.length > fallbackGroupLimit,
  }
}

function scopeCondition(viewer: Viewer, scope: FallbackScope) {
  // The one rule of who sees which outlet (scope.ts), as SQL for the raw query above.
  const visible = sql<boolean>`(${outletVisibleTo(expressionBuilder<Database, 'outlets'>(), viewer)})`
  switch (scope.kind) {
    case 'nation':
      return visible
    case 'region':
      return sql`${visible} and outlets.region_code like ${`${regionPrefix(scope.regionCode)}%`}`
    case 'outlet':
      return sql`${visible} and outlets.id = ${scope.outletId}`
  }
}

function parseKinds(text: string): FallbackKind[] {
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) ? value.filter((k): k is FallbackKind => k === 'region' || k === 'year') : []
  } catch {
    return []
  }
}
