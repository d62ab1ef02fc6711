import { sql, type Kysely, type RawBuilder } from 'kysely'
import type postgres from 'postgres'
import type { ResultToWrite } from '#app/domain/emissions/costing.ts'
import type { CostedRecordType } from '#app/domain/emissions/types.ts'
import { copyChannel, copyValue, type CopyChannel } from '../copy.ts'
import type { Database } from '../schema.ts'
import { pgArray } from './emissions.ts'
import { countedCurrent, countedResult, inForceText, lockResultWrites, publishLockKey, versionInForceSql } from './result-status.ts'

/**
 * Every write to emission_results: single records (forms), the recompute by
 * the engine and in SQL, the seed (through the recompute) and the CSV import
 * (by COPY or by insert). One column list, one COPY text, one set of status
 * rules: current for an open month, a restatement beside a locked month,
 * superseded for history.
 */

/** The columns a result is written with, in COPY and insert order. */
export const resultColumns =
  'outlet_id, record_type, record_id, factor_set_version, month, category, co2e_kg, avoided_co2e_kg, ttw_kg, wtt_kg, electricity_kg, method, data_quality, provenance, status'

const copyResultsStatement = `copy emission_results (${resultColumns}) from stdin`

/**
 * Results as COPY text, in `resultColumns` order. The import makes it while
 * the server writes the chunk before (decision 041), so making and sending
 * are apart.
 */
export function resultsCopyText(recordType: CostedRecordType, version: string, rows: readonly ResultToWrite[]): string {
  const fixed = `\t${recordType}\t`
  const versionCell = `\t${copyValue(version)}\t`
  const lines = new Array<string>(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!
    lines[i] = `${r.outletId}${fixed}${r.recordId}${versionCell}${r.month}\t${r.category}\t${r.co2eKg}\t${r.avoidedCo2eKg}\t${copyValue(r.ttwKg)}\t${copyValue(r.wttKg)}\t${copyValue(r.electricityKg)}\t${copyValue(r.method)}\t${r.dataQuality}\t${copyValue(r.provenance)}\t${r.status}\n`
  }
  return lines.join('')
}

/** Write results made into COPY text by resultsCopyText, on the channel's connection and transaction. */
export async function copyResultsText(channel: CopyChannel, text: string): Promise<void> {
  if (text.length > 0) await channel.copyIn(copyResultsStatement, [text])
}

/**
 * Insert results with COPY on a postgres.js client of the caller's own (a
 * script's; the app's Kysely handle exposes none), in a transaction of their
 * own: for batches with no live result of any version (nothing to supersede,
 * nothing to conflict with). A conflict fails the whole batch.
 */
export async function copyResults(pg: postgres.Sql, recordType: CostedRecordType, version: string, rows: readonly ResultToWrite[]): Promise<number> {
  if (rows.length === 0) return 0
  const text = resultsCopyText(recordType, version, rows)
  await pg.begin(async (tx) => {
    // as lockResultWrites does on a Kysely transaction: after a publish, or before it
    await tx`select pg_advisory_xact_lock_shared(${publishLockKey}::bigint)`
    const [row] = await tx.unsafe<{ in_force: string | null }[]>(`select ${inForceText} as in_force`)
    if (row?.in_force !== version) throw new Error(`Factor set ${version} is no longer the set in force`)
    await copyResultsText(copyChannel(tx), text)
  })
  return rows.length
}

/**
 * Write results of one record type and factor set version. `upsert` false is
 * for batches known to have no live result of this version yet (a plain insert,
 * the fast path of a first computation); true replaces the live result of the
 * same status, and only when something in it differs (live results of other
 * versions are superseded before, or stand beside it while a set is being published).
 * Returns rows written.
 */
export async function writeResults(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
  rows: readonly ResultToWrite[],
  /** `into`: the table of a set being published (result-partitions.ts), else emission_results. */
  options: { upsert: boolean; into?: string },
): Promise<number> {
  if (rows.length === 0) return 0
  const column = <K extends keyof ResultToWrite>(k: K) => pgArray(rows.map((r) => r[k] as string | number | null))
  // Provenance JSON never holds a raw newline (JSON escapes it), so the list
  // travels newline-separated: no array quoting of text full of quotes.
  const conflict = options.upsert
    ? sql`on conflict (outlet_id, record_type, record_id, factor_set_version) where status <> 'superseded' do update set
        month = excluded.month, category = excluded.category, co2e_kg = excluded.co2e_kg,
        avoided_co2e_kg = excluded.avoided_co2e_kg, ttw_kg = excluded.ttw_kg, wtt_kg = excluded.wtt_kg,
        electricity_kg = excluded.electricity_kg, method = excluded.method, data_quality = excluded.data_quality,
        provenance = excluded.provenance, status = excluded.status, computed_at = excluded.computed_at
      where (r.month, r.category, r.co2e_kg, r.avoided_co2e_kg, r.ttw_kg, r.wtt_kg, r.electricity_kg, r.method,
             r.data_quality, r.provenance, r.status)
        is distinct from
            (excluded.month, excluded.category, excluded.co2e_kg, excluded.avoided_co2e_kg, excluded.ttw_kg,
             excluded.wtt_kg, excluded.electricity_kg, excluded.method, excluded.data_quality, excluded.provenance,
             excluded.status)`
    : sql``
  const result = await sql`
    insert into ${sql.id(options.into ?? 'emission_results')} as r (${sql.raw(resultColumns)})
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
      and ${countedResult('r')} and ${which}`.execute(db)
  return Number(result.numAffectedRows ?? 0n)
}

const recordsPerStatement = 5_000

/**
 * Every live result of records replaced by new records (a correction or a
 * restatement of the activity itself): the old record is history and its
 * figures must not be summed beside its replacement's. (supersedeResults is
 * the other case: one record's results between factor set versions.)
 */
export async function retireResultsOfRecords(
  db: Kysely<Database>,
  recordType: string,
  records: readonly { outletId: number; id: string }[],
): Promise<void> {
  if (records.length === 0) return
  // Ordered after a publish in progress, which then cannot leave its result of the old record standing.
  await lockResultWrites(db)
  for (let start = 0; start < records.length; start += recordsPerStatement) {
    const chunk = records.slice(start, start + recordsPerStatement).map((r) => ({ o: r.outletId, id: r.id }))
    await sql`
      update emission_results e set status = 'superseded'
      from json_to_recordset(cast(${JSON.stringify(chunk)}::text as json)) as r(o integer, id bigint)
      where e.outlet_id = r.o and e.record_type = ${recordType} and e.record_id = r.id and e.status <> 'superseded'`.execute(db)
  }
}

/**
 * Insert as current the results a select computes (columns outlet_id,
 * record_id, month, category, the figures, method, data_quality,
 * provenance): records with no live result of any version yet (a first
 * computation, rows an import has just written). Returns the rows written
 * and, when asked, their totals.
 */
export async function insertComputedResults(
  trx: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
  computed: RawBuilder<unknown>,
  options: { totals: boolean },
): Promise<{ written: number; co2eKg: string; avoidedCo2eKg: string }> {
  const insert = sql`
    insert into emission_results (${sql.raw(resultColumns)})
    select c.outlet_id, ${recordType}, c.record_id, ${version}, c.month, c.category, c.co2e_kg, c.avoided_co2e_kg,
      c.ttw_kg, c.wtt_kg, c.electricity_kg, c.method, c.data_quality, c.provenance, 'current'
    from (${computed}) c`
  if (!options.totals) {
    const inserted = await insert.execute(trx)
    return { written: Number(inserted.numAffectedRows ?? 0n), co2eKg: '0', avoidedCo2eKg: '0' }
  }
  const { rows } = await sql<{ written: string; co2e: string; avoided: string }>`
    with inserted as (${insert} returning co2e_kg, avoided_co2e_kg)
    select count(*)::text as written, coalesce(sum(co2e_kg), 0)::text as co2e, coalesce(sum(avoided_co2e_kg), 0)::text as avoided
    from inserted`.execute(trx)
  const r = rows[0]!
  return { written: Number(r.written), co2eKg: r.co2e, avoidedCo2eKg: r.avoided }
}

/**
 * Apply a planned table of computed results (`gp_costed`, made by the SQL
 * recompute: each row's new status, whether a result of this set stands in
 * its place and is identical) with the recompute's rules: the results it
 * replaces superseded, a result of this set in its place rewritten when it
 * differs, the others inserted. Returns rows superseded and written.
 */
export async function applyPlannedResults(
  trx: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
): Promise<{ superseded: number; written: number }> {
  const superseded = await sql`
    update emission_results e set status = 'superseded'
    from gp_costed c
    where e.outlet_id = c.outlet_id and e.record_type = ${recordType} and e.record_id = c.record_id
      and ${countedResult('e')}
      and ((c.status = 'current' and ((e.status = 'current' and e.factor_set_version <> ${version}) or e.status = 'restatement'))
        or (c.status = 'restatement' and e.status = 'restatement' and e.factor_set_version <> ${version}))`.execute(trx)
  // A result of this set standing in the new one's place is updated; the others are new rows
  // (a plain insert: no conflict is possible once the other sets' results are set aside).
  const rewritten = await sql`
    update emission_results e set
      month = c.month, category = c.category, co2e_kg = c.co2e_kg, avoided_co2e_kg = c.avoided_co2e_kg,
      ttw_kg = c.ttw_kg, wtt_kg = c.wtt_kg, electricity_kg = c.electricity_kg, method = c.method,
      data_quality = c.data_quality, provenance = c.provenance, computed_at = now()
    from gp_costed c
    where c.has_own and not c.own_same
      and e.outlet_id = c.outlet_id and e.record_type = ${recordType} and e.record_id = c.record_id
      and e.status = c.status and e.status <> 'superseded' and e.factor_set_version = ${version}`.execute(trx)
  const inserted = await sql`
    insert into emission_results (${sql.raw(resultColumns)})
    select outlet_id, ${recordType}, record_id, ${version}, month, category, co2e_kg, avoided_co2e_kg,
      ttw_kg, wtt_kg, electricity_kg, method, data_quality, provenance, status
    from gp_costed
    where status <> 'unchanged' and not has_own`.execute(trx)
  return {
    superseded: Number(superseded.numAffectedRows ?? 0n),
    written: Number(rewritten.numAffectedRows ?? 0n) + Number(inserted.numAffectedRows ?? 0n),
  }
}

/**
 * The new set's results of the rows `computed` gives (costedSelect's
 * columns with `same_figures`), written into the set's own table (`into`),
 * beside the results that count now, which are not touched (the version
 * switch: they stop counting when the set is published). A restatement where
 * a locked month has a current result, else current. Returns rows written,
 * how many of them carry a figure other than the one that counts in their
 * place now (the current result, or for a restatement the restatement, else
 * the locked current result), the restatements, and (when asked) the
 * outlet-months of the current results written, all from one pass over the
 * rows. In an open month a row of a group whose figures the set in force
 * gives the same (`same_figures`) keeps its figure: its stored result is not
 * read. Call before the set is published (the figures compared with are the
 * set in force's).
 */
export async function insertNewSetResults(
  trx: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
  computed: RawBuilder<unknown>,
  /** `into`: the set's own table, not yet a partition of emission_results (result-partitions.ts). */
  options: { touched: boolean; into: string },
): Promise<{ written: number; changed: number; restatements: number; touched: { outletId: number; month: string }[] }> {
  const { rows } = await sql<{ written: string; changed: string; restatements: string; touched: string[] | null }>`
    with c as materialized (
      select c.*, l.outlet_id is not null as locked,
        case when l.outlet_id is not null and exists (select 1 from emission_results cur where cur.outlet_id = c.outlet_id
            and cur.record_type = ${recordType} and cur.record_id = c.record_id and ${countedCurrent('cur')}
            -- one probe for each row of a locked month, not a hash of every result of the type
            offset 0)
          then 'restatement' else 'current' end as status
      from (${computed}) c
      left join period_submissions l on l.outlet_id = c.outlet_id and l.month = c.month
    ), written as (
      insert into ${sql.id(options.into)} (${sql.raw(resultColumns)})
      select outlet_id, ${recordType}, record_id, ${version}, month, category, co2e_kg, avoided_co2e_kg,
        ttw_kg, wtt_kg, electricity_kg, method, data_quality, provenance, status
      from c
    )
    select count(*)::text as written,
      -- each CASE reads a stored result only when reached
      count(*) filter (where case when c.same_figures and not c.locked then false else coalesce(
          -- what counts in its place now: the set in force's result (one probe by the whole live key) ...
          (select row(b.co2e_kg, b.avoided_co2e_kg) from emission_results b
            where b.outlet_id = c.outlet_id and b.record_type = ${recordType} and b.record_id = c.record_id
              and b.factor_set_version = ${versionInForceSql} and b.status <> 'superseded'),
          -- ... else, beside a restatement, the locked month's current result of an older set
          case when c.status = 'restatement' then (select row(b.co2e_kg, b.avoided_co2e_kg) from emission_results b
            where b.outlet_id = c.outlet_id and b.record_type = ${recordType} and b.record_id = c.record_id and ${countedCurrent('b')}) end)
        is distinct from row(c.co2e_kg, c.avoided_co2e_kg) end)::text as changed,
      count(*) filter (where c.status = 'restatement')::text as restatements,
      ${options.touched
        ? sql`(select array_agg(d.outlet_id::text || '|' || d.month::text) from (select distinct outlet_id, month from c where status = 'current') d)`
        : sql`null::text[]`} as touched
    from c`.execute(trx)
  const r = rows[0]!
  const touched = (r.touched ?? []).map((k) => {
    const [outletId, month] = k.split('|')
    return { outletId: Number(outletId), month: month! }
  })
  return { written: Number(r.written), changed: Number(r.changed), restatements: Number(r.restatements), touched }
}
