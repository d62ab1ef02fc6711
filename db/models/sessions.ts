import { sql, type Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { Database } from '../schema.ts'

export interface SessionUser extends Viewer {
  sessionId: string
  username: string
  displayName: string
  expiresAt: Date
}

export async function insertSession(
  db: Kysely<Database>,
  session: { id: string; userId: number; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      expires_at: session.expiresAt,
      ip: session.ip,
      user_agent: session.userAgent?.slice(0, 512) ?? null,
    })
    .execute()
}

/** The live session's user: not expired, not revoked, user not disabled. */
export async function findSessionUser(db: Kysely<Database>, sessionId: string, now: Date): Promise<SessionUser | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select([
      'sessions.id as sessionId',
      'sessions.expires_at as expiresAt',
      'users.id as userId',
      'users.username',
      'users.display_name as displayName',
      'memberships.role',
      'memberships.outlet_id as outletId',
      'memberships.brand_id as brandId',
      'memberships.region_code as regionCode',
    ])
    .where('sessions.id', '=', sessionId)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst()
  return row
}

export async function revokeSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute()
}

export async function revokeUserSessions(db: Kysely<Database>, userId: number): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export async function recordLoginAttempt(
  db: Kysely<Database>,
  attempt: { username: string; ip: string; succeeded: boolean },
): Promise<void> {
  await db.insertInto('login_attempts').values(attempt).execute()
}

/** Failed attempts since `since`, by the username and by the address. */
export async function countRecentFailures(
  db: Kysely<Database>,
  { username, ip, since }: { username: string; ip: string; since: Date },
): Promise<{ byUsername: number; byIp: number }> {
  const row = await db
    .selectFrom('login_attempts')
    .select((eb) => [
      eb.fn.count<string>('id').filterWhere('username', '=', username).as('byUsername'),
      eb.fn.count<string>('id').filterWhere('ip', '=', ip).as('byIp'),
    ])
    .where('succeeded', '=', false)
    .where('attempted_at', '>', since)
    .where((eb) => eb.or([eb('username', '=', username), eb('ip', '=', ip)]))
    .executeTakeFirstOrThrow()
  return { byUsername: Number(row.byUsername), byIp: Number(row.byIp) }
}

export interface AttemptLimit {
  /** What the attempt is counted against: a username, or `claim:<member code>`. */
  username: string
  ip: string
  since: Date
  maxPerUsername: number
  maxPerIp: number
}

export type AttemptReservation = { ok: true; attemptId: string } | { ok: false }

/**
 * Check the limits and count this attempt in one step: under a transaction-scoped
 * lock on the username and on the address, count the failures in the window and,
 * if under both limits, record this attempt as failed before anything is checked.
 * Parallel attempts queue on the lock, so no more than the limit are ever
 * evaluated; a success is marked afterwards (markAttemptSucceeded).
 */
export async function reserveAttempt(db: Kysely<Database>, limit: AttemptLimit): Promise<AttemptReservation> {
  const run = async (trx: Kysely<Database>): Promise<AttemptReservation> => {
    // Always the username's lock first, then the address's: one order, no deadlock.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`attempt:user:${limit.username}`}, 0))`.execute(trx)
    await sql`select pg_advisory_xact_lock(hashtextextended(${`attempt:ip:${limit.ip}`}, 0))`.execute(trx)
    const failures = await countRecentFailures(trx, limit)
    if (failures.byUsername >= limit.maxPerUsername || failures.byIp >= limit.maxPerIp) return { ok: false }
    const row = await trx
      .insertInto('login_attempts')
      .values({ username: limit.username, ip: limit.ip, succeeded: false })
      .returning('id')
      .executeTakeFirstOrThrow()
    return { ok: true, attemptId: String(row.id) }
  }
  return db.isTransaction ? run(db) : db.transaction().execute(run)
}

export async function markAttemptSucceeded(db: Kysely<Database>, attemptId: string): Promise<void> {
  await db.updateTable('login_attempts').set({ succeeded: true }).where('id', '=', attemptId).execute()
}
