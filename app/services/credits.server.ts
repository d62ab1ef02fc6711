import { randomInt } from 'node:crypto'
import Decimal from 'decimal.js'
import type { Kysely, Transaction } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { chinaDay, type CounterAction, type CreditAction, type IsoDate } from '#app/domain/credits/actions.ts'
import { toMessage, type CreditError } from '#app/domain/credits/errors.ts'
import { phoneHash } from '#app/domain/credits/identity.server.ts'
import { generateMemberCode, maskPhone, parseConsumerIdentifier, type ConsumerIdentifier } from '#app/domain/credits/identity.ts'
import { expiryDate } from '#app/domain/credits/ledger.ts'
import { pointsForAction } from '#app/domain/credits/points.ts'
import { ruleSetInForce, type CreditRuleSet } from '#app/domain/credits/rules.ts'
import { avoidedEmissions, type AvoidedKind } from '#app/domain/emissions/avoided.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import type { Message } from '#app/i18n/index.ts'
import type { CreditKeys } from '#app/utils/credits-env.server.ts'
import { claimReturnWaybill, findReturnHolder, type ReturnHolder } from '#db/models/credit-returns.ts'
import {
  earnedOnAndBalance,
  findAward,
  findConsumerByMemberCode,
  findConsumerByPhoneHash,
  findCounterOutlet,
  insertAwardIfNew,
  insertPlaceholderConsumer,
  listCounterRecords,
  lockConsumer,
  lockConsumerAndRead,
  type AwardRow,
  type ConsumerRow,
  type UnderLock,
} from '#db/models/credits.ts'
import type { Database } from '#db/schema.ts'
import { inTransaction } from '#db/transaction.ts'
import { loadRuleSets } from './credit-rules.server.ts'
import { getFactorSetInForce } from './emissions.server.ts'


type Db = Kysely<Database>
type Trx = Transaction<Database>

/**
 * Which avoided-emission reference of the engine measures each action.
 *  - carton_returned: a carton in the recovery bin is reused for shipping (carton_reused, 37 g).
 *  - recyclable_box_chosen / _returned: one trip in recyclable packaging instead of a
 *    single-use carton (recyclable_trip). The engine has no separate figure for the
 *    return; the rule set decides how many points each earns per gram.
 *  - original_packaging_chosen: no re-pack, one carton and its tape not used (no_repack).
 *  - reduced_packaging_chosen: the engine's only reduced-material reference is narrow
 *    tape instead of 60 mm tape (narrow_tape, under 2 g): deliberately small until a
 *    measured figure for lighter packaging is added to the factor set.
 */
export const avoidedKindOf: Record<CreditAction, AvoidedKind> = {
  carton_returned: 'carton_reused',
  recyclable_box_chosen: 'recyclable_trip',
  original_packaging_chosen: 'no_repack',
  reduced_packaging_chosen: 'narrow_tape',
  recyclable_box_returned: 'recyclable_trip',
}

/**
 * The emission factor set new awards are computed with: the published set in
 * force in the database (app/services/emissions.server.ts), so a newly
 * published set applies to the next award and each award names its version.
 */
export async function factorSetForAwards(db: Db): Promise<FactorSet> {
  const found = await getFactorSetInForce(db)
  if (!found.ok) throw new Error(`Credits need a published emission factor set in the database (${found.error.key}); import one from factors/emission first.`)
  return found.set
}

// --- consumers ---

export interface ConsumerOrigin {
  outletId?: number
  partnerId?: number
}

export type FindConsumerResult = { ok: true; consumer: ConsumerRow; created: boolean; underLock?: UnderLock } | { ok: false; code: 'consumer_not_found' }

/**
 * Find the consumer a member code or phone names. A phone the platform has
 * not seen gets a placeholder account (no password) with a new member code,
 * which the consumer can claim later; an unknown member code is refused.
 * The consumer's row comes back locked (inside the caller's transaction): an
 * award that follows can say so (consumerLocked) and skip lockConsumer.
 */
export async function findOrCreateConsumer(
  trx: Trx,
  identifier: ConsumerIdentifier,
  keys: CreditKeys,
  origin: ConsumerOrigin,
  /** The award to follow, if the caller wants its reads done here (underLock, passed on to awardInTransaction). */
  awardDay?: { action: CreditAction; occurredOn: IsoDate },
): Promise<FindConsumerResult> {
  const lockAndRead = async (by: { phoneHash: string } | { memberCode: string }) => {
    if (awardDay) return lockConsumerAndRead(trx, by, awardDay)
    const consumer = 'phoneHash' in by ? await findConsumerByPhoneHash(trx, by.phoneHash, { lock: true }) : await findConsumerByMemberCode(trx, by.memberCode, { lock: true })
    return consumer && { consumer, underLock: undefined }
  }
  if (identifier.kind === 'member_code') {
    const known = await lockAndRead({ memberCode: identifier.code })
    return known ? { ok: true, consumer: known.consumer, created: false, underLock: known.underLock } : { ok: false, code: 'consumer_not_found' }
  }
  const hash = phoneHash(identifier.phone, keys.phonePepper)
  for (let attempt = 0; attempt < 5; attempt++) {
    const known = await lockAndRead({ phoneHash: hash })
    if (known) return { ok: true, consumer: known.consumer, created: false, underLock: known.underLock }
    const memberCode = generateMemberCode(randomInt)
    const created = await insertPlaceholderConsumer(trx, {
      memberCode,
      phoneHash: hash,
      phoneMasked: maskPhone(identifier.phone),
      displayName: memberCode,
      outletId: origin.outletId ?? null,
      partnerId: origin.partnerId ?? null,
    })
    // Nobody else can see, let alone credit, a consumer this transaction has just made: nothing earned, nothing held.
    if (created) return { ok: true, consumer: created, created: true, underLock: awardDay && { earned: new Decimal(0), balance: new Decimal(0) } }
    // Lost a race for this phone (found on the next pass) or drew a member code in use (draw again).
  }
  throw new Error('findOrCreateConsumer: could not create a consumer after 5 attempts')
}

// --- awards ---

export type AwardSource =
  | { kind: 'counter'; outletId: number; recordedBy: number | null }
  | { kind: 'partner'; partnerId: number; partnerKeyId: number; partnerOrderId: string }

export interface AwardRequest {
  consumerId: string
  action: CreditAction
  waybillNo: string
  quantity: number
  occurredAt: Date
  /** China calendar day of occurredAt. */
  occurredOn: IsoDate
  source: AwardSource
  /** The caller already holds the consumer's row lock in this transaction (findOrCreateConsumer takes it). */
  consumerLocked?: boolean
  /**
   * The day's earnings for this action and the balance, read under that lock
   * (findOrCreateConsumer with awardDay): the award then does not read them again.
   */
  underLock?: UnderLock
}

export interface Award {
  actionId: string
  consumerId: string
  action: CreditAction
  waybillNo: string
  quantity: number
  occurredOn: string
  avoidedCo2eG: string
  points: string
  uncappedPoints: string
  capped: boolean
  ruleSetVersion: string
  factorSetVersion: string
  factorIds: string[]
  ledgerEntryId: string
  expiresOn: string | null
}

export type AwardErrorCode = 'consumer_not_found' | 'action_not_rewarded' | 'quantity_too_large' | 'quantity_invalid' | 'return_already_awarded'

export type AwardOutcome =
  | { ok: true; status: 'awarded' | 'duplicate'; award: Award }
  | { ok: false; code: Exclude<AwardErrorCode, 'return_already_awarded'>; error: CreditError }
  | { ok: false; code: 'return_already_awarded'; error: CreditError; holder: ReturnHolder }

/** Actions that hand a carton or box back: one award per waybill, whoever brings it (credit_return_waybills). */
export const returnActions: readonly CreditAction[] = ['carton_returned', 'recyclable_box_returned'] satisfies readonly CounterAction[]

function awardFromRow(row: AwardRow): Award {
  return {
    actionId: row.actionId,
    consumerId: row.consumerId,
    action: row.action,
    waybillNo: row.waybillNo,
    quantity: row.quantity,
    occurredOn: row.occurredOn,
    avoidedCo2eG: row.avoidedCo2eG,
    points: row.points,
    uncappedPoints: row.uncappedPoints,
    capped: new Decimal(row.points).lt(row.uncappedPoints),
    ruleSetVersion: row.ruleSetVersion,
    factorSetVersion: row.factorSetVersion,
    factorIds: row.factorIds,
    ledgerEntryId: row.ledgerEntryId,
    expiresOn: row.expiresOn,
  }
}

/**
 * One award, inside the caller's transaction: avoided grams from the
 * emissions engine, points under the rule set in force on the action's day
 * with the daily cap, then the action row and its earn entry.
 *
 * The consumer row is locked first, so the day's sum for the cap and the
 * balance chain are read by one writer at a time. Which of several
 * identical requests wins is decided by the unique (consumer, waybill,
 * action) key with ON CONFLICT DO NOTHING; the others get the winner's award
 * back with status 'duplicate'.
 */
export async function awardInTransaction(
  trx: Trx,
  data: { factorSet: FactorSet; ruleSets: readonly CreditRuleSet[] },
  req: AwardRequest,
): Promise<AwardOutcome> {
  if (!req.consumerLocked && !(await lockConsumer(trx, req.consumerId))) {
    return { ok: false, code: 'consumer_not_found', error: { field: 'consumer', key: 'credits.api.consumerNotFound' } }
  }
  const ruleSet = ruleSetInForce(data.ruleSets, req.occurredOn)
  if (!ruleSet) {
    return {
      ok: false,
      code: 'action_not_rewarded',
      error: { field: 'action', key: 'credits.error.actionNotRewarded', params: { action: req.action, version: '—' } },
    }
  }
  const avoided = avoidedEmissions(data.factorSet, {
    kind: avoidedKindOf[req.action],
    count: new Decimal(req.quantity),
    year: Number(req.occurredOn.slice(0, 4)),
  })
  // A missing factor is a broken factor set, not the consumer's fault: fail loudly.
  if (!avoided.ok) throw new Error(`No avoided-emission factor for ${req.action} in ${data.factorSet.version}: ${avoided.error.key}`)
  const avoidedGrams = avoided.avoidedCo2eKg.times(1000)

  // Read under the consumer lock: nobody else writes this consumer's ledger until commit.
  const { earned: earnedToday, balance } =
    req.consumerLocked && req.underLock ? req.underLock : await earnedOnAndBalance(trx, req.consumerId, req.action, req.occurredOn)
  const points = pointsForAction(ruleSet, req.action, avoidedGrams, earnedToday, req.quantity)
  if (!points.ok) {
    const code: AwardErrorCode =
      points.error.key === 'credits.error.quantityTooLarge'
        ? 'quantity_too_large'
        : points.error.key === 'credits.error.quantityInvalid'
          ? 'quantity_invalid'
          : 'action_not_rewarded'
    return { ok: false, code, error: points.error }
  }

  const source = req.source
  if (returnActions.includes(req.action)) {
    const claimed = await claimReturnWaybill(trx, {
      waybillNo: req.waybillNo,
      consumerId: req.consumerId,
      action: req.action,
      occurredAt: req.occurredAt,
      outletId: source.kind === 'counter' ? source.outletId : null,
      partnerId: source.kind === 'partner' ? source.partnerId : null,
    })
    if (!claimed) {
      const holder = await findReturnHolder(trx, req.waybillNo)
      if (!holder) throw new Error('awardInTransaction: a return waybill is held by nobody')
      // The same consumer asking again for the same action is a repeat, answered below as 'duplicate'.
      if (holder.consumerId !== req.consumerId || holder.action !== req.action) {
        return {
          ok: false,
          code: 'return_already_awarded',
          error: { field: 'waybillNo', key: 'credits.api.alreadyAwarded' },
          holder,
        }
      }
    }
  }
  const expiresOn = expiryDate(ruleSet, req.occurredOn)
  const inserted = await insertAwardIfNew(
    trx,
    {
      consumerId: req.consumerId,
      action: req.action,
      waybillNo: req.waybillNo,
      quantity: req.quantity,
      occurredAt: req.occurredAt,
      occurredOn: req.occurredOn,
      outletId: source.kind === 'counter' ? source.outletId : null,
      partnerId: source.kind === 'partner' ? source.partnerId : null,
      partnerKeyId: source.kind === 'partner' ? source.partnerKeyId : null,
      partnerOrderId: source.kind === 'partner' ? source.partnerOrderId : null,
      recordedBy: source.kind === 'counter' ? source.recordedBy : null,
      avoidedCo2eG: avoidedGrams.toString(),
      factorIds: avoided.factorIds,
      factorSetVersion: avoided.factorSetVersion,
      ruleSetVersion: ruleSet.version,
      uncappedPoints: points.uncappedPoints.toString(),
    },
    {
      points: points.points.toString(),
      balanceAfter: balance.plus(points.points).toString(),
      expiresOn,
      createdBy: source.kind === 'counter' ? source.recordedBy : null,
      detail: points.capped ? { cappedFrom: points.uncappedPoints.toString(), dailyCapPoints: points.dailyCapPoints.toString() } : undefined,
    },
  )
  if (inserted === undefined) {
    const existing = await findAward(trx, req.consumerId, req.waybillNo, req.action)
    if (!existing) throw new Error('awardInTransaction: the conflicting action has no earn entry')
    return { ok: true, status: 'duplicate', award: awardFromRow(existing) }
  }
  const { actionId, ledgerEntryId } = inserted
  return {
    ok: true,
    status: 'awarded',
    award: {
      actionId,
      consumerId: req.consumerId,
      action: req.action,
      waybillNo: req.waybillNo,
      quantity: req.quantity,
      occurredOn: req.occurredOn,
      avoidedCo2eG: avoidedGrams.toString(),
      points: points.points.toString(),
      uncappedPoints: points.uncappedPoints.toString(),
      capped: points.capped,
      ruleSetVersion: ruleSet.version,
      factorSetVersion: avoided.factorSetVersion,
      factorIds: avoided.factorIds,
      ledgerEntryId,
      expiresOn,
    },
  }
}

/** awardInTransaction in a transaction of its own. */
export async function award(db: Db, data: { factorSet: FactorSet; ruleSets?: readonly CreditRuleSet[] }, req: AwardRequest): Promise<AwardOutcome> {
  const ruleSets = data.ruleSets ?? (await loadRuleSets(db))
  return inTransaction(db, (trx) => awardInTransaction(trx, { factorSet: data.factorSet, ruleSets }, req))
}

// --- the counter ---

export interface CounterInput {
  consumer: string
  action: CounterAction
  waybillNo: string
  quantity: number
  outletId: number
}

export type CounterField = 'consumer' | 'action' | 'waybillNo' | 'quantity' | 'form'

export type CounterOutcome =
  | {
      ok: true
      status: 'awarded' | 'duplicate'
      award: Award
      consumer: { memberCode: string; phoneMasked: string | null; created: boolean }
    }
  | { ok: false; httpStatus: 400 | 404; errors: Partial<Record<CounterField, Message>> }

class Rollback extends Error {
  constructor(readonly outcome: CounterOutcome) {
    super('rollback')
  }
}

/**
 * Record a carton or box handed back at the counter, for the operator's own
 * outlet only (checked through the one outlet-scoping condition). Everything,
 * including a new placeholder consumer, is one transaction: a refused award
 * leaves no account behind.
 */
export async function recordAtCounter(
  ctx: { db: Db; factorSet: FactorSet; keys: CreditKeys },
  viewer: Viewer,
  input: CounterInput,
  now: Date,
): Promise<CounterOutcome> {
  const outlet = await findCounterOutlet(ctx.db, viewer, input.outletId)
  if (!outlet) return { ok: false, httpStatus: 404, errors: { form: { key: 'creditPages.counter.error.notYourOutlet' } } }
  const identifier = parseConsumerIdentifier(input.consumer, 'consumer')
  if (!identifier.ok) return { ok: false, httpStatus: 400, errors: { consumer: toMessage(identifier.error) } }
  const ruleSets = await loadRuleSets(ctx.db)
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const found = await findOrCreateConsumer(trx, identifier.consumer, ctx.keys, { outletId: outlet.id })
      if (!found.ok) {
        throw new Rollback({ ok: false, httpStatus: 400, errors: { consumer: { key: 'creditPages.counter.error.memberNotFound' } } })
      }
      const outcome = await awardInTransaction(trx, { factorSet: ctx.factorSet, ruleSets }, {
        consumerId: found.consumer.id,
        action: input.action,
        waybillNo: input.waybillNo,
        quantity: input.quantity,
        occurredAt: now,
        occurredOn: chinaDay(now),
        source: { kind: 'counter', outletId: outlet.id, recordedBy: viewer.userId },
      })
      if (!outcome.ok && outcome.code === 'return_already_awarded') {
        throw new Rollback({ ok: false, httpStatus: 400, errors: { waybillNo: returnHolderMessage(outcome.holder, outlet.id) } })
      }
      if (!outcome.ok) {
        const field: CounterField = outcome.code === 'quantity_too_large' || outcome.code === 'quantity_invalid' ? 'quantity' : 'action'
        throw new Rollback({ ok: false, httpStatus: 400, errors: { [field]: toMessage(outcome.error) } })
      }
      return {
        ok: true,
        status: outcome.status,
        award: outcome.award,
        consumer: { memberCode: found.consumer.memberCode, phoneMasked: found.consumer.phoneMasked, created: found.created },
      } satisfies CounterOutcome
    })
  } catch (error) {
    if (error instanceof Rollback) return error.outcome
    throw error
  }
}

/**
 * Who was awarded a returned carton or box already, and when, for the clerk.
 * The place is named only when it is the clerk's own outlet: another
 * outlet's or a partner's records are not this outlet's to read.
 */
function returnHolderMessage(holder: ReturnHolder, ownOutletId: number): Message {
  const params = { who: holder.who, when: chinaMinute(holder.occurredAt) }
  if (holder.outletId === ownOutletId) return { key: 'creditPages.counter.error.returnAwardedHere', params }
  if (holder.viaPartner) return { key: 'creditPages.counter.error.returnAwardedPartner', params }
  return { key: 'creditPages.counter.error.returnAwardedElsewhere', params }
}

/** 'YYYY-MM-DD HH:mm' in China Standard Time. */
function chinaMinute(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
}

/** The counter page: the operator's own outlet and today's records there (404 for anyone else). */
export async function counterPage(db: Db, viewer: Viewer, now: Date) {
  if (viewer.outletId === null) return null
  const outlet = await findCounterOutlet(db, viewer, viewer.outletId)
  if (!outlet) return null
  return { outlet, records: await listCounterRecords(db, viewer, chinaDay(now)) }
}
