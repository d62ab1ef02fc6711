import Decimal from 'decimal.js'
import type { FactorFallback } from './factor-set.ts'
import type { RegionLevel } from './types.ts'

/**
 * Fallbacks as the pages show them: a figure computed with a factor other
 * than the one asked for (a coarser region level, another year) says so
 * wherever the figure is shown. The engine returns them with each result
 * (`FactorFallback`); stored results keep a compact form in their provenance
 * (`{ factorId, kinds, level, year }`, what was asked for in `inputs`), see
 * `provenanceJson` in app/domain/emissions/costing.ts. Both are read into
 * the one shape below.
 */

export type FallbackKind = 'region' | 'year'

export interface FallbackNote {
  factorId: string
  kinds: FallbackKind[]
  /** The level of the factor used. */
  level: RegionLevel
  /** The year of the factor used. */
  usedYear: number
  /** The region asked for (a GB/T 2260 code), null when the series has no regions. */
  requestedRegion: string | null
  requestedYear: number | null
}

const levels = new Set<string>(['province', 'grid', 'national'])

/** From the engine's own objects (a preview, a worked example). */
export function notesOfFallbacks(fallbacks: readonly FactorFallback[]): FallbackNote[] {
  return fallbacks.map((f) => ({
    factorId: f.factorId,
    kinds: [...f.kinds],
    level: f.used.level,
    usedYear: f.used.year,
    requestedRegion: f.requested.regionCode,
    requestedYear: f.requested.year,
  }))
}

/**
 * From a stored result's provenance (jsonb, read as an object or as text).
 * Anything not in the stored shape is left out rather than guessed: the
 * provenance is written by one function, so a malformed entry is a bug to
 * see in the tests, not a figure to invent on a page.
 */
export function notesOfProvenance(provenance: unknown): FallbackNote[] {
  let value = provenance
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return []
    }
  }
  if (!isObject(value) || !Array.isArray(value.fallbacks)) return []
  const inputs = isObject(value.inputs) ? value.inputs : {}
  const requestedRegion = typeof inputs.regionCode === 'string' ? inputs.regionCode : null
  const requestedYear = typeof inputs.year === 'number' && Number.isInteger(inputs.year) ? inputs.year : null
  const out: FallbackNote[] = []
  for (const entry of value.fallbacks) {
    if (!isObject(entry)) continue
    const { factorId, kinds, level, year } = entry
    if (typeof factorId !== 'string' || typeof level !== 'string' || !levels.has(level)) continue
    if (typeof year !== 'number' || !Number.isInteger(year) || !Array.isArray(kinds)) continue
    const known = kinds.filter((k): k is FallbackKind => k === 'region' || k === 'year')
    if (known.length === 0) continue
    out.push({ factorId, kinds: known, level: level as RegionLevel, usedYear: year, requestedRegion, requestedYear })
  }
  return out
}

/**
 * The share of a total computed with fallback factors, a fraction 0..1;
 * null when there is no total to take a share of (no emissions is not 0 %).
 */
export function fallbackShare(totalKg: Decimal.Value | null, fallbackKg: Decimal.Value | null): Decimal | null {
  if (totalKg === null || fallbackKg === null) return null
  const total = new Decimal(totalKg)
  if (!total.gt(0)) return null
  return Decimal.min(new Decimal(fallbackKg).div(total), 1)
}

/** A period's CO2e and the part of it from records costed with fallback factors, as a report shows them. */
export interface FallbackShareView {
  /** Fraction 0..1 as an exact decimal string; null when there are no emissions. */
  share: string | null
  fallbackKg: string
  totalKg: string
}

export function fallbackShareView(totalKg: Decimal.Value | undefined, fallbackKg: Decimal.Value | undefined): FallbackShareView {
  const total = new Decimal(totalKg ?? 0)
  const fallback = new Decimal(fallbackKg ?? 0)
  return { share: fallbackShare(total, fallback)?.toFixed() ?? null, fallbackKg: fallback.toFixed(), totalKg: total.toFixed() }
}

/** One line of a fallback summary: the records costed with one fallback factor for one requested year. */
export interface FallbackSummaryRow {
  factorId: string
  kinds: FallbackKind[]
  level: RegionLevel
  usedYear: number
  requestedYear: number | null
  records: number
  /** CO2e of those records (kg, exact decimal string), whole records. */
  co2eKg: string
}

/**
 * Adds up records by the fallback factor they used (an import preview, where
 * the records are costed in memory). A record with two fallbacks counts
 * under each; its CO2e counts once in `totalKg`.
 */
export class FallbackTally {
  private rows = new Map<string, { row: Omit<FallbackSummaryRow, 'co2eKg'>; co2eKg: Decimal }>()
  private total = new Decimal(0)
  private records = 0

  add(notes: readonly FallbackNote[], co2eKg: Decimal): void {
    if (notes.length === 0) return
    this.total = this.total.plus(co2eKg)
    this.records++
    for (const note of notes) {
      const key = `${note.factorId}|${note.requestedYear ?? ''}|${note.kinds.join(',')}`
      const found = this.rows.get(key)
      if (found) {
        found.row.records++
        found.co2eKg = found.co2eKg.plus(co2eKg)
      } else {
        this.rows.set(key, {
          row: { factorId: note.factorId, kinds: note.kinds, level: note.level, usedYear: note.usedYear, requestedYear: note.requestedYear, records: 1 },
          co2eKg,
        })
      }
    }
  }

  /** Records that used at least one fallback factor. */
  get recordCount(): number {
    return this.records
  }

  /** CO2e of those records, each counted once (kg). */
  get totalKg(): Decimal {
    return this.total
  }

  list(): FallbackSummaryRow[] {
    return [...this.rows.values()]
      .map(({ row, co2eKg }) => ({ ...row, co2eKg: co2eKg.toFixed() }))
      .sort((a, b) => a.factorId.localeCompare(b.factorId) || (a.requestedYear ?? 0) - (b.requestedYear ?? 0))
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
