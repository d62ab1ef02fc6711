import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Sql } from 'postgres'
import type { CostInput } from '#app/services/emission-costing.ts'
import type { Database } from '../schema.ts'
import type { CostedRecordType, EmissionCategory, EmissionResultStatus } from '../tables/emissions.ts'

/**
 * Queries of the emission results and of the activity rows they are computed
 * from. Batches move as PostgreSQL array literals through unnest(): one
 * statement per batch on either driver, with a handful of parameters however
 * many rows it carries.
 */

/** Where a record type keeps the date that decides its month and factor year. */
const DATE_COLUMN: Record<CostedRecordType, string> = {
  shipment_stats: 'stat_date',
  packaging_consumption: 'period_start',
  recovery_collections: 'collection_date',
  reusable_assets: 'month',
  vehicle_use: 'month',
  facility_electricity: 'month',
}

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
  const dateColumn = sql.ref(`t.${DATE_COLUMN[recordType]}`)
  const where: RawBuilder<unknown>[] = []
  if (filter.recordIds) where.push(sql`t.id = any(${pgArray(filter.recordIds)}::bigint[])`)
  else where.push(sql`t.superseded_at is null`)
  if (filter.after) where.push(sql`(t.outlet_id, t.id) > (${filter.after.outletId}, ${filter.after.id}::bigint)`)
  if (filter.outletId !== undefined) where.push(sql`t.outlet_id = ${filter.outletId}`)
  if (filter.fromMonth) where.push(sql`${dateColumn} >= ${filter.fromMonth}::date`)
  const condition = sql.join(where, sql` and `)
  const limit = filter.limit === undefined ? sql`` : sql`limit ${filter.limit}`
  const common = sql`t.outlet_id as "outletId", t.id as "recordId", t.region_code as "regionCode",
    ${dateColumn}::text as "date"`

  let query: RawBuilder<Record<string, unknown>>
  switch (recordType) {
    case 'facility_electricity':
      query = sql`select ${common}, t.electricity_kwh as "electricityKwh"
        from facility_electricity t where ${condition} order by t.outlet_id, t.id ${limit}`
      break
    case 'vehicle_use':
      query = sql`select ${common}, v.vehicle_class as "vehicleClass", v.energy,
          t.distance_km as "distanceKm", t.fuel_litres as "fuelLitres", t.fuel_kg as "fuelKg",
          t.electricity_kwh as "electricityKwh"
        from vehicle_use t join vehicles v on v.outlet_id = t.outlet_id and v.id = t.vehicle_id
        where ${condition} order by t.outlet_id, t.id ${limit}`
      break
    case 'packaging_consumption':
      query = sql`select ${common}, t.item_count as "itemCount", t.item_id as "itemId"
        from packaging_consumption t where ${condition} order by t.outlet_id, t.id ${limit}`
      break
    case 'shipment_stats':
      query = sql`select ${common}, t.e_waybill_parcels as "eWaybillParcels",
          t.ecommerce_original_parcels as "ecommerceOriginalParcels",
          t.narrow_tape_box_parcels as "narrowTapeBoxParcels"
        from shipment_stats t where ${condition} order by t.outlet_id, t.id ${limit}`
      break
    case 'recovery_collections':
      query = sql`select ${common}, t.cartons_reused as "cartonsReused"
        from recovery_collections t where ${condition} order by t.outlet_id, t.id ${limit}`
      break
    case 'reusable_assets':
      query = sql`select ${common}, t.asset_type as "assetType", t.trips_completed as "tripsCompleted"
        from reusable_assets t where ${condition} order by t.outlet_id, t.id ${limit}`
      break
  }
  const { rows } = await query.execute(db)
  if (recordType === 'packaging_consumption' && rows.length > 0) {
    // The catalog is small: each item's facts are read once per batch and shared by its rows.
    const ids = [...new Set(rows.map((r) => Number(r.itemId)))]
    const items = await db
      .selectFrom('packaging_items')
      .select(['id', 'code', 'material', 'unit_mass_kg as unitMassKg', 'design_life_uses as designLifeUses'])
      .where('id', 'in', ids)
      .execute()
    const byId = new Map(items.map((i) => [Number(i.id), { code: i.code, material: i.material, unitMassKg: i.unitMassKg, designLifeUses: i.designLifeUses }]))
    for (const r of rows) r.item = byId.get(Number(r.itemId))
  }
  for (const r of rows) {
    r.recordType = recordType
    // PGlite hands small int8 values back as numbers; ids travel as strings everywhere.
    r.recordId = String(r.recordId)
  }
  return rows as unknown as CostInput[]
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
 * The live results (current and restatement; superseded ones are history) of
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
    .where('status', '<>', 'superseded')
  if (recordIds) query = query.where(sql<boolean>`record_id = any(${pgArray(recordIds)}::bigint[])`)
  const rows = await query.execute()
  for (const r of rows) r.recordId = String(r.recordId)
  return rows
}

/**
 * Set live results aside (status superseded) for the records given:
 * 'replaced' when a new current result of `version` replaces them: the current
 * result of another set and any restatement;
 * 'restatement' when a newer restatement replaces an older one: the
 * restatement of another set.
 */
export async function supersedeResults(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
  records: readonly { outletId: number; recordId: string }[],
  mode: 'replaced' | 'restatement',
): Promise<number> {
  if (records.length === 0) return 0
  let lo = Infinity
  let hi = -Infinity
  for (const r of records) {
    if (r.outletId < lo) lo = r.outletId
    if (r.outletId > hi) hi = r.outletId
  }
  const which =
    mode === 'replaced'
      ? sql`((r.status = 'current' and r.factor_set_version <> ${version}) or r.status = 'restatement')`
      : sql`r.status = 'restatement' and r.factor_set_version <> ${version}`
  const result = await sql`
    update emission_results r set status = 'superseded'
    from unnest(${pgArray(records.map((r) => r.outletId))}::int[], ${pgArray(records.map((r) => r.recordId))}::bigint[]) as u(outlet_id, record_id)
    where r.outlet_id between ${lo} and ${hi}
      and r.outlet_id = u.outlet_id and r.record_type = ${recordType} and r.record_id = u.record_id
      and r.status <> 'superseded' and ${which}`.execute(db)
  return Number(result.numAffectedRows ?? 0n)
}

/** What one result says: its month, category and figures (exact decimal text), how it was computed. */
export interface ResultFigures {
  month: string
  category: EmissionCategory
  co2eKg: string
  avoidedCo2eKg: string
  ttwKg: string | null
  wttKg: string | null
  electricityKg: string | null
  method: string
  dataQuality: number
}

export interface ResultToWrite extends ResultFigures {
  outletId: number
  recordId: string
  /** JSON text of the provenance object. */
  provenance: string
  status: 'current' | 'restatement'
}

/**
 * Write results of one record type and factor set version. `upsert` false is
 * for batches known to have no live result of this version yet (a plain insert,
 * the fast path of a first computation); true replaces the live result of the
 * same status, and only when something in it differs (live results of other
 * versions are superseded before, so the one replaced is of this version).
 * Returns rows written.
 */
export async function writeResults(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
  rows: readonly ResultToWrite[],
  options: { upsert: boolean },
): Promise<number> {
  if (rows.length === 0) return 0
  const column = <K extends keyof ResultToWrite>(k: K) => pgArray(rows.map((r) => r[k] as string | number | null))
  // Provenance JSON never holds a raw newline (JSON escapes it), so the list
  // travels newline-separated: no array quoting of text full of quotes.
  const conflict = options.upsert
    ? sql`on conflict (outlet_id, record_type, record_id, status) where status <> 'superseded' do update set
        month = excluded.month, category = excluded.category, co2e_kg = excluded.co2e_kg,
        avoided_co2e_kg = excluded.avoided_co2e_kg, ttw_kg = excluded.ttw_kg, wtt_kg = excluded.wtt_kg,
        electricity_kg = excluded.electricity_kg, method = excluded.method, data_quality = excluded.data_quality,
        provenance = excluded.provenance, status = excluded.status, computed_at = excluded.computed_at
      where (emission_results.month, emission_results.category, emission_results.co2e_kg, emission_results.avoided_co2e_kg,
             emission_results.ttw_kg, emission_results.wtt_kg, emission_results.electricity_kg, emission_results.method,
             emission_results.data_quality, emission_results.provenance, emission_results.status)
        is distinct from
            (excluded.month, excluded.category, excluded.co2e_kg, excluded.avoided_co2e_kg, excluded.ttw_kg,
             excluded.wtt_kg, excluded.electricity_kg, excluded.method, excluded.data_quality, excluded.provenance,
             excluded.status)`
    : sql``
  const result = await sql`
    insert into emission_results (outlet_id, record_type, record_id, factor_set_version, month, category,
      co2e_kg, avoided_co2e_kg, ttw_kg, wtt_kg, electricity_kg, method, data_quality, provenance, status)
    select u.outlet_id, ${recordType}, u.record_id, ${version}, u.month, u.category, u.co2e_kg, u.avoided_co2e_kg,
      u.ttw_kg, u.wtt_kg, u.electricity_kg, u.method, u.data_quality, u.provenance::jsonb, u.status
    from unnest(
      ${column('outletId')}::int[], ${column('recordId')}::bigint[], ${column('month')}::date[],
      ${column('category')}::text[], ${column('co2eKg')}::numeric[], ${column('avoidedCo2eKg')}::numeric[],
      ${column('ttwKg')}::numeric[], ${column('wttKg')}::numeric[], ${column('electricityKg')}::numeric[],
      ${column('method')}::text[], ${column('dataQuality')}::smallint[],
      string_to_array(${rows.map((r) => r.provenance).join('\n')}, E'\\n'), ${column('status')}::text[]
    ) as u(outlet_id, record_id, month, category, co2e_kg, avoided_co2e_kg, ttw_kg, wtt_kg, electricity_kg,
           method, data_quality, provenance, status)
    ${conflict}`.execute(db)
  return Number(result.numAffectedRows ?? 0n)
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
      'status',
    ])
    .where('record_type', '=', recordType)
    .where('record_id', 'in', [...recordIds])
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

/**
 * Insert results with COPY … FROM STDIN on a postgres.js connection (a
 * script creates its own; the app's handle does not expose one): the fastest
 * way into PostgreSQL. For batches with no stored result of any
 * version (nothing to supersede, nothing to conflict with); each COPY is its
 * own transaction.
 */
export async function copyResults(
  pg: Sql,
  recordType: CostedRecordType,
  version: string,
  rows: readonly ResultToWrite[],
): Promise<number> {
  if (rows.length === 0) return 0
  // In a transaction followed by a trivial query: postgres.js loses an error
  // PostgreSQL reports after the end of the data (a duplicate key, say) and
  // never finishes the stream; the query after it then fails on the aborted
  // transaction, so a failed COPY is an error here, not a hang. The query also
  // waits for the COPY to complete (one connection, queries in order).
  await pg.begin(async (tx) => {
    const stream = await tx`copy emission_results (outlet_id, record_type, record_id, factor_set_version, month, category,
      co2e_kg, avoided_co2e_kg, ttw_kg, wtt_kg, electricity_kg, method, data_quality, provenance, status) from stdin`.writable()
    const fixed = `\t${recordType}\t`
    const versionCell = `\t${version}\t`
    let failed: Error | null = null
    stream.on('error', (e: Error) => {
      failed = e
    })
    const write = (text: string) =>
      new Promise<void>((resolve, reject) => {
        if (failed) reject(failed)
        else if (stream.write(text)) resolve()
        else stream.once('drain', () => (failed ? reject(failed) : resolve()))
      })
    // Lines are collected and joined (a flat string encodes to bytes much faster
    // than one grown by +=), and sent in pieces of about 256 kB.
    let lines: string[] = []
    let size = 0
    for (const r of rows) {
      // COPY text format: tab-separated, \N for null, backslashes doubled
      // (the JSON is on one line: JSON.stringify escapes tabs and newlines).
      const line = `${r.outletId}${fixed}${r.recordId}${versionCell}${r.month}\t${r.category}\t${r.co2eKg}\t${r.avoidedCo2eKg}\t${r.ttwKg ?? '\\N'}\t${r.wttKg ?? '\\N'}\t${r.electricityKg ?? '\\N'}\t${r.method}\t${r.dataQuality}\t${r.provenance.includes('\\') ? r.provenance.replace(/\\/g, '\\\\') : r.provenance}\t${r.status}\n`
      lines.push(line)
      size += line.length
      if (size > 1 << 18) {
        await write(lines.join(''))
        lines = []
        size = 0
      }
    }
    if (failed) throw failed
    await new Promise<void>((resolve, reject) => stream.write(lines.join(''), (e) => (e ? reject(e) : resolve())))
    stream.end()
    // The end of the data goes out on the next tick; until then the
    // connection refuses other queries.
    for (let attempt = 0; ; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, attempt === 0 ? 0 : 5))
      try {
        await tx`select 1`
        break
      } catch (e) {
        if ((e as { code?: string }).code !== 'COPY_IN_PROGRESS' || attempt > 1000) throw e
      }
    }
  })
  return rows.length
}
