import { sql, type Kysely } from 'kysely'
import type { Database } from '../schema.ts'
import { inTransaction } from '../transaction.ts'
import { appendAudit } from './audit.ts'
import { lockResultWrites, versionInForceSql } from './result-status.ts'

/** Month submissions: a submitted month is locked; later changes are restatements. */

export async function isMonthLocked(db: Kysely<Database>, outletId: number, month: string): Promise<boolean> {
  const row = await db
    .selectFrom('period_submissions')
    .select('outlet_id')
    .where('outlet_id', '=', outletId)
    .where('month', '=', `${month.slice(0, 7)}-01`)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Lock a month of an outlet; false if it was already submitted. The month
 * keeps the results of the set in force (result-status.ts): results of an
 * older set still stored as current, which stopped counting when a newer set
 * was published, are set aside, so that the locked month counts one result
 * per record whatever set is published later.
 */
export async function submitMonth(db: Kysely<Database>, outletId: number, month: string, userId: number): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    await lockResultWrites(trx)
    const result = await trx
      .insertInto('period_submissions')
      .values({ outlet_id: outletId, month: `${month}-01`, submitted_by: userId })
      .onConflict((oc) => oc.columns(['outlet_id', 'month']).doNothing())
      .executeTakeFirst()
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return false
    await sql`
      update emission_results set status = 'superseded'
      where outlet_id = ${outletId} and month = ${`${month}-01`}::date and status = 'current'
        and factor_set_version <> ${versionInForceSql}`.execute(trx)
    await appendAudit(trx, { actorUserId: userId, action: 'period.submit', entityType: 'outlet', entityId: outletId, outletId, after: { month } })
    return true
  })
}

export async function listSubmissions(db: Kysely<Database>, outletId: number) {
  return db
    .selectFrom('period_submissions')
    .leftJoin('users', 'users.id', 'period_submissions.submitted_by')
    .select([sql<string>`period_submissions.month::text`.as('month'), 'period_submissions.submitted_at as submittedAt', 'users.username as submittedBy'])
    .where('period_submissions.outlet_id', '=', outletId)
    .orderBy('period_submissions.month', 'desc')
    .execute()
}
