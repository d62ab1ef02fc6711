import { sql, type Kysely } from 'kysely'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import type { FactorSetFiles } from '#app/domain/factors/types.ts'
import type { Database } from '../schema.ts'
import type { FactorSetStatus } from '../tables/emissions.ts'

export interface FactorSetSummary {
  version: string
  status: FactorSetStatus
  releaseDate: string
  titleZh: string
  titleEn: string
  contentSha256: string
  factorCount: number
  createdAt: Date
  publishedAt: Date | null
  publishedBy: string | null
  retiredAt: Date | null
}

/** Versions compare as numbers: 2026.10 comes after 2026.9. */
const versionDesc = sql`split_part(version, '.', 1)::int desc, split_part(version, '.', 2)::int desc`

export async function listFactorSets(db: Kysely<Database>): Promise<FactorSetSummary[]> {
  return db
    .selectFrom('factor_sets')
    .leftJoin('users', 'users.id', 'factor_sets.published_by')
    .select([
      'factor_sets.version',
      'factor_sets.status',
      'factor_sets.release_date as releaseDate',
      'factor_sets.title_zh as titleZh',
      'factor_sets.title_en as titleEn',
      'factor_sets.content_sha256 as contentSha256',
      'factor_sets.factor_count as factorCount',
      'factor_sets.created_at as createdAt',
      'factor_sets.published_at as publishedAt',
      'users.username as publishedBy',
      'factor_sets.retired_at as retiredAt',
    ])
    .orderBy(sql`split_part(factor_sets.version, '.', 1)::int`, 'desc')
    .orderBy(sql`split_part(factor_sets.version, '.', 2)::int`, 'desc')
    .execute()
}

/** -1, 0, 1 as version a is below, equal to or above version b (YYYY.N, compared as numbers). */
export function compareVersions(a: string, b: string): number {
  const [ay, an] = a.split('.').map(Number) as [number, number]
  const [by, bn] = b.split('.').map(Number) as [number, number]
  return Math.sign(ay - by || an - bn)
}

/**
 * The published set reports and new records use: the highest published
 * version (a set can only be published above the one in force).
 */
export async function findVersionInForce(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('factor_sets')
    .select('version')
    .where('status', '=', 'published')
    .orderBy(versionDesc)
    .limit(1)
    .executeTakeFirst()
  return row?.version
}

export interface StoredFactorSet {
  version: string
  status: FactorSetStatus
  contentSha256: string
  files: FactorSetFiles
}

export async function findStoredFactorSet(db: Kysely<Database>, version: string): Promise<StoredFactorSet | undefined> {
  const row = await db
    .selectFrom('factor_sets')
    .select(['version', 'status', 'content_sha256', 'set_json', 'factors_csv', 'grid_regions_csv'])
    .where('version', '=', version)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    version: row.version,
    status: row.status,
    contentSha256: row.content_sha256,
    files: storedFiles(row.version, row),
  }
}

/** The stored texts named as they would sit on disk, so a loader message points at a recognizable file. */
export function storedFiles(
  version: string,
  row: { set_json: string; factors_csv: string; grid_regions_csv: string },
): FactorSetFiles {
  const dir = `factors/emission/${version}`
  return {
    setJson: { name: `${dir}/set.json`, text: row.set_json },
    factorsCsv: { name: `${dir}/factors.csv`, text: row.factors_csv },
    gridRegionsCsv: { name: `${dir}/grid-regions.csv`, text: row.grid_regions_csv },
  }
}

/**
 * Store a validated set as a draft: the set row, its factors and its grid
 * mapping, as rows for SQL and as the original texts for a rebuild. Publishing
 * is a separate step (publishStoredSet), so that the rows go in while the
 * database still allows it.
 */
export async function insertDraftSet(
  db: Kysely<Database>,
  set: FactorSet,
  files: FactorSetFiles,
  createdBy: number | null,
): Promise<void> {
  await db
    .insertInto('factor_sets')
    .values({
      version: set.version,
      status: 'draft',
      release_date: set.meta.releaseDate,
      title_zh: set.meta.title.zh,
      title_en: set.meta.title.en,
      notes_zh: set.meta.notes.zh,
      notes_en: set.meta.notes.en,
      content_sha256: set.contentSha256,
      set_json: files.setJson.text,
      factors_csv: files.factorsCsv.text,
      grid_regions_csv: files.gridRegionsCsv.text,
      factor_count: set.factors.length,
      created_by: createdBy,
    })
    .execute()
  const factorRows = set.factors.map((f) => ({
    factor_set_version: set.version,
    id: f.id,
    quantity: f.quantity,
    boundary: f.boundary,
    value: f.value.toFixed(),
    unit: f.unit,
    per: f.per,
    region: f.region,
    region_level: f.regionLevel,
    valid_from_year: f.validFromYear,
    valid_to_year: f.validToYear,
    release_year: f.releaseYear,
    ghg_scope: f.ghgScope,
    data_quality: f.dataQuality,
    source_document: f.source.document,
    source_table: f.source.table,
    source_page: f.source.page,
    verified: f.verified,
    verification_note: f.verificationNote,
    note: f.note,
    file_row: f.row,
  }))
  for (let i = 0; i < factorRows.length; i += 500) {
    await db.insertInto('emission_factors').values(factorRows.slice(i, i + 500)).execute()
  }
  await db
    .insertInto('factor_grid_regions')
    .values(
      set.gridRegions.map((r) => ({
        factor_set_version: set.version,
        code: r.code,
        name_zh: r.name.zh,
        name_en: r.name.en,
        grid: r.grid,
        note: r.note,
      })),
    )
    .execute()
}

/** Remove a draft and its rows (the database refuses it for any other status). */
export async function deleteDraftSet(db: Kysely<Database>, version: string): Promise<boolean> {
  const result = await db.deleteFrom('factor_sets').where('version', '=', version).where('status', '=', 'draft').executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** draft → published. The stored set.json is rewritten with the status and checksum, as it would be on disk. */
export async function publishStoredSet(
  db: Kysely<Database>,
  version: string,
  setJsonText: string,
  publishedBy: number | null,
  publishedAt: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('factor_sets')
    .set({ status: 'published', set_json: setJsonText, published_at: publishedAt, published_by: publishedBy })
    .where('version', '=', version)
    .where('status', '=', 'draft')
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function retireStoredSet(db: Kysely<Database>, version: string, retiredBy: number | null, retiredAt: Date): Promise<boolean> {
  const result = await db
    .updateTable('factor_sets')
    .set({ status: 'retired', retired_at: retiredAt, retired_by: retiredBy })
    .where('version', '=', version)
    .where('status', '=', 'published')
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export interface FactorRowView {
  id: string
  quantity: string
  boundary: string
  value: string
  unit: string
  region: string
  regionLevel: string
  validFromYear: number
  validToYear: number | null
  releaseYear: number
  ghgScope: string
  dataQuality: number
  sourceDocument: string
  sourceTable: string
  sourcePage: string
  verified: string
  verificationNote: string
  note: string
}

/** Every factor of a set, grouped the way the methodology page lists them. */
export async function listFactorRows(db: Kysely<Database>, version: string): Promise<FactorRowView[]> {
  return db
    .selectFrom('emission_factors')
    .select([
      'id',
      'quantity',
      'boundary',
      'value',
      'unit',
      'region',
      'region_level as regionLevel',
      'valid_from_year as validFromYear',
      'valid_to_year as validToYear',
      'release_year as releaseYear',
      'ghg_scope as ghgScope',
      'data_quality as dataQuality',
      'source_document as sourceDocument',
      'source_table as sourceTable',
      'source_page as sourcePage',
      'verified',
      'verification_note as verificationNote',
      'note',
    ])
    .where('factor_set_version', '=', version)
    .orderBy('file_row')
    .execute()
}

export async function listGridRegionRows(db: Kysely<Database>, version: string) {
  return db
    .selectFrom('factor_grid_regions')
    .select(['code', 'name_zh as nameZh', 'name_en as nameEn', 'grid', 'note'])
    .where('factor_set_version', '=', version)
    .orderBy('code')
    .execute()
}
