import { createHash } from 'node:crypto'
import type { FactorLoadError } from './errors.ts'
import { factorLoadError } from './errors.ts'
import type { EmissionFactor, FactorSetMeta, GridRegionRow } from './types.ts'

/**
 * The content a published set freezes: every field of every factor and of the
 * grid mapping, and the set's metadata except its status (a published set may
 * later be retired) and the recorded checksum itself. Rows are ordered by id
 * and code, and values written in normalized decimal form, so reordering rows
 * or writing 1.200 as 1.2 does not count as an edit; changing any value,
 * source or note does.
 */
export function canonicalFactorSetContent(
  meta: FactorSetMeta,
  factors: readonly EmissionFactor[],
  gridRegions: readonly GridRegionRow[],
): string {
  const sortedFactors = [...factors].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const sortedRegions = [...gridRegions].sort((a, b) => (a.code < b.code ? -1 : 1))
  return JSON.stringify({
    meta: {
      version: meta.version,
      releaseDate: meta.releaseDate,
      title: [meta.title.zh, meta.title.en],
      notes: [meta.notes.zh, meta.notes.en],
    },
    factors: sortedFactors.map((f) => [
      f.id,
      f.quantity,
      f.boundary,
      f.value.toFixed(),
      f.unit,
      f.region,
      f.validFromYear,
      f.validToYear,
      f.releaseYear,
      f.ghgScope,
      f.dataQuality,
      f.source.document,
      f.source.table,
      f.source.page,
      f.verified,
      f.verificationNote,
      f.note,
    ]),
    gridRegions: sortedRegions.map((r) => [r.code, r.name.zh, r.name.en, r.grid, r.note]),
  })
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/**
 * A published set is never edited: before accepting files for a version that
 * was published, compare their checksum with the one recorded at publication.
 */
export function checkPublishedIntegrity(
  set: { version: string; contentSha256: string },
  recordedSha256: string,
  file = 'set.json',
): { ok: true } | { ok: false; error: FactorLoadError } {
  if (set.contentSha256 === recordedSha256) return { ok: true }
  return {
    ok: false,
    error: factorLoadError(file, null, 'contentSha256', 'factors.error.hashMismatch', {
      version: set.version,
      recorded: recordedSha256,
      computed: set.contentSha256,
    }),
  }
}
