import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Database } from '../schema.ts'

// ---- which stored results count (the version switch, docs/decisions/083-publish.md) ----
//
// A factor set's results are written beside the results of the set before it
// and take over when the set is published: nothing written before that moment
// is visible, and the results they replace are not rewritten. A stored result
// counts
//  - as its record's current result when stored 'current' and of the set in
//    force, or, in a locked (submitted) month, of any set that is not a draft:
//    a locked month keeps the result it was submitted with;
//  - as its record's restatement when stored 'restatement' and of the set in
//    force (a locked month's figure under the set in force).
// Everything else is history, shown as superseded; a draft's results (a
// publish in progress, or one that failed) are not shown at all. Every reader
// of live results goes through these expressions; each subquery in them is
// uncorrelated, so PostgreSQL computes it once per statement.

/** The set in force as SQL text, one value per statement: the highest published version (versions compare as numbers). */
export const inForceText = `(select fs.version from factor_sets fs where fs.status = 'published'
  order by split_part(fs.version, '.', 1)::int desc, split_part(fs.version, '.', 2)::int desc limit 1)`

export const versionInForceSql: RawBuilder<string> = sql.raw<string>(inForceText)

const draftVersionsSql = sql`(select fs.version from factor_sets fs where fs.status = 'draft')`

function column(alias: string, name: string): RawBuilder<unknown> {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`Not a table alias: ${alias}`)
  return sql.raw(`${alias}.${name}`)
}

/** The row (table alias `alias` of emission_results) is its record's current result. */
export function countedCurrent(alias: string): RawBuilder<boolean> {
  const c = (name: string) => column(alias, name)
  return sql<boolean>`(${c('status')} = 'current' and (${c('factor_set_version')} = ${versionInForceSql}
    or ((${c('outlet_id')}, ${c('month')}) in (select ps.outlet_id, ps.month from period_submissions ps)
      and ${c('factor_set_version')} not in ${draftVersionsSql})))`
}

/** The row is its record's restatement: a locked month's figure under the set in force. */
export function countedRestatement(alias: string): RawBuilder<boolean> {
  return sql<boolean>`(${column(alias, 'status')} = 'restatement' and ${column(alias, 'factor_set_version')} = ${versionInForceSql})`
}

/** The row counts, as current result or restatement. */
export function countedResult(alias: string): RawBuilder<boolean> {
  return sql<boolean>`(${countedCurrent(alias)} or ${countedRestatement(alias)})`
}

/** The row is not of a draft set (a publish in progress or one that failed): rows a reader may see at all. */
export function notOfDraft(alias: string): RawBuilder<boolean> {
  return sql<boolean>`${column(alias, 'factor_set_version')} not in ${draftVersionsSql}`
}

/** The status a reader is shown for a row not of a draft: what counts now, else superseded. */
export function shownStatus(alias: string): RawBuilder<'current' | 'restatement' | 'superseded'> {
  return sql<'current' | 'restatement' | 'superseded'>`(case when ${countedCurrent(alias)} then 'current'
    when ${countedRestatement(alias)} then 'restatement' else 'superseded' end)`
}

/**
 * Publishing takes this lock exclusively while it writes the new set's
 * results and switches to it; every other writer of results, activity records
 * or month submissions takes it shared in its transaction (lockResultWrites)
 * before it reads the set in force. A record is then costed with the set that
 * will be in force when its transaction commits, a record replaced while a set
 * is being published loses that set's result too, and a month is never
 * submitted with results of two sets standing.
 */
export const publishLockKey = 7_170_120_601

/**
 * The shared side of publishLockKey, for the caller's transaction. With
 * `version`, the set the caller costs with must still be the set in force
 * once the lock is held (a recompute that read it before a publish): else it
 * throws, and the transaction writes nothing.
 */
export async function lockResultWrites(trx: Kysely<Database>, version?: string): Promise<void> {
  if (!trx.isTransaction) throw new Error('lockResultWrites needs a transaction')
  await sql`select pg_advisory_xact_lock_shared(${publishLockKey}::bigint)`.execute(trx)
  if (version === undefined) return
  // A statement of its own: a statement's snapshot is taken before it waits for the lock.
  const { rows } = await sql<{ in_force: string | null }>`select ${versionInForceSql} as in_force`.execute(trx)
  if (rows[0]?.in_force !== version) {
    throw new Error(`Factor set ${version} is no longer the set in force (${rows[0]?.in_force ?? 'none'}): a newer set was published meanwhile`)
  }
}

/** The exclusive side, for a publish in one transaction (the caller's). */
export async function lockResultWritesForPublish(trx: Kysely<Database>): Promise<void> {
  if (!trx.isTransaction) throw new Error('lockResultWritesForPublish needs a transaction')
  await sql`select pg_advisory_xact_lock(${publishLockKey}::bigint)`.execute(trx)
}
