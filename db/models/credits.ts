import Decimal from 'decimal.js'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import type { CreditAction, IsoDate, LedgerEntryKind } from '#app/domain/credits/actions.ts'
import type { LedgerEntry } from '#app/domain/credits/ledger.ts'
import type { Database } from '../schema.ts'
import { executeInOrder } from '../postgres-dialect.ts'
import { precompile } from '../precompiled.ts'
import { jsonb, jsonbFromText } from './json.ts'
import { outletVisibleTo } from './scope.ts'
import { txt, txtOrNull } from './sql-text.ts'

type Db = Kysely<Database>
type Trx = Transaction<Database>

// --- consumers ---

export interface ConsumerRow {
  id: string
  userId: number
  memberCode: string
  phoneMasked: string | null
  claimedAt: Date | null
}

function consumerQuery(db: Db) {
  return db
    .selectFrom('consumers')
    .select([txt('id').as('id'), 'user_id as userId', 'member_code as memberCode', 'phone_masked as phoneMasked', 'claimed_at as claimedAt'])
}

/**
 * `lock` takes the consumer's row lock in the same statement (inside a
 * transaction): the lock every ledger write of that consumer is serialised by
 * (lockConsumer), without a second round trip.
 */
// The locking lookups run on every award (the partner API's hot path): precompiled.
const lockByMemberCode = precompile<{ memberCode: string }, ConsumerRow>((db, p) => consumerQuery(db).where('member_code', '=', p('memberCode')).forUpdate())
const lockByPhoneHash = precompile<{ phoneHash: string }, ConsumerRow>((db, p) => consumerQuery(db).where('phone_hash', '=', p('phoneHash')).forUpdate())

export async function findConsumerByMemberCode(db: Db, memberCode: string, options: { lock?: boolean } = {}): Promise<ConsumerRow | undefined> {
  if (options.lock) return (await lockByMemberCode.execute(db, { memberCode })).rows[0]
  return consumerQuery(db).where('member_code', '=', memberCode).executeTakeFirst()
}

export async function findConsumerByPhoneHash(db: Db, phoneHash: string, options: { lock?: boolean } = {}): Promise<ConsumerRow | undefined> {
  if (options.lock) return (await lockByPhoneHash.execute(db, { phoneHash })).rows[0]
  return consumerQuery(db).where('phone_hash', '=', phoneHash).executeTakeFirst()
}

/** The signed-in consumer's own record: the id comes from the session, never from the request. */
export async function findConsumerForViewer(db: Db, viewer: Viewer): Promise<ConsumerRow | undefined> {
  if (viewer.role !== 'consumer') return undefined
  return consumerQuery(db).where('user_id', '=', viewer.userId).executeTakeFirst()
}

/** Serialise every ledger write of one consumer: call first inside the transaction. */
export async function lockConsumer(trx: Trx, consumerId: string): Promise<boolean> {
  const row = await trx.selectFrom('consumers').select('id').where('id', '=', consumerId).forUpdate().executeTakeFirst()
  return row !== undefined
}

export interface NewPlaceholderConsumer {
  memberCode: string
  phoneHash: string | null
  phoneMasked: string | null
  displayName: string
  outletId?: number | null
  partnerId?: number | null
}

/**
 * A consumer the platform has not met: a users row without a password (an
 * account to claim later), its membership and the consumer row. Returns
 * undefined when the member code or phone is taken meanwhile (a concurrent
 * request created them); the caller then looks the consumer up again.
 */
export async function insertPlaceholderConsumer(trx: Trx, input: NewPlaceholderConsumer): Promise<ConsumerRow | undefined> {
  const user = await trx
    .insertInto('users')
    .values({ username: input.memberCode.toLowerCase(), password_hash: null, display_name: input.displayName })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!user) return undefined
  await trx.insertInto('memberships').values({ user_id: user.id, role: 'consumer' }).execute()
  const consumer = await trx
    .insertInto('consumers')
    .values({
      user_id: user.id,
      member_code: input.memberCode,
      phone_hash: input.phoneHash,
      phone_masked: input.phoneMasked,
      created_at_outlet_id: input.outletId ?? null,
      created_by_partner_id: input.partnerId ?? null,
    })
    .onConflict((oc) => oc.doNothing())
    .returning([txt('id').as('id'), 'user_id as userId', 'member_code as memberCode', 'phone_masked as phoneMasked', 'claimed_at as claimedAt'])
    .executeTakeFirst()
  if (!consumer) {
    await trx.deleteFrom('users').where('id', '=', user.id).execute()
    return undefined
  }
  return consumer
}

/** Attach a consumer row to an existing users row (the demo consumer, who already signs in). */
export async function insertConsumerForUser(
  db: Db,
  input: { userId: number; memberCode: string; phoneHash: string | null; phoneMasked: string | null; claimedAt: Date | null },
): Promise<ConsumerRow> {
  return db
    .insertInto('consumers')
    .values({
      user_id: input.userId,
      member_code: input.memberCode,
      phone_hash: input.phoneHash,
      phone_masked: input.phoneMasked,
      claimed_at: input.claimedAt,
    })
    .returning([txt('id').as('id'), 'user_id as userId', 'member_code as memberCode', 'phone_masked as phoneMasked', 'claimed_at as claimedAt'])
    .executeTakeFirstOrThrow()
}

export interface ClaimCandidate {
  consumerId: string
  userId: number
  phoneHash: string | null
  claimed: boolean
}

export async function findClaimCandidate(trx: Db, memberCode: string): Promise<ClaimCandidate | undefined> {
  const row = await trx
    .selectFrom('consumers')
    .innerJoin('users', 'users.id', 'consumers.user_id')
    .select([txt('consumers.id').as('id'), 'consumers.user_id', 'consumers.phone_hash', 'consumers.claimed_at', 'users.password_hash'])
    .where('consumers.member_code', '=', memberCode)
    .forUpdate()
    .executeTakeFirst()
  return (
    row && {
      consumerId: row.id,
      userId: row.user_id,
      phoneHash: row.phone_hash,
      claimed: row.claimed_at !== null || row.password_hash !== null,
    }
  )
}

export async function usernameTaken(db: Db, username: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined
}

export async function markClaimed(
  trx: Trx,
  input: { consumerId: string; userId: number; username: string; passwordHash: string; displayName: string; now: Date },
): Promise<void> {
  await trx
    .updateTable('users')
    .set({ username: input.username, password_hash: input.passwordHash, display_name: input.displayName })
    .where('id', '=', input.userId)
    .where('password_hash', 'is', null)
    .execute()
  await trx.updateTable('consumers').set({ claimed_at: input.now }).where('id', '=', input.consumerId).execute()
}

// --- actions and ledger ---

export interface NewCreditAction {
  consumerId: string
  action: CreditAction
  waybillNo: string
  quantity: number
  occurredAt: Date
  occurredOn: IsoDate
  outletId: number | null
  partnerId: number | null
  partnerKeyId: number | null
  partnerOrderId: string | null
  recordedBy: number | null
  avoidedCo2eG: string
  factorIds: readonly string[]
  factorSetVersion: string
  ruleSetVersion: string
  uncappedPoints: string
}

export interface NewEarnEntry {
  points: string
  balanceAfter: string
  expiresOn: IsoDate | null
  createdBy: number | null
  detail?: unknown
}

/**
 * An award's action row and its earn entry in one statement. The database
 * decides which of several identical requests wins: the unique (consumer,
 * waybill, action) key and ON CONFLICT DO NOTHING. Undefined = lost, and then
 * no entry is written either.
 */
type AwardValues = { [K in keyof NewCreditAction as `a_${K}`]: unknown } & { [K in keyof NewEarnEntry as `e_${K}`]: unknown }

// Precompiled: it runs on every award. Each value is a param named after its field.
const insertAward = precompile<AwardValues, { ledgerEntryId: string; actionId: string }>((db, param) => {
  const a = (name: keyof NewCreditAction) => param(`a_${name}`)
  const e = (name: keyof NewEarnEntry) => param(`e_${name}`)
  return (db as Db)
    .with('a', (db) =>
      db
        .insertInto('credit_actions')
        .values({
          consumer_id: a('consumerId') as never,
          action: a('action') as never,
          waybill_no: a('waybillNo') as never,
          quantity: a('quantity') as never,
          occurred_at: a('occurredAt') as never,
          occurred_on: a('occurredOn') as never,
          outlet_id: a('outletId') as never,
          partner_id: a('partnerId') as never,
          partner_key_id: a('partnerKeyId') as never,
          partner_order_id: a('partnerOrderId') as never,
          recorded_by: a('recordedBy') as never,
          avoided_co2e_g: a('avoidedCo2eG') as never,
          factor_ids: jsonbFromText(a('factorIds')),
          factor_set_version: a('factorSetVersion') as never,
          rule_set_version: a('ruleSetVersion') as never,
          uncapped_points: a('uncappedPoints') as never,
        })
        .onConflict((oc) => oc.columns(['consumer_id', 'waybill_no', 'action']).doNothing())
        .returning(['id', 'consumer_id', 'occurred_on', 'rule_set_version']),
    )
    .insertInto('credit_ledger')
    .columns(['consumer_id', 'kind', 'points', 'balance_after', 'occurred_on', 'rule_set_version', 'action_id', 'expires_on', 'created_by', 'detail'])
    .expression((eb) =>
      eb
        .selectFrom('a')
        .select([
          'a.consumer_id',
          sql<'earn'>`'earn'`.as('kind'),
          sql<string>`${e('points')}::numeric`.as('points'),
          sql<string>`${e('balanceAfter')}::numeric`.as('balance_after'),
          'a.occurred_on',
          'a.rule_set_version',
          'a.id',
          sql<string | null>`${e('expiresOn')}::date`.as('expires_on'),
          sql<number | null>`${e('createdBy')}::int`.as('created_by'),
          jsonbFromText(e('detail')).as('detail'),
        ]),
    )
    .returning([txt('credit_ledger.id').as('ledgerEntryId'), txt('credit_ledger.action_id').as('actionId')])
})

/**
 * An award's action row and its earn entry in one statement. The database
 * decides which of several identical requests wins: the unique (consumer,
 * waybill, action) key and ON CONFLICT DO NOTHING. Undefined = lost, and then
 * no entry is written either.
 */
export async function insertAwardIfNew(trx: Trx, a: NewCreditAction, earn: NewEarnEntry): Promise<{ actionId: string; ledgerEntryId: string } | undefined> {
  const row = (
    await insertAward.execute(trx, {
      a_consumerId: a.consumerId,
      a_action: a.action,
      a_waybillNo: a.waybillNo,
      a_quantity: a.quantity,
      a_occurredAt: a.occurredAt,
      a_occurredOn: a.occurredOn,
      a_outletId: a.outletId,
      a_partnerId: a.partnerId,
      a_partnerKeyId: a.partnerKeyId,
      a_partnerOrderId: a.partnerOrderId,
      a_recordedBy: a.recordedBy,
      a_avoidedCo2eG: a.avoidedCo2eG,
      a_factorIds: JSON.stringify(a.factorIds),
      a_factorSetVersion: a.factorSetVersion,
      a_ruleSetVersion: a.ruleSetVersion,
      a_uncappedPoints: a.uncappedPoints,
      e_points: earn.points,
      e_balanceAfter: earn.balanceAfter,
      e_expiresOn: earn.expiresOn,
      e_createdBy: earn.createdBy,
      e_detail: earn.detail === undefined ? null : JSON.stringify(earn.detail),
    })
  ).rows[0]
  return row && { actionId: row.actionId, ledgerEntryId: row.ledgerEntryId }
}

export interface AwardRow {
  actionId: string
  consumerId: string
  action: CreditAction
  waybillNo: string
  quantity: number
  occurredOn: string
  outletId: number | null
  partnerId: number | null
  avoidedCo2eG: string
  factorIds: string[]
  factorSetVersion: string
  ruleSetVersion: string
  uncappedPoints: string
  ledgerEntryId: string
  points: string
  expiresOn: string | null
}

function awardQuery(db: Db) {
  return db
    .selectFrom('credit_actions as a')
    .innerJoin('credit_ledger as e', (join) =>
      // a literal, so that a generic plan can use the partial index of earn entries
      join.onRef('e.consumer_id', '=', 'a.consumer_id').onRef('e.action_id', '=', 'a.id').on('e.kind', '=', sql.lit('earn')),
    )
    .select([
      txt('a.id').as('actionId'),
      txt('a.consumer_id').as('consumerId'),
      'a.action',
      'a.waybill_no as waybillNo',
      'a.quantity',
      txt('a.occurred_on').as('occurredOn'),
      'a.outlet_id as outletId',
      'a.partner_id as partnerId',
      'a.avoided_co2e_g as avoidedCo2eG',
      'a.factor_ids as factorIds',
      'a.factor_set_version as factorSetVersion',
      'a.rule_set_version as ruleSetVersion',
      'a.uncapped_points as uncappedPoints',
      txt('e.id').as('ledgerEntryId'),
      'e.points',
      txtOrNull('e.expires_on').as('expiresOn'),
    ])
}

// Precompiled: every repeat of an award (a duplicate under a new key) reads the first one back.
const awardByKey = precompile<{ consumerId: string; waybillNo: string; action: CreditAction }, AwardRow>((db, p) =>
  awardQuery(db as Db)
    .where('a.consumer_id', '=', p('consumerId'))
    .where('a.waybill_no', '=', p('waybillNo'))
    .where('a.action', '=', p('action')),
)

export async function findAward(db: Db, consumerId: string, waybillNo: string, action: CreditAction): Promise<AwardRow | undefined> {
  return (await awardByKey.execute(db, { consumerId, waybillNo, action })).rows[0]
}

/**
 * What an award reads under the consumer lock, in one statement: the gross
 * points earned for the action on one China day (a reversal does not reopen
 * the daily cap) and the balance (as currentBalance). Read after the lock is
 * taken, so it sees every earlier writer's committed entries.
 */
export async function earnedOnAndBalance(trx: Trx, consumerId: string, action: CreditAction, occurredOn: IsoDate): Promise<{ earned: Decimal; balance: Decimal }> {
  const row = (await earnedAndBalance.id.execute(trx, { key: consumerId, action, occurredOn })).rows[0]
  return underLockFrom(row)
}

export interface UnderLock {
  earned: Decimal
  balance: Decimal
}

type EarnedRow = { earned: string | null; balance: string | null }

function underLockFrom(row: EarnedRow | undefined): UnderLock {
  return { earned: new Decimal(row?.earned ?? 0), balance: new Decimal(row?.balance ?? 0) }
}

/**
 * The consumer named by `column`, and for it the day's earnings and the
 * balance; no row when there is no such consumer. 'earn' is a literal, not a
 * parameter, so that the join can use the partial index of earn entries
 * (credit_ledger_one_earn_per_action) in a generic plan.
 */
function earnedAndBalanceBy(column: 'id' | 'phone_hash' | 'member_code') {
  // Precompiled: it runs on every award.
  return precompile<{ key: string; action: CreditAction; occurredOn: IsoDate }, EarnedRow>((db, p) =>
    (db as Db)
      .selectFrom('consumers as c')
      .select((eb) => [
        eb
          .selectFrom('credit_ledger as e')
          .innerJoin('credit_actions as a', (join) => join.onRef('a.consumer_id', '=', 'e.consumer_id').onRef('a.id', '=', 'e.action_id'))
          .select(sql<string | null>`sum(e.points)`.as('total'))
          .whereRef('e.consumer_id', '=', 'c.id')
          .where('e.kind', '=', sql.lit('earn'))
          .where('a.action', '=', p('action'))
          .where('a.occurred_on', '=', p('occurredOn'))
          .as('earned'),
        eb.selectFrom('credit_ledger as l').select('l.balance_after').whereRef('l.consumer_id', '=', 'c.id').orderBy('l.id', 'desc').limit(1).as('balance'),
      ])
      .where(`c.${column}`, '=', p('key')),
  )
}

const earnedAndBalance = { id: earnedAndBalanceBy('id'), phone_hash: earnedAndBalanceBy('phone_hash'), member_code: earnedAndBalanceBy('member_code') }

/**
 * findConsumerBy…({ lock: true }) and earnedOnAndBalance in one round trip:
 * the lock statement and the read are sent together (executeInOrder), and
 * PostgreSQL starts the read, with its own snapshot, only once the lock is
 * granted, as if it had been sent after. Undefined when no consumer has that
 * phone hash or member code.
 */
export async function lockConsumerAndRead(
  trx: Trx,
  by: { phoneHash: string } | { memberCode: string },
  day: { action: CreditAction; occurredOn: IsoDate },
): Promise<{ consumer: ConsumerRow; underLock: UnderLock } | undefined> {
  const [locked, read] =
    'phoneHash' in by
      ? await executeInOrder(trx, [lockByPhoneHash.compile(trx, by), earnedAndBalance.phone_hash.compile(trx, { key: by.phoneHash, ...day })])
      : await executeInOrder(trx, [lockByMemberCode.compile(trx, by), earnedAndBalance.member_code.compile(trx, { key: by.memberCode, ...day })])
  const consumer = locked!.rows[0] as ConsumerRow | undefined
  if (!consumer) return undefined
  return { consumer, underLock: underLockFrom(read!.rows[0] as EarnedRow | undefined) }
}

/** The balance is the last entry's balance_after (the trigger keeps the chain exact). */
export async function currentBalance(db: Db, consumerId: string): Promise<Decimal> {
  const row = await db
    .selectFrom('credit_ledger')
    .select('balance_after')
    .where('consumer_id', '=', consumerId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return new Decimal(row?.balance_after ?? 0)
}

export interface NewLedgerEntry {
  consumerId: string
  kind: LedgerEntryKind
  points: string
  balanceAfter: string
  occurredOn: IsoDate
  ruleSetVersion?: string | null
  actionId?: string | null
  redemptionId?: string | null
  reversesEntryId?: string | null
  expiresOn?: IsoDate | null
  createdBy?: number | null
  detail?: unknown
}

export async function insertLedgerEntry(trx: Trx, e: NewLedgerEntry): Promise<string> {
  const row = await trx
    .insertInto('credit_ledger')
    .values({
      consumer_id: e.consumerId,
      kind: e.kind,
      points: e.points,
      balance_after: e.balanceAfter,
      occurred_on: e.occurredOn,
      rule_set_version: e.ruleSetVersion ?? null,
      action_id: e.actionId ?? null,
      redemption_id: e.redemptionId ?? null,
      reverses_entry_id: e.reversesEntryId ?? null,
      expires_on: e.expiresOn ?? null,
      created_by: e.createdBy ?? null,
      detail: e.detail === undefined ? null : jsonb(e.detail),
    })
    .returning(txt('id').as('id'))
    .executeTakeFirstOrThrow()
  return row.id
}

/** Every entry of one consumer, oldest first, in the shape the pure ledger functions replay. */
export async function listLedgerEntries(db: Db, consumerId: string): Promise<LedgerEntry[]> {
  const rows = await db
    .selectFrom('credit_ledger')
    .select([
      txt('id').as('id'),
      'kind',
      'points',
      txt('occurred_on').as('occurred_on'),
      txtOrNull('expires_on').as('expires_on'),
      txtOrNull('reverses_entry_id').as('reverses_entry_id'),
    ])
    .where('consumer_id', '=', consumerId)
    // the table's bigint, not the text alias of the same name: '10' sorts before '9'
    .orderBy('credit_ledger.id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    points: new Decimal(r.points),
    occurredOn: r.occurred_on,
    expiresOn: r.expires_on,
    reversesEntryId: r.reverses_entry_id,
  }))
}

/** Consumers holding earn lots whose last valid day is before `asOf`: the expiry run's candidates. */
export async function listConsumersWithExpiredLots(db: Db, asOf: IsoDate): Promise<string[]> {
  const rows = await db
    .selectFrom('credit_ledger')
    .select(txt('consumer_id').as('consumer_id'))
    .where('kind', '=', 'earn')
    .where('expires_on', '<', asOf)
    .where('points', '>', '0')
    .groupBy('credit_ledger.consumer_id')
    .orderBy('credit_ledger.consumer_id')
    .execute()
  return rows.map((r) => r.consumer_id)
}

export interface HistoryRow {
  id: string
  kind: LedgerEntryKind
  points: string
  balanceAfter: string
  occurredOn: string
  createdAt: Date
  ruleSetVersion: string | null
  expiresOn: string | null
  action: CreditAction | null
  waybillNo: string | null
  quantity: number | null
  avoidedCo2eG: string | null
  rewardNameZh: string | null
  rewardNameEn: string | null
  reversesEntryId: string | null
}

/**
 * A consumer's own ledger, newest first. The consumer is found from the
 * viewer's user id in the same query, so no other consumer's row can come back.
 */
export async function listHistoryForViewer(db: Db, viewer: Viewer, limit = 100): Promise<HistoryRow[]> {
  if (viewer.role !== 'consumer') return []
  return db
    .selectFrom('credit_ledger as e')
    .innerJoin('consumers as c', 'c.id', 'e.consumer_id')
    .leftJoin('credit_actions as a', (join) => join.onRef('a.consumer_id', '=', 'e.consumer_id').onRef('a.id', '=', 'e.action_id'))
    .leftJoin('redemptions as r', (join) => join.onRef('r.consumer_id', '=', 'e.consumer_id').onRef('r.id', '=', 'e.redemption_id'))
    .leftJoin('rewards as w', 'w.id', 'r.reward_id')
    .select([
      txt('e.id').as('id'),
      'e.kind',
      'e.points',
      'e.balance_after as balanceAfter',
      txt('e.occurred_on').as('occurredOn'),
      'e.created_at as createdAt',
      'e.rule_set_version as ruleSetVersion',
      txtOrNull('e.expires_on').as('expiresOn'),
      'a.action',
      'a.waybill_no as waybillNo',
      'a.quantity',
      'a.avoided_co2e_g as avoidedCo2eG',
      'w.name_zh as rewardNameZh',
      'w.name_en as rewardNameEn',
      txtOrNull('e.reverses_entry_id').as('reversesEntryId'),
    ])
    .where('c.user_id', '=', viewer.userId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute()
}

/** Grams of CO2e avoided per month (YYYY-MM) by the viewer's own actions, awards taken back left out. */
export async function monthlyAvoidedForViewer(db: Db, viewer: Viewer, fromDay: IsoDate): Promise<{ month: string; avoidedCo2eG: string }[]> {
  if (viewer.role !== 'consumer') return []
  const rows = await db
    .selectFrom('credit_actions as a')
    .innerJoin('consumers as c', 'c.id', 'a.consumer_id')
    .innerJoin('credit_ledger as e', (join) =>
      join.onRef('e.consumer_id', '=', 'a.consumer_id').onRef('e.action_id', '=', 'a.id').on('e.kind', '=', 'earn'),
    )
    .select([sql<string>`to_char(a.occurred_on, 'YYYY-MM')`.as('month'), sql<string>`sum(a.avoided_co2e_g)`.as('avoidedCo2eG')])
    .where('c.user_id', '=', viewer.userId)
    .where('a.occurred_on', '>=', fromDay)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('credit_ledger as r')
            .select('r.id')
            .whereRef('r.consumer_id', '=', 'e.consumer_id')
            .whereRef('r.reverses_entry_id', '=', 'e.id'),
        ),
      ),
    )
    .groupBy(sql`to_char(a.occurred_on, 'YYYY-MM')`)
    .orderBy(sql`to_char(a.occurred_on, 'YYYY-MM')`)
    .execute()
  return rows
}

// --- the counter ---

/** The outlet the operator may record for: their own, through the one scoping condition. */
export async function findCounterOutlet(db: Db, viewer: Viewer, outletId: number) {
  if (viewer.role !== 'outlet_operator') return undefined
  return db
    .selectFrom('outlets')
    .select(['outlets.id', 'outlets.code', 'outlets.name_zh as nameZh', 'outlets.name_en as nameEn'])
    .where('outlets.id', '=', outletId)
    .where((eb) => outletVisibleTo(eb, viewer))
    .executeTakeFirst()
}

/** Today's counter records at the viewer's outlet, newest first, with only the masked phone. */
export async function listCounterRecords(db: Db, viewer: Viewer, day: IsoDate) {
  if (viewer.role !== 'outlet_operator') return []
  return db
    .selectFrom('credit_actions as a')
    .innerJoin('outlets', 'outlets.id', 'a.outlet_id')
    .innerJoin('consumers as c', 'c.id', 'a.consumer_id')
    .innerJoin('credit_ledger as e', (join) =>
      join.onRef('e.consumer_id', '=', 'a.consumer_id').onRef('e.action_id', '=', 'a.id').on('e.kind', '=', 'earn'),
    )
    .select([
      txt('a.id').as('id'),
      'a.action',
      'a.waybill_no as waybillNo',
      'a.quantity',
      'a.avoided_co2e_g as avoidedCo2eG',
      'e.points',
      'a.created_at as createdAt',
      'c.phone_masked as phoneMasked',
    ])
    .where((eb) => outletVisibleTo(eb, viewer))
    .where('a.occurred_on', '=', day)
    .orderBy('a.id', 'desc')
    .limit(50)
    .execute()
}
