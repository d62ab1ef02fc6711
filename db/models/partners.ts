import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../schema.ts'
import { jsonb } from './json.ts'
import { txt } from './sql-text.ts'

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

/**
 * Token bucket in one statement: refill by elapsed time × rate (at most
 * burst), then take one token if there is one. Returns false when empty.
 * The row lock lasts one statement, so partners do not wait on each other.
 */
export async function takeRateToken(db: Db, partnerId: number, now: Date, ratePerSecond: string, burst: number): Promise<boolean> {
  const refill = sql<string>`least(${burst}::numeric, partner_rate_buckets.tokens + greatest(0, extract(epoch from (${now}::timestamptz - partner_rate_buckets.refilled_at))) * ${ratePerSecond}::numeric)`
  const row = await db
    .insertInto('partner_rate_buckets')
    .values({ partner_id: partnerId, tokens: String(burst - 1), refilled_at: now })
    .onConflict((oc) =>
      oc
        .column('partner_id')
        .doUpdateSet({
          tokens: sql`${refill} - 1`,
          refilled_at: sql`greatest(partner_rate_buckets.refilled_at, ${now}::timestamptz)`,
        })
        .where(sql<boolean>`${refill} >= 1`),
    )
    .returning('tokens')
    .executeTakeFirst()
  return row !== undefined
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

export async function pruneSignatures(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('partner_signatures').where('seen_at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Claim an idempotency key. A concurrent request with the same key waits on
 * the unique index until the first commits, then gets undefined and reads
 * the stored answer.
 */
export async function claimIdempotencyKey(
  trx: Trx,
  r: { partnerId: number; keyId: string; idempotencyKey: string; bodySha256: string },
): Promise<string | undefined> {
  const row = await trx
    .insertInto('partner_requests')
    .values({ partner_id: r.partnerId, key_id: r.keyId, idempotency_key: r.idempotencyKey, body_sha256: r.bodySha256 })
    .onConflict((oc) => oc.columns(['partner_id', 'idempotency_key']).doNothing())
    .returning(txt('id').as('id'))
    .executeTakeFirst()
  return row?.id
}

export async function findPartnerRequest(db: Db, partnerId: number, idempotencyKey: string) {
  return db
    .selectFrom('partner_requests')
    .select([txt('id').as('id'), 'body_sha256 as bodySha256', 'status_code as statusCode', 'response'])
    .where('partner_id', '=', partnerId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst()
}

export async function completePartnerRequest(trx: Trx, partnerId: number, id: string, statusCode: number, response: unknown, now: Date): Promise<void> {
  await trx
    .updateTable('partner_requests')
    .set({ status_code: statusCode, response: jsonb(response), completed_at: now })
    .where('partner_id', '=', partnerId)
    .where('id', '=', id)
    .execute()
}
