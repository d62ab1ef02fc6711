import type { Kysely } from 'kysely'
import { toMessage } from '#app/domain/credits/errors.ts'
import { phoneHash } from '#app/domain/credits/identity.server.ts'
import { normalisePhone, parseMemberCode } from '#app/domain/credits/identity.ts'
import type { Message } from '#app/i18n/index.ts'
import type { CreditKeys } from '#app/utils/credits-env.server.ts'
import { hashPassword } from '#app/utils/password.server.ts'
import { appendAudit } from '#db/models/audit.ts'
import { findClaimCandidate, markClaimed, usernameTaken } from '#db/models/credits.ts'
import { markAttemptSucceeded, reserveAttempt } from '#db/models/sessions.ts'
import type { Database } from '#db/schema.ts'

type Db = Kysely<Database>

export interface ClaimInput {
  memberCode: string
  phone: string
  username: string
  password: string
  displayName: string
}

export type ClaimField = 'memberCode' | 'phone' | 'username' | 'form'
export type ClaimOutcome = { ok: true; userId: number; username: string } | { ok: false; errors: Partial<Record<ClaimField, Message>> }

export const claimLimits = { windowMinutes: 15, maxFailuresPerCode: 5, maxFailuresPerIp: 30 } as const

/**
 * A consumer met at the counter claims their account: member code and phone
 * must both match (the code alone is printed on a slip anyone may see).
 * The attempt is counted against the code and the address in the same locked
 * step that checks the limits, before anything is compared, so parallel
 * guesses cannot outrun the limit. Whether a username is taken is told only
 * to someone who has matched the code and phone: to anyone else every
 * refusal reads the same, and the message does not say which of the two was wrong.
 */
export async function claimAccount(db: Db, keys: CreditKeys, input: ClaimInput, ip: string, now: Date): Promise<ClaimOutcome> {
  const member = parseMemberCode(input.memberCode, 'memberCode')
  if (!member.ok) return { ok: false, errors: { memberCode: toMessage(member.error) } }
  const phone = normalisePhone(input.phone, 'phone')
  if (!phone.ok) return { ok: false, errors: { phone: toMessage(phone.error) } }
  if (/^gp\d{8}[\dx]$/.test(input.username)) return { ok: false, errors: { username: { key: 'creditPages.claim.error.usernameLikeCode' } } }

  const reservation = await reserveAttempt(db, {
    username: `claim:${member.code}`,
    ip,
    since: new Date(now.getTime() - claimLimits.windowMinutes * 60_000),
    maxPerUsername: claimLimits.maxFailuresPerCode,
    maxPerIp: claimLimits.maxFailuresPerIp,
  })
  if (!reservation.ok) {
    return { ok: false, errors: { form: { key: 'creditPages.claim.error.rateLimited', params: { minutes: claimLimits.windowMinutes } } } }
  }
  const hash = phoneHash(phone.phone, keys.phonePepper)
  const matched = await findClaimCandidate(db, member.code)
  if (!matched || matched.phoneHash !== hash) return { ok: false, errors: { form: { key: 'creditPages.claim.error.noMatch' } } }
  // Code and phone match: the guess is over, so choosing a username does not use up the limit.
  await markAttemptSucceeded(db, reservation.attemptId)
  if (matched.claimed) return { ok: false, errors: { form: { key: 'creditPages.claim.error.alreadyClaimed' } } }
  const taken: ClaimOutcome = { ok: false, errors: { username: { key: 'admin.error.usernameTaken', params: { username: input.username } } } }
  if (await usernameTaken(db, input.username)) return taken
  const passwordHash = await hashPassword(input.password)
  try {
    return await db.transaction().execute(async (trx): Promise<ClaimOutcome> => {
      const candidate = await findClaimCandidate(trx, member.code)
      if (!candidate || candidate.phoneHash !== hash) return { ok: false, errors: { form: { key: 'creditPages.claim.error.noMatch' } } }
      if (candidate.claimed) return { ok: false, errors: { form: { key: 'creditPages.claim.error.alreadyClaimed' } } }
      await markClaimed(trx, {
        consumerId: candidate.consumerId,
        userId: candidate.userId,
        username: input.username,
        passwordHash,
        displayName: input.displayName,
        now,
      })
      await appendAudit(trx, { actorUserId: candidate.userId, action: 'consumer.claim', entityType: 'user', entityId: candidate.userId, after: { username: input.username } })
      return { ok: true, userId: candidate.userId, username: input.username }
    })
  } catch (error) {
    // Someone else took the username between the check and the write.
    if (isUniqueViolation(error)) return taken
    throw error
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
}
