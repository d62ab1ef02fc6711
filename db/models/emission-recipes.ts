import { sql, type Kysely, type RawBuilder } from 'kysely'
import { costingOf, dateColumnOf, type CostingDescriptor } from '#app/domain/records/index.ts'
import type { Message } from '#app/i18n/index.ts'
import { FIGURES, type Recipe } from '#app/domain/emissions/recipes.ts'
import type { Database } from '../schema.ts'
import { costedRecordTypes, type CostedRecordType } from '../tables/emissions.ts'
import { applyPlannedResults, insertComputedResults, insertNewSetResults } from './emission-results.ts'
import { resultPartition } from './result-partitions.ts'
import { countedCurrent, countedRestatement } from './result-status.ts'
import type { ActivityFilter } from './emissions.ts'
import { jsonb } from './json.ts'

/**
 * Set-based costing: the activity rows of one record type joined to the
 * recipes of their groups (app/domain/emissions/recipes.ts), each figure a
 * sum of quantity × coefficient in exact numeric, each provenance the group's
 * inputs with the row's quantities set in. Run inside one transaction: the
 * recipes and the costed rows are temporary tables of its connection.
 */

/** How a record type's rows are grouped and where their quantities are: its descriptor's SQL, and its date column. */
type TypeSql = CostingDescriptor['sql'] & { date: string }

export const typeSql: Readonly<Record<CostedRecordType, TypeSql>> = Object.fromEntries(
  costedRecordTypes.map((type) => [type, { ...costingOf(type).sql, date: dateColumnOf(type) }]),
) as Record<CostedRecordType, TypeSql>

const MAX_SLOTS = 4

function where(spec: TypeSql, filter: ActivityFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`t.superseded_at is null`]
  if (filter.outletId !== undefined) parts.push(sql`t.outlet_id = ${filter.outletId}`)
  if (filter.importBatchId !== undefined) parts.push(sql`t.import_batch_id = ${filter.importBatchId}::bigint`)
  if (filter.outletRange) parts.push(sql`t.outlet_id between ${filter.outletRange[0]} and ${filter.outletRange[1]}`)
  if (filter.fromMonth) parts.push(sql`${sql.raw(`t.${spec.date}`)} >= ${filter.fromMonth}::date`)
  return sql.join(parts, sql` and `)
}

/**
 * The groups of the rows to cost: key, what their templates are built from, and the largest quantity of each slot.
 * The parts are a function of the key (the key holds every part), so the rows are grouped by the key alone and
 * the parts built once per group from one of its rows (found again by its ctid), not for every row (decision 033).
 */
export async function readRecipeGroups(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  filter: ActivityFilter,
): Promise<{ key: string; parts: Record<string, unknown>; maxima: (string | null)[] }[]> {
  const spec = typeSql[recordType]
  const maxima = spec.slots.map((s) => `max(${s})::text`).join(', ')
  const { rows } = await sql<{ key: string; parts: Record<string, unknown> | string; maxima: (string | null)[] }>`
    select g.key, p.parts, g.maxima
    from (select ${sql.raw(spec.key)} as key, min(t.ctid) as sample, array[${sql.raw(maxima)}] as maxima
      from ${sql.raw(spec.from)} where ${where(spec, filter)} group by 1) g
    cross join lateral (select ${sql.raw(spec.parts)} as parts from ${sql.raw(spec.from)} where t.ctid = g.sample) p`.execute(db)
  return rows.map((r) => ({ key: r.key, parts: typeof r.parts === 'string' ? (JSON.parse(r.parts) as Record<string, unknown>) : r.parts, maxima: r.maxima }))
}

// Column names: the figure's name in lower case (unquoted identifiers are folded; jsonb_populate_recordset matches keys exactly).
const col = (f: string) => f.toLowerCase()
const coefficientColumns = FIGURES.flatMap((f) => Array.from({ length: MAX_SLOTS }, (_, i) => `${col(f)}_${i + 1}`))

/**
 * Stores the recipes in the temporary table gp_recipes (replacing any of this
 * connection's), and turns PostgreSQL's JIT compiler off for the rest of the
 * transaction: the costing statements are wide (a sum per figure and slot, the
 * provenance pieces), their estimated cost passes the JIT thresholds, and
 * compiling them took most of a statement's time for nothing gained in return
 * (decision 033).
 */
export async function loadRecipes(
  trx: Kysely<Database>,
  recipes: ReadonlyMap<string, Recipe>,
  /** Publishing: the groups whose figures the set in force gives the same (recipes.ts sameFigures). */
  sameFigures: ReadonlySet<string> = new Set(),
): Promise<void> {
  await sql`select set_config('jit', 'off', true)`.execute(trx)
  await sql`drop table if exists gp_recipes`.execute(trx)
  await sql.raw(`
    create temp table gp_recipes (
      key text primary key, kind text not null, error jsonb, category text, method text, data_quality smallint,
      same_figures boolean not null default false,
      ${Array.from({ length: MAX_SLOTS + 1 }, (_, i) => `segment_${i} text`).join(', ')},
      ${Array.from({ length: MAX_SLOTS }, (_, i) => `gap_${i + 1} smallint`).join(', ')},
      ${FIGURES.map((f) => `has_${col(f)} boolean`).join(', ')},
      ${coefficientColumns.map((c) => `${c} numeric`).join(', ')}
    )`).execute(trx)
  const rows = [...recipes].map(([key, r]) => {
    const row: Record<string, unknown> = { key, kind: r.kind, same_figures: sameFigures.has(key) }
    if (r.kind === 'refused') row.error = r.error
    if (r.kind !== 'linear') return row
    Object.assign(row, { category: r.category, method: r.method, data_quality: r.dataQuality })
    r.provenance.segments.forEach((segment, i) => (row[`segment_${i}`] = segment))
    r.provenance.gaps.forEach((slot, i) => (row[`gap_${i + 1}`] = slot + 1))
    for (const f of FIGURES) {
      const cs = r.coefficients[f]
      row[`has_${col(f)}`] = cs !== null
      // a zero coefficient is left out (null): its term costs nothing
      cs?.forEach((c, i) => {
        if (c !== null && !/^0(\.0*)?$/.test(c)) row[`${col(f)}_${i + 1}`] = c
      })
    }
    return row
  })
  if (rows.length === 0) return
  await sql`insert into gp_recipes select * from jsonb_populate_recordset(null::gp_recipes, ${jsonb(rows)})`.execute(trx)
  // without statistics the planner takes the table for one row and joins it the slow way
  await sql`analyze gp_recipes`.execute(trx)
}

/** The costed rows (outlet_id, record_id, month, figures, method, data_quality, provenance) of the linear groups. */
function costedSelect(recordType: CostedRecordType, filter: ActivityFilter, options: { sameFigures?: boolean } = {}): RawBuilder<unknown> {
  const spec = typeSql[recordType]
  const slots = spec.slots
  const sum = (f: string) =>
    `trim_scale(${slots.map((s, i) => `coalesce((${s}) * r.${col(f)}_${i + 1}, 0)`).join(' + ')})`
  const figure = (f: string) => (f === 'co2eKg' || f === 'avoidedCo2eKg' ? sum(f) : `case when r.has_${col(f)} then ${sum(f)} end`)
  // the provenance text: the group's segments with the row's quantities between them, read as jsonb once
  const text = (slot: string) => (spec.integerSlots ? `(${slot})::text` : `trim_scale(${slot})::text`)
  const gap = (n: number) => `coalesce(case r.gap_${n} ${slots.map((s, i) => `when ${i + 1} then ${text(s)}`).join(' ')} end, '')`
  const pieces = ['r.segment_0']
  for (let n = 1; n <= MAX_SLOTS; n++) pieces.push(gap(n), `coalesce(r.segment_${n}, '')`)
  const provenance = `(${pieces.join(' || ')})::jsonb`
  return sql`
    select t.outlet_id, t.id as record_id, date_trunc('month', ${sql.raw(`t.${spec.date}`)}::timestamp)::date as month, r.category,
      ${sql.raw(figure('co2eKg'))} as co2e_kg, ${sql.raw(figure('avoidedCo2eKg'))} as avoided_co2e_kg,
      ${sql.raw(figure('ttwKg'))} as ttw_kg, ${sql.raw(figure('wttKg'))} as wtt_kg, ${sql.raw(figure('electricityKg'))} as electricity_kg,
      r.method, r.data_quality, ${sql.raw(provenance)} as provenance${options.sameFigures ? sql`, r.same_figures` : sql``}
    from ${sql.raw(spec.from)} join gp_recipes r on r.key = ${sql.raw(spec.key)} and r.kind = 'linear'
    where ${where(spec, filter)}`
}

/** Rows of groups the engine refuses, by message key, with a few record ids to look at. */
export async function readRefusedRows(
  trx: Kysely<Database>,
  recordType: CostedRecordType,
  filter: ActivityFilter,
): Promise<{ error: Message; count: number; sampleIds: string[] }[]> {
  const spec = typeSql[recordType]
  const { rows } = await sql<{ error: Message | string; count: string; sample_ids: string[] }>`
    select r.error, count(*)::text as count, (array_agg(t.id::text order by t.outlet_id, t.id))[1:10] as sample_ids
    from ${sql.raw(spec.from)} join gp_recipes r on r.key = ${sql.raw(spec.key)} and r.kind = 'refused'
    where ${where(spec, filter)} group by r.key, r.error`.execute(trx)
  return rows.map((r) => ({ error: typeof r.error === 'string' ? (JSON.parse(r.error) as Message) : r.error, count: Number(r.count), sampleIds: r.sample_ids }))
}

/** Ids of the rows of groups that the engine costs one by one. */
export async function readEngineRowIds(trx: Kysely<Database>, recordType: CostedRecordType, filter: ActivityFilter): Promise<string[]> {
  const spec = typeSql[recordType]
  const { rows } = await sql<{ id: string }>`
    select t.id::text as id
    from ${sql.raw(spec.from)} join gp_recipes r on r.key = ${sql.raw(spec.key)} and r.kind = 'engine'
    where ${where(spec, filter)} order by t.outlet_id, t.id`.execute(trx)
  return rows.map((r) => r.id)
}

/** The stored results of the filter's outlets. */
function resultScope(filter: ActivityFilter): RawBuilder<unknown> {
  if (filter.outletId !== undefined) return sql`and outlet_id = ${filter.outletId}`
  if (filter.outletRange) return sql`and outlet_id between ${filter.outletRange[0]} and ${filter.outletRange[1]}`
  return sql``
}

/**
 * The record types with any live result at the filter's outlets: one scan of
 * the results' key for all six types (a type without results would otherwise be
 * looked for through every other type's keys, once per type). Superseded
 * results are history: a type with only those is costed as a first computation,
 * as the engine path does (readStoredResults reads live results only).
 */
export async function readTypesWithResults(db: Kysely<Database>, filter: ActivityFilter): Promise<Set<CostedRecordType>> {
  const { rows } = await sql<{ record_type: CostedRecordType }>`
    select distinct record_type from emission_results where status <> 'superseded' ${resultScope(filter)}`.execute(db)
  return new Set(rows.map((r) => r.record_type))
}

export interface SqlCostOutcome {
  costed: number
  written: number
  changed: number
  superseded: number
  restatements: number
  /** Outlet-months whose current results changed (only when asked for). */
  touched: { outletId: number; month: string }[]
}

/**
 * Statistics of the stored results. Without them (PGlite has no autovacuum; a
 * bulk load outruns it) the planner may join them row by row with a full scan
 * each: minutes instead of seconds. ANALYZE locks the table against another
 * ANALYZE until the transaction ends: run it before work split over connections.
 */
export async function analyzeResults(db: Kysely<Database>, options: { unlessKnown?: boolean } = {}): Promise<void> {
  if (options.unlessKnown) {
    // Statistics taken once, however long ago, are enough for a publish's lookups by key:
    // the planner scales the rows it was told of by the table's pages now.
    // (emission_results is partitioned: the partitions hold the statistics)
    const { rows } = await sql<{ known: boolean }>`
      select exists (select 1 from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'emission_results'::regclass and c.reltuples > 0) as known`.execute(db)
    if (rows[0]?.known) return
  }
  await sql`analyze emission_results`.execute(db)
}

/**
 * Cost the linear groups' rows in one statement and store the results with
 * the same rules as emissions.server.ts costAndPlan: an open month's new
 * result is current, and the current result of another version and any
 * restatement are superseded; a locked
 * month with a current result of another set gains a restatement (an older
 * restatement superseded); a locked month already counting this set is left
 * alone; a locked month without any result gets a current one. A result that
 * stands already, identical, is not written again. Call inside a transaction
 * after loadRecipes.
 */
export async function costAndStoreInSql(
  trx: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
  filter: ActivityFilter,
  /** newSet: no result of `version` is stored anywhere (the set is being published); anyStored is then not needed. */
  options: { touched: boolean; anyStored: boolean; newSet?: boolean },
): Promise<SqlCostOutcome> {
  const costed = costedSelect(recordType, filter, { sameFigures: options.newSet })
  const outcome: SqlCostOutcome = { costed: 0, written: 0, changed: 0, superseded: 0, restatements: 0, touched: [] }
  if (options.newSet) {
    // Publishing: nothing of this set to compare with or keep, and nothing set aside
    // (the version switch, decision 083): the new results are written into the set's
    // own table, which becomes its partition of emission_results before the switch.
    const done = await insertNewSetResults(trx, recordType, version, costed, { touched: options.touched, into: resultPartition(version) })
    Object.assign(outcome, { costed: done.written, written: done.written, changed: done.changed, restatements: done.restatements, touched: done.touched })
    return outcome
  }
  if (!options.anyStored) {
    // A first computation: nothing to supersede or compare with.
    const n = (await insertComputedResults(trx, recordType, version, costed, { totals: false })).written
    Object.assign(outcome, { costed: n, written: n, changed: n })
    if (options.touched && n > 0) {
      const { rows } = await sql<{ outlet_id: number; month: string }>`
        select distinct outlet_id, month::text as month from emission_results
        where record_type = ${recordType} and factor_set_version = ${version} and status = 'current' ${resultScope(filter)}`.execute(trx)
      outcome.touched = rows.map((r) => ({ outletId: r.outlet_id, month: r.month }))
    }
    return outcome
  }

  // How many rows the linear groups hold: a count needs neither figures nor provenance.
  const spec = typeSql[recordType]
  const counted = await sql<{ n: string }>`
    select count(*)::text as n from ${sql.raw(spec.from)} join gp_recipes r on r.key = ${sql.raw(spec.key)} and r.kind = 'linear'
    where ${where(spec, filter)}`.execute(trx)
  outcome.costed = Number(counted.rows[0]!.n)

  // Only rows with something to do go into gp_costed. A row is settled, with
  // nothing to write, supersede or count, when
  //   a locked month already counts a result of this set (status 'unchanged'), or
  //   the current result is of this set, identical, with no restatement beside it, or
  //   the month is locked and the restatement beside it is of this set and identical.
  // An on-demand recompute with nothing new then reads each record's live results
  // once and writes nothing; a new set or changed records go the full way below.
  const same = (alias: string) => sql.raw(`(${alias}.month, ${alias}.category, ${alias}.co2e_kg, ${alias}.avoided_co2e_kg, ${alias}.ttw_kg,
      ${alias}.wtt_kg, ${alias}.electricity_kg, ${alias}.method, ${alias}.data_quality, ${alias}.provenance)
      is not distinct from
    (c.month, c.category, c.co2e_kg, c.avoided_co2e_kg, c.ttw_kg, c.wtt_kg, c.electricity_kg, c.method, c.data_quality, c.provenance)`)
  // The result of this set already standing where the new one goes ("own": the current
  // result for an open month, the restatement for a locked one) is one of the two live
  // results read anyway; it is rewritten in place when it differs.
  await sql`drop table if exists gp_costed`.execute(trx)
  await sql`
    create temp table gp_costed as
    select c.*,
      case c.status when 'current' then c.cur_own when 'restatement' then c.rest_own else false end as has_own,
      case c.status when 'current' then c.cur_own and c.cur_same when 'restatement' then c.rest_own and c.rest_same else false end as own_same,
      case c.status when 'current' then case when c.cur_own then c.cur_co2e end when 'restatement' then case when c.rest_own then c.rest_co2e end end as own_co2e,
      case c.status when 'current' then case when c.cur_own then c.cur_avoided end when 'restatement' then case when c.rest_own then c.rest_avoided end end as own_avoided
    from (
      select c.*,
        cur.factor_set_version as cur_version, cur.co2e_kg as cur_co2e, cur.avoided_co2e_kg as cur_avoided,
        rest.factor_set_version as rest_version, rest.co2e_kg as rest_co2e, rest.avoided_co2e_kg as rest_avoided,
        coalesce(cur.factor_set_version = ${version}, false) as cur_own, ${same('cur')} as cur_same,
        coalesce(rest.factor_set_version = ${version}, false) as rest_own, ${same('rest')} as rest_same,
        case when cur.record_id is not null and l.outlet_id is not null
          then case when cur.factor_set_version = ${version} then 'unchanged' else 'restatement' end
          else 'current' end as status
      from (${costed}) c
      left join period_submissions l on l.outlet_id = c.outlet_id and l.month = c.month
      left join emission_results cur on cur.outlet_id = c.outlet_id and cur.record_type = ${recordType}
        and cur.record_id = c.record_id and ${countedCurrent('cur')}
      left join emission_results rest on rest.outlet_id = c.outlet_id and rest.record_type = ${recordType}
        and rest.record_id = c.record_id and ${countedRestatement('rest')}
      where not coalesce(
        (l.outlet_id is not null and cur.factor_set_version = ${version})
        or (l.outlet_id is null and cur.factor_set_version = ${version} and rest.record_id is null and ${same('cur')})
        or (l.outlet_id is not null and cur.factor_set_version <> ${version} and rest.factor_set_version = ${version} and ${same('rest')}),
        false)
    ) c`.execute(trx)
  await sql`analyze gp_costed`.execute(trx)

  const counts = await sql<{ changed: string; restatements: string }>`
    select
      (count(*) filter (where status = 'current' and (cur_version is null or cur_co2e <> co2e_kg or cur_avoided <> avoided_co2e_kg))
       + count(*) filter (where status = 'restatement' and (case when rest_version is not null
           then rest_co2e <> co2e_kg or rest_avoided <> avoided_co2e_kg
           else cur_co2e <> co2e_kg or cur_avoided <> avoided_co2e_kg end)))::text as changed,
      (count(*) filter (where status = 'restatement' and (own_co2e is null or own_co2e <> co2e_kg or own_avoided <> avoided_co2e_kg)))::text as restatements
    from gp_costed`.execute(trx)
  const c = counts.rows[0]!
  outcome.changed = Number(c.changed)
  outcome.restatements = Number(c.restatements)

  const applied = await applyPlannedResults(trx, recordType, version)
  outcome.superseded = applied.superseded
  outcome.written = applied.written

  if (options.touched) {
    const { rows } = await sql<{ outlet_id: number; month: string }>`
      select distinct outlet_id, month::text as month from gp_costed
      where status = 'current' and not own_same`.execute(trx)
    outcome.touched = rows.map((r) => ({ outletId: r.outlet_id, month: r.month }))
  }
  await sql`drop table gp_costed`.execute(trx)
  return outcome
}

/**
 * The results of rows an import batch wrote (ids in [from, to]) in groups
 * with a linear recipe (the import costed the others itself), all current: an
 * imported row is a new record with no result of any version yet. Call inside
 * the import's transaction, after loadRecipes.
 */
export async function insertImportedResults(
  trx: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
  importBatchId: string,
  ids: { from: string; to: string },
): Promise<{ written: number; co2eKg: string; avoidedCo2eKg: string }> {
  const costed = costedSelect(recordType, { importBatchId })
  return insertComputedResults(trx, recordType, version, sql`${costed} and t.id between ${ids.from}::bigint and ${ids.to}::bigint`, { totals: true })
}

/** Each current record's group key, by record id (to check groupOf against). */
export async function readGroupKeys(db: Kysely<Database>, recordType: CostedRecordType): Promise<Map<string, string>> {
  const spec = typeSql[recordType]
  const { rows } = await sql<{ id: string; key: string }>`
    select t.id::text as id, ${sql.raw(spec.key)} as key from ${sql.raw(spec.from)} where ${where(spec, {})}`.execute(db)
  return new Map(rows.map((r) => [r.id, r.key]))
}
