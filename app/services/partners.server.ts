import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import {
  parseIdempotencyKey,
  parsePartnerActionBody,
  partnerApiErrors,
  type ApiFieldError,
  type PartnerApiErrorCode,
} from '#app/domain/credits/partner-request.ts'
import {
  defaultSignatureToleranceSeconds,
  generatePartnerKeyId,
  generatePartnerSecret,
  openPartnerSecret,
  partnerHeaders,
  partnerSecretFingerprint,
  sealPartnerSecret,
  sha256Hex,
  verifySignature,
} from '#app/domain/credits/signing.server.ts'
import { rateSlotCount, retryAfterSeconds } from '#app/domain/credits/rate-limit.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { translate, type MessageKey, type MessageParams } from '#app/i18n/index.ts'
import type { CreditKeys } from '#app/utils/credits-env.server.ts'
import { appendAudit } from '#db/models/audit.ts'
import {
  completePartnerRequest,
  findPartnerById,
  findPartnerKey,
  findPartnerRequest,
  insertPartner,
  insertPartnerKey,
  listPartnersWithKeys,
  openPartnerRequest,
  pruneSignatures,
  recordSignature,
  revokePartnerKeyRow,
  takeRateToken,
  takeRateTokenAndOpenRequest,
  type RateLimit,
} from '#db/models/partners.ts'
import type { Database } from '#db/schema.ts'
import { inTransaction } from '#db/transaction.ts'
import { ruleSetsForAwards } from './credit-rules.server.ts'
import { awardInTransaction, findOrCreateConsumer, type Award } from './credits.server.ts'

type Db = Kysely<Database>

export const greenActionsPath = '/api/partner/v1/green-actions'
/** Bodies are a few hundred bytes; anything this large is a mistake or an attack. */
export const maxBodyBytes = 16 * 1024

// --- admin: partners and their keys ---

export interface NewPartnerInput {
  name: string
  ratePerSecond: string
  burst: number
}

export interface IssuedKey {
  partnerId: number
  keyId: string
  /** Shown once, to the admin who created it; only its sealed form is stored. */
  secret: string
  fingerprint: string
}

export async function createPartner(
  db: Db,
  actor: Viewer,
  keys: CreditKeys,
  input: NewPartnerInput,
): Promise<{ ok: true; issued: IssuedKey } | { ok: false; field: 'name'; error: { key: MessageKey; params?: MessageParams } }> {
  return db.transaction().execute(async (trx) => {
    const partnerId = await insertPartner(trx, { name: input.name, ratePerSecond: input.ratePerSecond, burst: input.burst, createdBy: actor.userId })
    if (partnerId === undefined) return { ok: false as const, field: 'name' as const, error: { key: 'creditPages.partners.error.nameTaken' as const, params: { name: input.name } } }
    const issued = await issueKey(trx, actor, keys, partnerId)
    await appendAudit(trx, {
      actorUserId: actor.userId,
      action: 'partner.create',
      entityType: 'partner',
      entityId: partnerId,
      after: { name: input.name, ratePerSecond: input.ratePerSecond, burst: input.burst, keyId: issued.keyId },
    })
    return { ok: true as const, issued }
  })
}

async function issueKey(db: Db, actor: Viewer | null, keys: CreditKeys, partnerId: number, given?: { keyId: string; secret: string }): Promise<IssuedKey> {
  const keyId = given?.keyId ?? generatePartnerKeyId()
  const secret = given?.secret ?? generatePartnerSecret()
  const fingerprint = partnerSecretFingerprint(keyId, secret)
  await insertPartnerKey(db, {
    partnerId,
    keyId,
    sealedSecret: sealPartnerSecret({ keyId, secret, serverKey: keys.serverKey }),
    fingerprint,
    createdBy: actor?.userId ?? null,
  })
  return { partnerId, keyId, secret, fingerprint }
}

/** A second key for a partner (rotation: create, let the partner switch, revoke the old one). */
export async function createPartnerKey(db: Db, actor: Viewer, keys: CreditKeys, partnerId: number): Promise<IssuedKey | undefined> {
  return db.transaction().execute(async (trx) => {
    if (!(await findPartnerById(trx, partnerId))) return undefined
    const issued = await issueKey(trx, actor, keys, partnerId)
    await appendAudit(trx, { actorUserId: actor.userId, action: 'partner.key.create', entityType: 'partner', entityId: partnerId, after: { keyId: issued.keyId } })
    return issued
  })
}

/** Used by the demo seed and the load script: a partner whose key is given, not drawn. */
export async function createPartnerWithKey(
  db: Db,
  keys: CreditKeys,
  input: NewPartnerInput & { keyId: string; secret: string },
): Promise<IssuedKey> {
  return inTransaction(db, async (trx) => {
    const partnerId = await insertPartner(trx, { name: input.name, ratePerSecond: input.ratePerSecond, burst: input.burst, createdBy: null })
    if (partnerId === undefined) throw new Error(`A partner named ${input.name} already exists`)
    return issueKey(trx, null, keys, partnerId, { keyId: input.keyId, secret: input.secret })
  })
}

export async function revokePartnerKey(db: Db, actor: Viewer, keyId: string, now: Date): Promise<boolean> {
  const revoked = await db.transaction().execute(async (trx) => {
    const row = await revokePartnerKeyRow(trx, keyId, actor.userId, now)
    if (row) await appendAudit(trx, { actorUserId: actor.userId, action: 'partner.key.revoke', entityType: 'partner', entityId: row.partnerId, after: { keyId } })
    return row !== undefined
  })
  if (revoked) keyCache.delete(keyId)
  return revoked
}

export async function partnersForAdmin(db: Db) {
  const partners = await listPartnersWithKeys(db)
  return partners.map((p) => ({ ...p, keys: p.keys.map((k) => ({ ...k, fingerprint: k.fingerprint.slice(0, 12) })) }))
}

// --- the API ---

export interface PartnerHttpRequest {
  method: string
  /** Path and query exactly as requested. */
  path: string
  /** Only read by name (a web Headers, or Node's headers behind the same get). */
  headers: Pick<Headers, 'get'>
  body: Uint8Array
}

export interface PartnerHttpResponse {
  status: number
  body: unknown
  headers: Record<string, string>
}

/** Codes of this route beyond the domain's table (same shape, same catalog). */
const routeErrors = {
  method_not_allowed: { status: 405, key: 'creditPages.api.methodNotAllowed' },
  body_too_large: { status: 413, key: 'creditPages.api.bodyTooLarge' },
} as const satisfies Record<string, { status: number; key: MessageKey }>
export type ApiErrorCode = PartnerApiErrorCode | keyof typeof routeErrors

function bilingual(key: MessageKey, params?: MessageParams) {
  return { zh: translate('zh-CN', key, params), en: translate('en', key, params) }
}

export function apiError(code: ApiErrorCode, fields?: readonly ApiFieldError[], headers: Record<string, string> = {}): PartnerHttpResponse {
  const spec = code in partnerApiErrors ? partnerApiErrors[code as PartnerApiErrorCode] : routeErrors[code as keyof typeof routeErrors]
  return {
    status: spec.status,
    headers,
    body: {
      error: {
        code,
        message: bilingual(spec.key),
        ...(fields && fields.length > 0
          ? { fields: fields.map((f) => ({ field: f.field, code: f.code, message: bilingual(f.key, f.params) })) }
          : {}),
      },
    },
  }
}

/** What a partner learns about an award: its own request's outcome, nothing of the consumer's other data. */
function awardBody(award: Award) {
  return {
    award: {
      id: award.actionId,
      action: award.action,
      waybillNo: award.waybillNo,
      quantity: award.quantity,
      occurredOn: award.occurredOn,
      avoidedCo2eG: award.avoidedCo2eG,
      points: award.points,
      capped: award.capped,
      ruleSetVersion: award.ruleSetVersion,
      factorSetVersion: award.factorSetVersion,
      factorIds: award.factorIds,
      expiresOn: award.expiresOn,
    },
  }
}

export interface PartnerApiContext {
  db: Db
  factorSet: FactorSet
  keys: CreditKeys
  toleranceSeconds?: number
}

type PartnerKey = NonNullable<Awaited<ReturnType<typeof findPartnerKey>>>

/**
 * A key's row and its opened secret, kept per process for keyCacheMs: every
 * request of a partner names the same key, and unsealing costs an AES-GCM
 * decryption. Unknown key ids are not kept (anyone can send those). A key
 * revoked in this process is dropped at once; in another process it works
 * for at most keyCacheMs more (decision 086).
 */
const keyCacheMs = 5_000
const keyCache = new Map<string, { key: PartnerKey; secret: string; at: number }>()
let lastPrune = 0

async function partnerKey(ctx: Pick<PartnerApiContext, 'db' | 'keys'>, keyId: string, now: number): Promise<{ key: PartnerKey; secret: string } | ApiErrorCode> {
  const cached = keyCache.get(keyId)
  if (cached && now - cached.at < keyCacheMs) return cached
  const key = await findPartnerKey(ctx.db, keyId)
  if (!key) {
    keyCache.delete(keyId)
    return 'key_unknown'
  }
  let secret = cached?.key.sealedSecret === key.sealedSecret ? cached.secret : undefined
  if (secret === undefined) {
    const opened = openPartnerSecret({ keyId, sealed: key.sealedSecret, serverKey: ctx.keys.serverKey, fingerprint: key.fingerprint })
    if (!opened.ok) {
      console.error(`Partner key ${keyId}: the sealed secret does not open with this server's PARTNER_SECRET_SERVER_KEY`)
      return 'internal_error'
    }
    secret = opened.secret
  }
  const entry = { key, secret, at: now }
  keyCache.set(keyId, entry)
  return entry
}

export interface AuthenticatedPartner {
  ok: true
  key: PartnerKey
  keyId: string
  /** As sent, trimmed and lower-cased: what the replay guard remembers. */
  signature: string
}

/**
 * Key, signature and timestamp: the checks every signed partner endpoint
 * makes first, in the order that spends least on a bad request. No database
 * round trip while the key is cached.
 */
export async function verifyPartnerRequest(
  ctx: Pick<PartnerApiContext, 'db' | 'keys' | 'toleranceSeconds'>,
  req: PartnerHttpRequest,
  now: Date,
): Promise<AuthenticatedPartner | { ok: false; response: PartnerHttpResponse }> {
  const refuse = (response: PartnerHttpResponse) => ({ ok: false as const, response })
  const keyId = req.headers.get(partnerHeaders.keyId)?.trim()
  if (!keyId) return refuse(apiError('key_missing'))
  const found = await partnerKey(ctx, keyId, now.getTime())
  if (typeof found === 'string') return refuse(apiError(found))
  const { key, secret } = found
  if (key.revokedAt) return refuse(apiError('key_revoked'))
  const signature = req.headers.get(partnerHeaders.signature)
  const verified = verifySignature({
    method: req.method,
    path: req.path,
    timestamp: req.headers.get(partnerHeaders.timestamp),
    body: req.body,
    signature,
    secret,
    now,
    toleranceSeconds: ctx.toleranceSeconds ?? defaultSignatureToleranceSeconds,
  })
  if (!verified.ok) return refuse(apiError(verified.code))
  return { ok: true, key, keyId, signature: signature!.trim().toLowerCase() }
}

function rateLimitOf(key: PartnerKey): RateLimit {
  return { ratePerSecond: key.ratePerSecond, burst: key.burst, slots: rateSlotCount(key.burst) }
}

function rateLimited(key: PartnerKey): PartnerHttpResponse {
  return apiError('rate_limited', undefined, { 'Retry-After': String(retryAfterSeconds(key.ratePerSecond)) })
}

/**
 * verifyPartnerRequest, then the partner's rate limit (a token bucket in the
 * database, so every app process shares it), as its own statement: for the
 * endpoints that write nothing else with it. The replay guard is separate
 * (guardReplay), so that an endpoint can refuse a bad header first without
 * using up the signature.
 */
export async function authenticatePartner(
  ctx: Pick<PartnerApiContext, 'db' | 'keys' | 'toleranceSeconds'>,
  req: PartnerHttpRequest,
  now: Date,
): Promise<AuthenticatedPartner | { ok: false; response: PartnerHttpResponse }> {
  const verified = await verifyPartnerRequest(ctx, req, now)
  if (!verified.ok) return verified
  if (!(await takeRateToken(ctx.db, verified.key.partnerId, now, rateLimitOf(verified.key)))) return { ok: false, response: rateLimited(verified.key) }
  return verified
}

/** Signatures older than twice the tolerance are refused as stale anyway: forget them, once a minute per process. */
async function pruneSignaturesNow(ctx: Pick<PartnerApiContext, 'db' | 'toleranceSeconds'>, now: Date): Promise<void> {
  if (now.getTime() - lastPrune <= 60_000) return
  lastPrune = now.getTime()
  const tolerance = ctx.toleranceSeconds ?? defaultSignatureToleranceSeconds
  await pruneSignatures(ctx.db, new Date(now.getTime() - 2 * tolerance * 1000))
}

/** Each signature once: a second request with the same signature is refused (request_replayed). */
export async function guardReplay(
  ctx: Pick<PartnerApiContext, 'db' | 'toleranceSeconds'>,
  partnerId: number,
  signature: string,
  now: Date,
): Promise<PartnerHttpResponse | null> {
  await pruneSignaturesNow(ctx, now)
  if (!(await recordSignature(ctx.db, partnerId, signature, now))) return apiError('request_replayed')
  return null
}

/**
 * POST /api/partner/v1/green-actions, in the order that spends least on a
 * bad request: key, signature and timestamp (no database work while the key
 * is cached); then one transaction that takes a rate-limit token, checks the
 * Idempotency-Key header, records the signature and claims the key (one
 * statement), finds or creates the consumer, awards, and stores the answer.
 * A second request with the same key waits for the first to commit and gets
 * its stored answer; an internal error rolls everything back, signature
 * included, so the partner can retry the same request.
 */
export async function handleGreenAction(ctx: PartnerApiContext, req: PartnerHttpRequest, now: Date): Promise<PartnerHttpResponse> {
  if (req.method.toUpperCase() !== 'POST') return apiError('method_not_allowed', undefined, { Allow: 'POST' })
  if (req.body.byteLength > maxBodyBytes) return apiError('body_too_large')
  const auth = await verifyPartnerRequest(ctx, req, now)
  if (!auth.ok) return auth.response
  const { key, keyId } = auth
  const idempotency = parseIdempotencyKey(req.headers.get(partnerHeaders.idempotencyKey))
  // Pure work before the transaction, so its locks are held no longer than the writes need.
  const bodySha256 = sha256Hex(req.body)
  const parsed = parsePartnerActionBody(new TextDecoder().decode(req.body), { now })
  const ruleSets = await ruleSetsForAwards(ctx.db, now)
  await pruneSignaturesNow(ctx, now)

  // The answer is stored by the transaction's last statement, sent together with its COMMIT
  // (postgres.js pipelines both): awaited after the commit, so a failed store fails the request.
  let stored: Promise<void> | undefined
  const response = await ctx.db.transaction().execute(async (trx): Promise<PartnerHttpResponse> => {
    const limit = rateLimitOf(key)
    // Checked before the replay guard, so a request refused for its header does not use up its signature.
    if (!idempotency.ok) return (await takeRateToken(trx, key.partnerId, now, limit)) ? apiError(idempotency.code) : rateLimited(key)
    const claim = { partnerId: key.partnerId, keyId, signature: auth.signature, idempotencyKey: idempotency.key, bodySha256, now }
    let opened = await takeRateTokenAndOpenRequest(trx, claim, limit)
    if (opened.status === 'no_token') {
      if (!(await takeRateToken(trx, key.partnerId, now, limit))) return rateLimited(key)
      opened = await openPartnerRequest(trx, claim)
    }
    if (opened.status === 'replayed') return apiError('request_replayed')
    if (opened.status === 'known') {
      const found = opened.stored ?? (await findPartnerRequest(trx, key.partnerId, idempotency.key))
      if (!found || found.statusCode === null) throw new Error('partner request claimed but not answered')
      if (found.bodySha256 !== bodySha256) return apiError('idempotency_key_reused')
      return { status: found.statusCode, body: found.response, headers: { 'Idempotent-Replayed': 'true' } }
    }
    const requestId = opened.requestId
    const answer = (response: PartnerHttpResponse) => {
      stored = completePartnerRequest(trx, key.partnerId, requestId, response.status, response.body, now)
      // Observed after the commit (below); until then a failure must not count as unhandled.
      stored.catch(() => {})
      return response
    }

    if (!parsed.ok) return answer(apiError(parsed.code, parsed.errors))
    const request = parsed.request
    const found = await findOrCreateConsumer(trx, request.consumer, ctx.keys, { partnerId: key.partnerId }, { action: request.action, occurredOn: request.occurredOn })
    if (!found.ok) return answer(apiError('consumer_not_found'))
    const outcome = await awardInTransaction(trx, { factorSet: ctx.factorSet, ruleSets }, {
      consumerId: found.consumer.id,
      consumerLocked: true,
      underLock: found.underLock,
      action: request.action,
      waybillNo: request.waybillNo,
      quantity: request.quantity,
      occurredAt: request.occurredAt,
      occurredOn: request.occurredOn,
      source: { kind: 'partner', partnerId: key.partnerId, partnerKeyId: key.id, partnerOrderId: request.partnerOrderId },
    })
    if (!outcome.ok) {
      if (outcome.code === 'consumer_not_found') return answer(apiError('consumer_not_found'))
      if (outcome.code === 'action_not_rewarded') return answer(apiError('action_not_rewarded'))
      // A returned box whose waybill another award already holds: one award per box, whoever returns it.
      if (outcome.code === 'return_already_awarded') return answer(apiError('already_awarded'))
      return answer(apiError('quantity_too_large'))
    }
    if (outcome.status === 'duplicate') return answer(apiError('already_awarded'))
    return answer({ status: 201, body: awardBody(outcome.award), headers: {} })
  })
  // A failed store aborted the transaction, and its COMMIT rolled everything back: fail the request.
  await stored
  return response
}
