import { randomInt } from 'node:crypto'
import Decimal from 'decimal.js'
import type { Kysely, Transaction } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { chinaDay, type IsoDate } from '#app/domain/credits/actions.ts'
import { toMessage } from '#app/domain/credits/errors.ts'
import { availableBalance, checkRedemption, planReversal, pointsToExpire, upcomingExpiries } from '#app/domain/credits/ledger.ts'
import type { Message } from '#app/i18n/index.ts'
import { appendAudit } from '#db/models/audit.ts'
import { findActiveReward, insertRedemption, listActiveRewards, listRedemptionsForViewer, takeRewardStock } from '#db/models/credit-rewards.ts'
import {
  currentBalance,
  findConsumerForViewer,
  insertLedgerEntry,
  listConsumersWithExpiredLots,
  listHistoryForViewer,
  listLedgerEntries,
  lockConsumer,
  monthlyAvoidedForViewer,
} from '#db/models/credits.ts'
import type { Database } from '#db/schema.ts'
import { inTransaction } from '#db/transaction.ts'

type Db = Kysely<Database>
type Trx = Transaction<Database>

// --- expiry ---

/** Write the expire entry due on `asOf` for one consumer; the caller holds the consumer lock. */
export async function expireDueInTransaction(trx: Trx, consumerId: string, asOf: IsoDate): Promise<Decimal> {
  const entries = await listLedgerEntries(trx, consumerId)
  const due = pointsToExpire(entries, asOf)
  if (due.points.isZero()) return due.points
  const balance = await currentBalance(trx, consumerId)
  await insertLedgerEntry(trx, {
    consumerId,
    kind: 'expire',
    points: due.points.negated().toString(),
    balanceAfter: balance.minus(due.points).toString(),
    occurredOn: asOf,
    detail: { lots: due.lots.map((lot) => ({ earnEntryId: lot.earnEntryId, expiresOn: lot.expiresOn, points: lot.points.toString() })) },
  })
  return due.points
}

/** The expiry run: every consumer with lots past their last valid day, one transaction each. Safe to repeat. */
export async function expirePoints(db: Db, asOf: IsoDate): Promise<{ consumers: number; points: string }> {
  let consumers = 0
  let total = new Decimal(0)
  for (const consumerId of await listConsumersWithExpiredLots(db, asOf)) {
    const expired = await inTransaction(db, async (trx) => {
      await lockConsumer(trx, consumerId)
      return expireDueInTransaction(trx, consumerId, asOf)
    })
    if (expired.gt(0)) {
      consumers++
      total = total.plus(expired)
    }
  }
  return { consumers, points: total.toString() }
}

// --- redemption and reversal ---

export type RedeemOutcome =
  | { ok: true; code: string; reward: { nameZh: string; nameEn: string; costPoints: number }; balanceAfter: string }
  | { ok: false; error: Message }

const rewardCodeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ' // Crockford base32: no I, L, O, U

function generateRewardCode(): string {
  let code = ''
  for (let i = 0; i < 12; i++) code += rewardCodeAlphabet[randomInt(rewardCodeAlphabet.length)]
  return `GR-${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`
}

/**
 * Spend points on a reward: sweep what has expired, check the available
 * balance, take one item of stock, issue a code and write the redeem entry,
 * all under the consumer lock. The CHECK on balance_after is the last guard.
 */
export async function redeemReward(db: Db, viewer: Viewer, rewardId: number, now: Date): Promise<RedeemOutcome> {
  const consumer = await findConsumerForViewer(db, viewer)
  if (!consumer) return { ok: false, error: { key: 'creditPages.error.notAConsumer' } }
  const today = chinaDay(now)
  return inTransaction(db, async (trx): Promise<RedeemOutcome> => {
    await lockConsumer(trx, consumer.id)
    await expireDueInTransaction(trx, consumer.id, today)
    const reward = await findActiveReward(trx, rewardId)
    if (!reward) return { ok: false, error: { key: 'creditPages.rewards.error.unavailable' } }
    const entries = await listLedgerEntries(trx, consumer.id)
    const check = checkRedemption(availableBalance(entries, today), new Decimal(reward.costPoints))
    if (!check.ok) return { ok: false, error: toMessage(check.error) }
    const taken = await takeRewardStock(trx, rewardId)
    if (!taken) return { ok: false, error: { key: 'creditPages.rewards.error.outOfStock' } }
    let code = ''
    let redemptionId: string | undefined
    for (let attempt = 0; attempt < 5 && redemptionId === undefined; attempt++) {
      code = generateRewardCode()
      redemptionId = await insertRedemption(trx, { consumerId: consumer.id, rewardId, costPoints: reward.costPoints, code, redeemedOn: today })
    }
    if (redemptionId === undefined) throw new Error('redeemReward: could not draw a free reward code')
    const balance = await currentBalance(trx, consumer.id)
    const balanceAfter = balance.minus(reward.costPoints)
    await insertLedgerEntry(trx, {
      consumerId: consumer.id,
      kind: 'redeem',
      points: String(-reward.costPoints),
      balanceAfter: balanceAfter.toString(),
      occurredOn: today,
      redemptionId,
      createdBy: viewer.userId,
    })
    return { ok: true, code, reward: { nameZh: reward.nameZh, nameEn: reward.nameEn, costPoints: reward.costPoints }, balanceAfter: balanceAfter.toString() }
  })
}

export type ReverseOutcome = { ok: true; entryId: string; points: string; shortfall: string } | { ok: false; error: Message }

/**
 * Take back an award (an order cancelled, a record made in error) or refund
 * a redemption, as a new reverse entry. Never below zero: points already
 * spent are reported as shortfall. Audited.
 */
export async function reverseEntry(
  db: Db,
  actor: Viewer,
  input: { consumerId: string; entryId: string; reason: string },
  now: Date,
): Promise<ReverseOutcome> {
  return inTransaction(db, async (trx): Promise<ReverseOutcome> => {
    if (!(await lockConsumer(trx, input.consumerId))) return { ok: false, error: { key: 'credits.error.entryNotFound', params: { entryId: input.entryId } } }
    const entries = await listLedgerEntries(trx, input.consumerId)
    const plan = planReversal(entries, input.entryId)
    if (!plan.ok) return { ok: false, error: toMessage(plan.error) }
    const balance = await currentBalance(trx, input.consumerId)
    const entryId = await insertLedgerEntry(trx, {
      consumerId: input.consumerId,
      kind: 'reverse',
      points: plan.points.toString(),
      balanceAfter: balance.plus(plan.points).toString(),
      occurredOn: chinaDay(now),
      reversesEntryId: input.entryId,
      createdBy: actor.userId,
      detail: { reason: input.reason, shortfall: plan.shortfall.toString() },
    })
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: 'credits.reverse',
      entityType: 'credit_ledger',
      entityId: `${input.consumerId}:${input.entryId}`,
      reason: input.reason,
      after: { reverseEntryId: entryId, points: plan.points.toString(), shortfall: plan.shortfall.toString() },
    })
    return { ok: true, entryId, points: plan.points.toString(), shortfall: plan.shortfall.toString() }
  })
}

// --- the consumer's page ---

/** The last `count` months ending with the month of `today`, oldest first ('YYYY-MM'). */
export function recentMonths(today: IsoDate, count: number): string[] {
  const year = Number(today.slice(0, 4))
  const month = Number(today.slice(5, 7))
  const months: string[] = []
  for (let i = count - 1; i >= 0; i--) {
    const index = year * 12 + (month - 1) - i
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`)
  }
  return months
}

export async function consumerOverview(db: Db, viewer: Viewer, now: Date) {
  const consumer = await findConsumerForViewer(db, viewer)
  if (!consumer) return null
  const today = chinaDay(now)
  const months = recentMonths(today, 12)
  const [entries, history, monthlyRows, rewards, redemptions] = await Promise.all([
    listLedgerEntries(db, consumer.id),
    listHistoryForViewer(db, viewer),
    monthlyAvoidedForViewer(db, viewer, `${months[0]}-01`),
    listActiveRewards(db),
    listRedemptionsForViewer(db, viewer),
  ])
  const byMonth = new Map(monthlyRows.map((row) => [row.month, row.avoidedCo2eG]))
  const balance = entries.reduce((sum, entry) => sum.plus(entry.points), new Decimal(0))
  return {
    memberCode: consumer.memberCode,
    phoneMasked: consumer.phoneMasked,
    balance: balance.toString(),
    available: availableBalance(entries, today).toString(),
    upcoming: upcomingExpiries(entries, today)
      .slice(0, 3)
      .map((row) => ({ expiresOn: row.expiresOn, points: row.points.toString() })),
    history,
    monthly: months.map((month) => ({ month, avoidedCo2eG: byMonth.get(month) ?? '0' })),
    totalAvoidedCo2eG: monthlyRows.reduce((sum, row) => sum.plus(row.avoidedCo2eG), new Decimal(0)).toString(),
    rewards,
    redemptions,
  }
}
