import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { CostInput, PackagingItemFacts, ResultFigures } from '#app/domain/emissions/costing.ts'
import type { VehicleClass } from '#app/domain/emissions/fleet.ts'
import { costingOf, dateColumnOf, type CostRow, type DbValue } from '#app/domain/records/index.ts'
import type { Database } from '../schema.ts'
import type { CostedRecordType, EmissionResultStatus } from '../tables/emissions.ts'
import { countedResult, notOfDraft, shownStatus } from './result-status.ts'

/**
 * Queries of the emission results and of the activity rows they are computed
 * from. Batches move as PostgreSQL array literals through unnest(): one
 * statement per batch on either driver, with a handful of parameters however
 * many rows it carries.
 */

export interface ActivityKey {
  outletId: number
  id: string
}

export interface ActivityFilter {
  /** Keyset position: rows after this (outlet_id, id). */
  after?: ActivityKey
  limit?: number
  outletId?: number
  /** First day of the first month to include. */
  fromMonth?: string
  /** The rows one import batch wrote. */
  importBatchId?: string
  /** Outlets with ids in [from, to] (the SQL recompute splits the work by outlet range). */
  outletRange?: readonly [from: number, to: number]
  /** Exactly these records (costRecords); superseded rows included, since the caller asked for them. */
  recordIds?: readonly string[]
}

/**
 * Current activity rows of one type with what costing needs, in (outlet_id, id)
 * order. Rows replaced by a restatement (superseded_at set) are history and are
 * not recomputed.
 */
export async function readActivityBatch(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  filter: ActivityFilter,
): Promise<CostInput[]> {
  const costing = costingOf(recordType)
  const dateColumn = sql.ref(`t.${dateColumnOf(recordType)}`)
  const where: RawBuilder<unknown>[] = []
  if (filter.recordIds) where.push(sql`t.id = any(${pgArray(filter.recordIds)}::bigint[])`)
  else where.push(sql`t.superseded_at is null`)
  if (filter.after) where.push(sql`(t.outlet_id, t.id) > (${filter.after.outletId}, ${filter.after.id}::bigint)`)
  if (filter.outletId !== undefined) where.push(sql`t.outlet_id = ${filter.outletId}`)
  if (filter.fromMonth) where.push(sql`${dateColumn} >= ${filter.fromMonth}::date`)
  const limit = filter.limit === undefined ? sql`` : sql`limit ${filter.limit}`
  // The descriptor's columns as c0, c1, …: a row's values in the order its costing reads them.
  const columns = sql.raw(costing.columns.map((c, i) => `, t.${c} as c${i}`).join(''))
  const vehicle = costing.needs === 'vehicle'
  const { rows } = await sql<Record<string, unknown>>`
    select t.outlet_id as "outlet_id", t.id::text as "record_id", t.region_code as "region_code", ${dateColumn}::text as "date"${columns}
      ${costing.needs === 'item' ? sql`, t.item_id as "item_id"` : sql``}
      ${vehicle ? sql`, v.vehicle_class as "vehicle_class", v.energy as "energy"` : sql``}
    from ${sql.table(recordType)} t
    ${vehicle ? sql`join vehicles v on v.outlet_id = t.outlet_id and v.id = t.vehicle_id` : sql``}
    where ${sql.join(where, sql` and `)} order by t.outlet_id, t.id ${limit}`.execute(db)
  let items: Map<number, PackagingItemFacts> | undefined
  if (costing.needs === 'item' && rows.length > 0) {
    // The catalog is small: each item's facts are read once per batch and shared by its rows.
    const ids = [...new Set(rows.map((r) => Number(r.item_id)))]
    const found = await db
      .selectFrom('packaging_items')
      .select(['id', 'code', 'material', 'unit_mass_kg as unitMassKg', 'design_life_uses as designLifeUses'])
      .where('id', 'in', ids)
      .execute()
    items = new Map(found.map((i) => [Number(i.id), { code: i.code, material: i.material, unitMassKg: i.unitMassKg, designLifeUses: i.designLifeUses }]))
  }
  const at = costing.columns.map((_, i) => i)
  return rows.map((r) => {
    const row: CostRow = { recordId: String(r.record_id), outletId: Number(r.outlet_id), regionCode: String(r.region_code), date: String(r.date) }
    if (items) row.item = items.get(Number(r.item_id))!
    if (vehicle) row.vehicle = { vehicleClass: r.vehicle_class as VehicleClass, energy: String(r.energy) }
    return costing.input(row, at.map((i) => r[`c${i}`] as DbValue), at)
  })
}

/** Submitted (locked) months of the outlets in [lo, hi], as 'outletId|YYYY-MM-01'. */
export async function readLockedMonths(db: Kysely<Database>, outletLo: number, outletHi: number): Promise<Set<string>> {
  // month as text: inside a PGlite transaction a date may otherwise come back as a Date
  const rows = await db
    .selectFrom('period_submissions')
    .select(['outlet_id', sql<string>`month::text`.as('month')])
    .where('outlet_id', '>=', outletLo)
    .where('outlet_id', '<=', outletHi)
    .execute()
  return new Set(rows.map((r) => `${r.outlet_id}|${r.month}`))
}

export interface StoredResultHead {
  recordId: string
  version: string
  status: EmissionResultStatus
  co2eKg: string
  avoidedCo2eKg: string
}

/**
 * The results that count (current and restatement, result-status.ts) of
 * records of one type at the outlets in [lo, hi]: what a recompute decides
 * from. The caller keeps those of its own records; a range read costs nothing
 * where no result is stored yet, which is the common case of a first computation.
 */
export async function readStoredResults(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  outletLo: number,
  outletHi: number,
  recordIds?: readonly string[],
): Promise<StoredResultHead[]> {
  let query = db
    .selectFrom('emission_results')
    .select([
      'record_id as recordId',
      'factor_set_version as version',
      'status',
      'co2e_kg as co2eKg',
      'avoided_co2e_kg as avoidedCo2eKg',
    ])
    .where('outlet_id', '>=', outletLo)
    .where('outlet_id', '<=', outletHi)
    .where('record_type', '=', recordType)
    .where(countedResult('emission_results'))
  if (recordIds) query = query.where(sql<boolean>`record_id = any(${pgArray(recordIds)}::bigint[])`)
  const rows = await query.execute()
  for (const r of rows) r.recordId = String(r.recordId)
  return rows
}

export interface StoredResult extends ResultFigures {
  outletId: number
  recordType: CostedRecordType
  recordId: string
  factorSetVersion: string
  provenance: unknown
  computedAt: Date
  status: EmissionResultStatus
}

/** Every result of the given records (all versions and statuses), newest set first. */
export async function listResultsForRecords(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  recordIds: readonly string[],
): Promise<StoredResult[]> {
  if (recordIds.length === 0) return []
  return db
    .selectFrom('emission_results')
    .select([
      'outlet_id as outletId',
      'record_type as recordType',
      'record_id as recordId',
      'factor_set_version as factorSetVersion',
      sql<string>`month::text`.as('month'),
      'category',
      'co2e_kg as co2eKg',
      'avoided_co2e_kg as avoidedCo2eKg',
      'ttw_kg as ttwKg',
      'wtt_kg as wttKg',
      'electricity_kg as electricityKg',
      'method',
      'data_quality as dataQuality',
      'provenance',
      'computed_at as computedAt',
      shownStatus('emission_results').as('status'),
    ])
    .where('record_type', '=', recordType)
    .where('record_id', 'in', [...recordIds])
    .where(notOfDraft('emission_results'))
    .orderBy('record_id')
    .orderBy(sql`split_part(factor_set_version, '.', 1)::int`, 'desc')
    .orderBy(sql`split_part(factor_set_version, '.', 2)::int`, 'desc')
    .execute()
}

/**
 * A PostgreSQL array literal ('{1,2,NULL}', '{"a","b"}') for a list of
 * values, passed as one text parameter and cast in SQL. Every element is
 * quoted, so commas, braces, quotes and backslashes inside text survive.
 */
export function pgArray(values: readonly (string | number | null | undefined)[]): string {
  let out = '{'
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ','
    const v = values[i]
    if (v === null || v === undefined) out += 'NULL'
    else if (typeof v === 'number') out += String(v)
    else if (BARE.test(v) && !NULL_WORD.test(v)) out += v
    else out += `"${escapeArrayElement(v)}"`
  }
  return `${out}}`
}

/** Elements PostgreSQL reads unquoted: digits, dates, decimals, plain codes (never the word NULL). */
const BARE = /^[\w.:-]+$/
const NULL_WORD = /^null$/i
const NEEDS_ESCAPE = /["\\]/
const ESCAPES = /["\\]/g
function escapeArrayElement(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPES, '\\$&') : s
}
