import { createHash, randomInt } from 'node:crypto'
import Decimal from 'decimal.js'
import type { Kysely, Transaction } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { chinaDay, type CounterAction, type CreditAction, type IsoDate } from '#app/domain/credits/actions.ts'
import type { CreditError, RuleFileError } from '#app/domain/credits/errors.ts'
import { phoneHash } from '#app/domain/credits/identity.server.ts'
import { generateMemberCode, maskPhone, normalisePhone, parseConsumerIdentifier, parseMemberCode, type ConsumerIdentifier } from '#app/domain/credits/identity.ts'
import { availableBalance, checkRedemption, expiryDate, planReversal, pointsToExpire, upcomingExpiries } from '#app/domain/credits/ledger.ts'
import { pointsForAction } from '#app/domain/credits/points.ts'
import { checkCreditRuleSets, parseCreditRuleSet, ruleSetInForce, type CreditRuleSet } from '#app/domain/credits/rules.ts'
import { avoidedEmissions, type AvoidedKind } from '#app/domain/emissions/avoided.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import type { Message } from '#app/i18n/index.ts'
import type { CreditKeys } from '#app/utils/credits-env.server.ts'
import { hashPassword } from '#app/utils/password.server.ts'
import { appendAudit } from '#db/models/audit.ts'
import {
  currentBalance,
  findActiveReward,
  findAward,
  findClaimCandidate,
  findConsumerByMemberCode,
  findConsumerByPhoneHash,
  findConsumerForViewer,
  findCounterOutlet,
  insertActionIfNew,
  insertLedgerEntry,
  insertPlaceholderConsumer,
  insertRedemption,
  insertRuleSetIfAbsent,
  listActiveRewards,
  listConsumersWithExpiredLots,
  listCounterRecords,
  listHistoryForViewer,
  listLedgerEntries,
  listRedemptionsForViewer,
  countAwardsByRuleSet,
  listRuleSetHeads,
  listRuleSetRows,
  lockConsumer,
  markClaimed,
  monthlyAvoidedForViewer,
  sumEarnedOn,
  takeRewardStock,
  updateRuleSetStatus,
  usernameTaken,
  type AwardRow,
  type ConsumerRow,
} from '#db/models/credits.ts'
import { claimReturnWaybill, findReturnHolder, type ReturnHolder } from '#db/models/credit-returns.ts'
import { markAttemptSucceeded, reserveAttempt } from '#db/models/sessions.ts'
import type { Database } from '#db/schema.ts'
import { inTransaction } from '#db/transaction.ts'
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

// --- rule sets ---

export interface RuleFile {
  fileName: string
  text: string
}

/**
 * Load rule files into credit_rule_sets. A version already stored is never
 * overwritten: past awards name it, and its status may have been changed
 * by an admin since.
 */
export async function syncCreditRuleSets(db: Db, files: readonly RuleFile[]): Promise<{ loaded: string[]; errors: RuleFileError[] }> {
  const errors: RuleFileError[] = []
  const parsed: { ruleSet: CreditRuleSet; file: RuleFile }[] = []
  for (const file of files) {
    const result = parseCreditRuleSet(file.text, file.fileName)
    if (result.ok) parsed.push({ ruleSet: result.ruleSet, file })
    else errors.push(...result.errors)
  }
  errors.push(...checkCreditRuleSets(parsed.map((p) => p.ruleSet)))
  if (errors.length > 0) return { loaded: [], errors }
  const loaded: string[] = []
  for (const { ruleSet, file } of parsed) {
    const inserted = await insertRuleSetIfAbsent(db, {
      version: ruleSet.version,
      status: ruleSet.status,
      effectiveFrom: ruleSet.effectiveFrom,
      content: JSON.parse(file.text.replace(/^\uFEFF/, '')),
      contentSha256: createHash('sha256').update(file.text, 'utf8').digest('hex'),
      fileName: ruleSet.fileName,
    })
    if (inserted) loaded.push(ruleSet.version)
  }
  return { loaded, errors }
}

// Parsed rule sets by version and content hash: a stored version's content never changes.
const parsedRuleSets = new Map<string, CreditRuleSet>()

/** The stored rule sets, with the status the database holds (an admin may have published or retired one). */
export async function loadRuleSets(db: Db): Promise<CreditRuleSet[]> {
  const heads = await listRuleSetHeads(db)
  const missing = heads.filter((head) => !parsedRuleSets.has(`${head.version}:${head.contentSha256}`))
  if (missing.length > 0) {
    for (const row of await listRuleSetRows(db)) {
      const parsed = parseCreditRuleSet(JSON.stringify(row.content), `${row.version}.json`)
      if (!parsed.ok) throw new Error(`Stored credit rule set ${row.version} no longer parses: ${JSON.stringify(parsed.errors)}`)
      parsedRuleSets.set(`${row.version}:${row.contentSha256}`, { ...parsed.ruleSet, fileName: row.fileName })
    }
  }
  return heads.map((head) => ({ ...parsedRuleSets.get(`${head.version}:${head.contentSha256}`)!, status: head.status }))
}

/** The rule sets for the admin page: each with its rules, sources and the awards it has made. */
export async function ruleSetsForAdmin(db: Db) {
  const [ruleSets, awards] = await Promise.all([loadRuleSets(db), countAwardsByRuleSet(db)])
  return ruleSets.map((set) => ({
    version: set.version,
    status: set.status,
    effectiveFrom: set.effectiveFrom,
    expiry: set.expiry,
    summary: set.source.summary,
    awards: awards.get(set.version) ?? 0,
    actions: Object.entries(set.actions).map(([action, rule]) => ({
      action: action as CreditAction,
      pointsPerGram: rule.pointsPerGram.toString(),
      rounding: rule.rounding,
      dailyCapPoints: rule.dailyCapPoints.toString(),
      maxQuantityPerAward: rule.maxQuantityPerAward,
    })),
  }))
}

export type RuleSetChange = { ok: true } | { ok: false; error: Message }

/**
 * Publish a draft rule set (it governs actions from its effectiveFrom on, which
 * may not be in the past: awards already made keep the set that made them,
 * and late-reported actions must not change rules retroactively) or retire a
 * published one. Audited.
 */
export async function changeRuleSetStatus(
  db: Db,
  actor: Viewer,
  input: { version: string; to: 'published' | 'retired' },
  now: Date,
): Promise<RuleSetChange> {
  const today = chinaDay(now)
  return inTransaction(db, async (trx): Promise<RuleSetChange> => {
    const sets = await loadRuleSets(trx)
    const target = sets.find((set) => set.version === input.version)
    if (!target) return { ok: false, error: { key: 'creditPages.rules.error.notFound', params: { version: input.version } } }
    const from = input.to === 'published' ? 'draft' : 'published'
    if (target.status !== from) {
      return { ok: false, error: { key: 'creditPages.rules.error.wrongStatus', params: { version: input.version, status: target.status } } }
    }
    if (input.to === 'published') {
      if (target.effectiveFrom < today) {
        return { ok: false, error: { key: 'creditPages.rules.error.inThePast', params: { version: input.version, date: target.effectiveFrom } } }
      }
      const clash = checkCreditRuleSets(sets.map((set) => (set.version === input.version ? { ...set, status: 'published' as const } : set)))
      if (clash.length > 0) return { ok: false, error: toMessage(clash[0]!) }
    }
    const changed = await updateRuleSetStatus(trx, input.version, from, input.to, actor.userId, now)
    if (!changed) return { ok: false, error: { key: 'creditPages.rules.error.wrongStatus', params: { version: input.version, status: '?' } } }
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: input.to === 'published' ? 'credits.rules.publish' : 'credits.rules.retire',
      entityType: 'credit_rule_set',
      entityId: input.version,
      before: { status: from },
      after: { status: input.to },
    })
    return { ok: true }
  })
}

// --- consumers ---

export interface ConsumerOrigin {
  outletId?: number
  partnerId?: number
}

export type FindConsumerResult = { ok: true; consumer: ConsumerRow; created: boolean } | { ok: false; code: 'consumer_not_found' }

/**
 * Find the consumer a member code or phone names. A phone the platform has
 * not seen gets a placeholder account (no password) with a new member code,
 * which the consumer can claim later; an unknown member code is refused.
 */
export async function findOrCreateConsumer(
  trx: Trx,
  identifier: ConsumerIdentifier,
  keys: CreditKeys,
  origin: ConsumerOrigin,
): Promise<FindConsumerResult> {
  if (identifier.kind === 'member_code') {
    const consumer = await findConsumerByMemberCode(trx, identifier.code)
    return consumer ? { ok: true, consumer, created: false } : { ok: false, code: 'consumer_not_found' }
  }
  const hash = phoneHash(identifier.phone, keys.phonePepper)
  for (let attempt = 0; attempt < 5; attempt++) {
    const known = await findConsumerByPhoneHash(trx, hash)
    if (known) return { ok: true, consumer: known, created: false }
    const memberCode = generateMemberCode(randomInt)
    const created = await insertPlaceholderConsumer(trx, {
      memberCode,
      phoneHash: hash,
      phoneMasked: maskPhone(identifier.phone),
      displayName: memberCode,
      outletId: origin.outletId ?? null,
      partnerId: origin.partnerId ?? null,
    })
    if (created) return { ok: true, consumer: created, created: true }
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
  if (!(await lockConsumer(trx, req.consumerId))) {
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

  const earnedToday = await sumEarnedOn(trx, req.consumerId, req.action, req.occurredOn)
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
  const actionId = await insertActionIfNew(trx, {
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
  })
  if (actionId === undefined) {
    const existing = await findAward(trx, req.consumerId, req.waybillNo, req.action)
    if (!existing) throw new Error('awardInTransaction: the conflicting action has no earn entry')
    return { ok: true, status: 'duplicate', award: awardFromRow(existing) }
  }

  const balance = await currentBalance(trx, req.consumerId)
  const expiresOn = expiryDate(ruleSet, req.occurredOn)
  const ledgerEntryId = await insertLedgerEntry(trx, {
    consumerId: req.consumerId,
    kind: 'earn',
    points: points.points.toString(),
    balanceAfter: balance.plus(points.points).toString(),
    occurredOn: req.occurredOn,
    ruleSetVersion: ruleSet.version,
    actionId,
    expiresOn,
    createdBy: source.kind === 'counter' ? source.recordedBy : null,
    detail: points.capped ? { cappedFrom: points.uncappedPoints.toString(), dailyCapPoints: points.dailyCapPoints.toString() } : undefined,
  })
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

// --- claiming a placeholder account ---

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

export function toMessage(error: CreditError): Message {
  return error.params ? { key: error.key, params: error.params } : { key: error.key }
}
