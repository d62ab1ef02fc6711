import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { FallbackShareView } from '#app/domain/factors/fallbacks.ts'
import type { Database } from '#db/schema.ts'
import { fallbackGroupLimit, fallbackGroups, type FallbackGroupRow, type FallbackScope } from '#db/models/fallbacks.ts'
import { loadReportPage, type Refusal, type ScopeInfo, type ScopeRequest } from './reports.server.ts'

export interface FallbackPageData {
  scope: ScopeInfo | null
  /** The period as written in links; null when there is no data at all. */
  period: string | null
  fallback: FallbackShareView | null
  rows: FallbackGroupRow[]
  truncated: boolean
  limit: number
}

/**
 * Which fallback factors the CO2e of a report rests on: the same scope and
 * period as the report (resolved and authorized by the report itself, so the
 * two can never disagree on what they cover), then the results behind it.
 */
export async function loadFallbackPage(
  db: Kysely<Database>,
  viewer: Viewer,
  request: ScopeRequest,
  query: URLSearchParams,
  now: Date,
): Promise<{ ok: true; data: FallbackPageData } | Refusal> {
  const page = await loadReportPage(db, viewer, request, query, now)
  if (!page.ok) return page
  const report = page.data.report
  const empty = { rows: [], truncated: false, limit: fallbackGroupLimit }
  if (!report || report.months.length === 0) {
    return { ok: true, data: { scope: report?.scope ?? null, period: page.data.period, fallback: report?.fallback ?? null, ...empty } }
  }
  const scope: FallbackScope =
    report.scope.kind === 'outlet' && report.scope.outletId !== null
      ? { kind: 'outlet', outletId: report.scope.outletId }
      : report.scope.kind === 'region' && report.scope.regionCode !== null
        ? { kind: 'region', regionCode: report.scope.regionCode }
        : { kind: 'nation' }
  const found = await fallbackGroups(db, viewer, scope, { from: report.months[0]!, to: report.dataThrough })
  return {
    ok: true,
    data: { scope: report.scope, period: page.data.period, fallback: report.fallback, rows: found.rows, truncated: found.truncated, limit: fallbackGroupLimit },
  }
}
