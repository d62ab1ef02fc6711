import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../schema.ts'
import { precompile } from '../precompiled.ts'
import { jsonbFromText } from './json.ts'
import { txt, txtOrNull } from './sql-text.ts'

type Db = Kysely<Database>
type Trx = Transaction<Database>

export async function insertPartner(trx: Trx, p: { name: string; ratePerSecond: string; burst: number; createdBy: number | null }): Promise<number | undefined> {
  const row = await trx
    .insertInto('partners')
    .values({ name: p.name, rate_per_second: p.ratePerSecond, burst: p.burst, created_by: p.createdBy })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id
}

export async function insertPartnerKey(
  trx: Trx | Db,
  k: { partnerId: number; keyId: string; sealedSecret: string; fingerprint: string; createdBy: number | null },
): Promise<number> {
  const row = await trx
    .insertInto('partner_keys')
    .values({ partner_id: k.partnerId, key_id: k.keyId, sealed_secret: k.sealedSecret, secret_fingerprint: k.fingerprint, created_by: k.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function revokePartnerKeyRow(trx: Trx, keyId: string, revokedBy: number, now: Date) {
  return trx
    .updateTable('partner_keys')
    .set({ revoked_at: now, revoked_by: revokedBy })
    .where('key_id', '=', keyId)
    .where('revoked_at', 'is', null)
    .returning(['id', 'partner_id as partnerId', 'key_id as keyId'])
    .executeTakeFirst()
}

export async function findPartnerById(db: Db, partnerId: number) {
  return db.selectFrom('partners').select(['id', 'name']).where('id', '=', partnerId).executeTakeFirst()
}

export interface PartnerKeyRow {
  id: number
  partnerId: number
  keyId: string
  sealedSecret: string
  fingerprint: string
  revokedAt: Date | null
  ratePerSecond: string
  burst: number
}

export async function findPartnerKey(db: Db, keyId: string): Promise<PartnerKeyRow | undefined> {
  return db
    .selectFrom('partner_keys as k')
    .innerJoin('partners as p', 'p.id', 'k.partner_id')
    .select([
      'k.id',
      'k.partner_id as partnerId',
      'k.key_id as keyId',
      'k.sealed_secret as sealedSecret',
      'k.secret_fingerprint as fingerprint',
      'k.revoked_at as revokedAt',
      'p.rate_per_second as ratePerSecond',
      'p.burst',
    ])
    .where('k.key_id', '=', keyId)
    .executeTakeFirst()
}

export async function listPartnersWithKeys(db: Db) {
  const [partners, keys] = await Promise.all([
    db.selectFrom('partners').select(['id', 'name', 'rate_per_second as ratePerSecond', 'burst', 'created_at as createdAt']).orderBy('id').execute(),
    db
      .selectFrom('partner_keys')
      .select(['id', 'partner_id as partnerId', 'key_id as keyId', 'secret_fingerprint as fingerprint', 'created_at as createdAt', 'revoked_at as revokedAt'])
      .orderBy('id')
      .execute(),
  ])
  return partners.map((p) => ({ ...p, keys: keys.filter((k) => k.partnerId === p.id) }))
}

export interface RateLimit {
  ratePerSecond: string
  burst: number
  /** How many slots the bucket is split into (rateSlotCount in the credits domain). */
  slots: number
}

/**
 * A slot's tokens after refilling by elapsed time × its share of the rate, at
 * most its share of the burst. Takes values or a precompiled query's params.
 */
function refilled(limit: { [K in keyof RateLimit]: unknown }, now: unknown) {
  return sql<string>`least(${limit.burst}::numeric / ${limit.slots}, partner_rate_slots.tokens + greatest(0, extract(epoch from (${now}::timestamptz - partner_rate_slots.refilled_at))) * (${limit.ratePerSecond}::numeric / ${limit.slots}))`
}

/**
 * Take one token from a slot of the partner's bucket: the lowest-numbered slot
 * that holds a token and that no other transaction has locked (SKIP LOCKED),
 * so parallel requests take different slots instead of queueing on one row.
 * With `wait` (every free slot was empty or busy) the fullest slot is chosen
 * without a lock and then waited for alone, its tokens checked again once it
 * is free: a request never holds one slot while it waits for another, so
 * requests waiting on a dry bucket cannot deadlock. Undefined when no slot it
 * tried holds a token (all empty, all busy, or none made yet).
 */
async function takeFreeSlotToken(db: Db, partnerId: number, now: Date, limit: RateLimit, wait: boolean): Promise<number | undefined> {
  const pick = db
    .selectFrom('partner_rate_slots')
    .select('slot')
    .where('partner_id', '=', partnerId)
    .where('slot', '<', limit.slots)
    .where(sql<boolean>`${refilled(limit, now)} >= 1`)
  const take = (chosen: number | undefined) =>
    db
      .with('pick', () => (chosen === undefined ? pick.orderBy('slot').limit(1).forUpdate().skipLocked() : db.selectNoFrom(sql<number>`${chosen}::smallint`.as('slot'))))
      .updateTable('partner_rate_slots')
      .from('pick')
      .set({
        tokens: sql`${refilled(limit, now)} - 1`,
        refilled_at: sql`greatest(partner_rate_slots.refilled_at, ${now}::timestamptz)`,
      })
      .whereRef('partner_rate_slots.slot', '=', 'pick.slot')
      .where('partner_rate_slots.partner_id', '=', partnerId)
      // checked again on the row as it is once free (a slot waited for may have been emptied meanwhile)
      .where(sql<boolean>`${refilled(limit, now)} >= 1`)
      .returning('partner_rate_slots.slot')
      .executeTakeFirst()
  if (!wait) return (await take(undefined))?.slot
  // Every free slot was empty or busy: the fullest slot, as last committed, chosen without a lock and
  // waited for alone; emptied meanwhile, the next one. A bounded number of tries: each follows a commit.
  for (let tries = 0; tries < 4 * limit.slots; tries++) {
    const fullest = await pick.orderBy(refilled(limit, now), 'desc').limit(1).executeTakeFirst()
    if (fullest === undefined) return undefined
    const row = await take(fullest.slot)
    if (row) return row.slot
  }
  return undefined
}

/**
 * The partner's rate limit, checked and counted in one step: a token bucket of
 * `burst` tokens refilled at `ratePerSecond`, split into `slots` rows (decision
 * 086). One statement when a free slot has a token; otherwise the slots are
 * made if missing and the fullest busy slot is waited for. Inside a
 * transaction the slot stays locked until commit, which is why a request
 * first skips locked slots. False when the bucket is empty.
 */
export async function takeRateToken(db: Db, partnerId: number, now: Date, limit: RateLimit): Promise<boolean> {
  if ((await takeFreeSlotToken(db, partnerId, now, limit, false)) !== undefined) return true
  const made = await db
    .insertInto('partner_rate_slots')
    .columns(['partner_id', 'slot', 'tokens', 'refilled_at'])
    .expression(
      db
        .selectFrom(sql<{ slot: number }>`generate_series(0, ${limit.slots - 1}::int)`.as('g'))
        .select([sql<number>`${partnerId}::int`.as('partner_id'), sql<number>`g::smallint`.as('slot'), sql<string>`${limit.burst}::numeric / ${limit.slots}`.as('tokens'), sql<Date>`${now}::timestamptz`.as('refilled_at')]),
    )
    .onConflict((oc) => oc.columns(['partner_id', 'slot']).doNothing())
    .returning('slot')
    .execute()
  return (await takeFreeSlotToken(db, partnerId, now, limit, made.length === 0)) !== undefined
}

/** Record a signature; false when it was already seen (a replay). */
export async function recordSignature(db: Db, partnerId: number, signature: string, now: Date): Promise<boolean> {
  const row = await db
    .insertInto('partner_signatures')
    .values({ partner_id: partnerId, signature, seen_at: now })
    .onConflict((oc) => oc.columns(['partner_id', 'signature']).doNothing())
    .returning('partner_id')
    .executeTakeFirst()
  return row !== undefined
}

export interface StoredRequest {
  id: string
  bodySha256: string
  statusCode: number | null
  response: unknown
}

/**
 * 'known': another request holds the Idempotency-Key; `stored` is its row when
 * the statement could already see it (it had committed before the statement
 * began); otherwise read it with findPartnerRequest.
 */
export type OpenedRequest = { status: 'replayed' } | { status: 'claimed'; requestId: string } | { status: 'known'; stored?: StoredRequest }

interface OpenRequestValues {
  partnerId: number
  keyId: string
  signature: string
  idempotencyKey: string
  bodySha256: string
  now: Date
}

/** The signature recorded, then the Idempotency-Key claimed, only for the rows `gate` yields (one row: go on). */
// Kysely<any>: the caller may have added CTEs (rate) that the schema type does not know.
function signatureAndClaim(db: Kysely<any>, gate: 'rate' | 'always', p: { [K in keyof OpenRequestValues]: unknown }) {
  return db
    .with('sig', (db) =>
      db
        .insertInto('partner_signatures')
        .columns(['partner_id', 'signature', 'seen_at'])
        .expression(
          (gate === 'rate' ? db.selectFrom('rate') : db.selectNoFrom([])).select([
            sql<number>`${p.partnerId}::int`.as('partner_id'),
            sql<string>`${p.signature}::text`.as('signature'),
            sql<Date>`${p.now}::timestamptz`.as('seen_at'),
          ]),
        )
        .onConflict((oc) => oc.columns(['partner_id', 'signature']).doNothing())
        .returning('partner_id'),
    )
    .with('req', (db) =>
      db
        .insertInto('partner_requests')
        .columns(['partner_id', 'key_id', 'idempotency_key', 'body_sha256'])
        .expression(
          db
            .selectFrom('sig')
            .select([
              sql<number>`${p.partnerId}::int`.as('partner_id'),
              sql<string>`${p.keyId}::text`.as('key_id'),
              sql<string>`${p.idempotencyKey}::text`.as('idempotency_key'),
              sql<string>`${p.bodySha256}::char(64)`.as('body_sha256'),
            ]),
        )
        .onConflict((oc) => oc.columns(['partner_id', 'idempotency_key']).doNothing())
        .returning(txt('id').as('id')),
    )
}

type OpenedRow = { fresh: boolean; requestId: string | null; storedId?: string | null; storedBodySha256?: string | null; storedStatusCode?: number | null; storedResponse?: unknown }

function openedFrom(row: OpenedRow): OpenedRequest {
  if (!row.fresh) return { status: 'replayed' }
  if (row.requestId !== null) return { status: 'claimed', requestId: row.requestId }
  if (row.storedId == null || row.storedBodySha256 == null) return { status: 'known' }
  return { status: 'known', stored: { id: row.storedId, bodySha256: row.storedBodySha256, statusCode: row.storedStatusCode ?? null, response: row.storedResponse ?? null } }
}

/**
 * A partner request's first statement when all goes well: a rate-limit token
 * from a free slot (as takeRateToken's first step), and only if one was taken
 * the signature recorded and the Idempotency-Key claimed (as
 * openPartnerRequest), in one round trip. 'no_token' when no free slot held a
 * token: nothing was written, and the caller goes the long way
 * (takeRateToken, then openPartnerRequest). It also reads the row that already
 * holds the key, if any: a retry whose original had committed before this
 * statement began gets the stored answer without another round trip (one
 * whose original was still running when it started waits for it on the
 * unique index and, not seeing its row, reads it afterwards). Precompiled: it
 * runs on every partner request.
 */
const rateTokenAndOpen = precompile<OpenRequestValues & RateLimit, { token: boolean } & Required<OpenedRow>>((db, param) => {
  const p = {
    partnerId: param('partnerId'),
    keyId: param('keyId'),
    signature: param('signature'),
    idempotencyKey: param('idempotencyKey'),
    bodySha256: param('bodySha256'),
    now: param('now'),
  }
  const limit = { ratePerSecond: param('ratePerSecond'), burst: param('burst'), slots: param('slots') }
  return signatureAndClaim(
    (db as Kysely<Database>)
      .with('pick', (db) =>
        db
          .selectFrom('partner_rate_slots')
          .select('slot')
          .where('partner_id', '=', p.partnerId)
          .where(sql<boolean>`slot < ${limit.slots}`)
          .where(sql<boolean>`${refilled(limit, p.now)} >= 1`)
          .orderBy('slot')
          .limit(1)
          .forUpdate()
          .skipLocked(),
      )
      .with('rate', (db) =>
        db
          .updateTable('partner_rate_slots')
          .from('pick')
          .set({
            tokens: sql`${refilled(limit, p.now)} - 1`,
            refilled_at: sql`greatest(partner_rate_slots.refilled_at, ${p.now}::timestamptz)`,
          })
          .whereRef('partner_rate_slots.slot', '=', 'pick.slot')
          .where('partner_rate_slots.partner_id', '=', p.partnerId)
          .returning('partner_rate_slots.slot'),
      ) as unknown as Kysely<any>,
    'rate',
    p,
  )
    .selectFrom(sql<{ one: number }>`(select 1)`.as('one'))
    .leftJoin('partner_requests as s', (join) => join.on('s.partner_id', '=', p.partnerId).on('s.idempotency_key', '=', p.idempotencyKey))
    .select([
      sql<boolean>`exists (select 1 from rate)`.as('token'),
      sql<boolean>`exists (select 1 from sig)`.as('fresh'),
      sql<string | null>`(select id from req)`.as('requestId'),
      txtOrNull('s.id').as('storedId'),
      's.body_sha256 as storedBodySha256',
      's.status_code as storedStatusCode',
      's.response as storedResponse',
    ])
})

export async function takeRateTokenAndOpenRequest(trx: Trx, r: OpenRequestValues, limit: RateLimit): Promise<OpenedRequest | { status: 'no_token' }> {
  const row = (await rateTokenAndOpen.execute(trx, { ...r, ...limit })).rows[0]!
  return row.token ? openedFrom(row) : { status: 'no_token' }
}

/**
 * The replay guard and the Idempotency-Key claim in one statement, inside the
 * request's transaction: the signature is recorded (a second use is a
 * replay), then the key is claimed. A request whose key another request holds
 * waits on the unique index until that one commits, then reads 'known' and
 * fetches the stored answer (findPartnerRequest).
 */
export async function openPartnerRequest(trx: Trx, r: OpenRequestValues): Promise<OpenedRequest> {
  const row = await signatureAndClaim(trx, 'always', r)
    .selectNoFrom([sql<boolean>`exists (select 1 from sig)`.as('fresh'), sql<string | null>`(select id from req)`.as('requestId')])
    .executeTakeFirstOrThrow()
  return openedFrom(row)
}

export async function pruneSignatures(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('partner_signatures').where('seen_at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}

// Precompiled: a retry that could not see its original's row when it claimed the key reads it here.
const storedRequest = precompile<{ partnerId: number; idempotencyKey: string }, StoredRequest>((db, p) =>
  (db as Kysely<Database>)
    .selectFrom('partner_requests')
    .select([txt('id').as('id'), 'body_sha256 as bodySha256', 'status_code as statusCode', 'response'])
    .where('partner_id', '=', p('partnerId'))
    .where('idempotency_key', '=', p('idempotencyKey')),
)

export async function findPartnerRequest(db: Db, partnerId: number, idempotencyKey: string) {
  return (await storedRequest.execute(db, { partnerId, idempotencyKey })).rows[0]
}

const completeRequest = precompile<{ partnerId: number; id: string; statusCode: number; response: string; now: Date }, never>((db, p) =>
  (db as Kysely<Database>)
    .updateTable('partner_requests')
    .set({ status_code: p('statusCode'), response: jsonbFromText(p('response')), completed_at: p('now') })
    .where('partner_id', '=', p('partnerId'))
    .where(sql<boolean>`id = ${p('id')}::bigint`),
)

/** Store a claimed request's answer (precompiled: every partner request that gets this far writes one). */
export async function completePartnerRequest(trx: Trx, partnerId: number, id: string, statusCode: number, response: unknown, now: Date): Promise<void> {
  await completeRequest.execute(trx, { partnerId, id, statusCode, response: JSON.stringify(response), now })
}
