import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { factorLoadError, type FactorLoadError } from '#app/domain/factors/errors.ts'
import { loadFactorSet } from '#app/domain/factors/load.ts'
import type { FactorSetFiles } from '#app/domain/factors/types.ts'
import type { Message } from '#app/i18n/index.ts'
import { appendAudit } from '#db/models/audit.ts'
import {
  compareVersions,
  deleteDraftSet,
  findStoredFactorSet,
  findVersionInForce,
  insertDraftSet,
  publishStoredSet,
  retireStoredSet,
} from '#db/models/factor-sets.ts'
import type { Database } from '#db/schema.ts'
import { recomputeEmissions, type RecomputeSummary } from './emissions.server.ts'

type Actor = Pick<Viewer, 'userId'> | null

/** Run in the caller's transaction, or open one. */
async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn)
}

export type ImportFactorSetResult =
  | {
      ok: true
      version: string
      contentSha256: string
      status: 'draft' | 'published'
      /** The same content was already stored: nothing written. */
      unchanged: boolean
      recompute: RecomputeSummary | null
    }
  | { ok: false; errors: FactorLoadError[] }

/**
 * Validate the three files of a set and store it. `as: 'draft'` stores a
 * draft whatever set.json says (the admin page); `as: 'file'` follows
 * set.json's status (seed and command line), publishing (and recomputing) a
 * set the file says is published. A version already published is never
 * replaced: the same content is "unchanged", other content is refused. A
 * draft of the same version is replaced.
 */
export async function importFactorSet(
  db: Kysely<Database>,
  files: FactorSetFiles,
  options: { actor: Actor; as: 'draft' | 'file'; now: Date; skipRollups?: boolean },
): Promise<ImportFactorSetResult> {
  const loaded = loadFactorSet(files)
  if (!loaded.ok) return loaded
  const set = loaded.set
  const wantPublished = options.as === 'file' && set.meta.status !== 'draft'

  return inTransaction(db, async (trx): Promise<ImportFactorSetResult> => {
    const existing = await findStoredFactorSet(trx, set.version)
    if (existing && existing.status !== 'draft') {
      if (existing.contentSha256 === set.contentSha256) {
        return { ok: true, version: set.version, contentSha256: set.contentSha256, status: 'published', unchanged: true, recompute: null }
      }
      return {
        ok: false,
        errors: [
          factorLoadError(files.setJson.name, null, 'version', 'factorSets.error.versionFrozen', {
            version: set.version,
            status: existing.status,
          }),
        ],
      }
    }
    if (existing && existing.contentSha256 === set.contentSha256 && !wantPublished) {
      return { ok: true, version: set.version, contentSha256: set.contentSha256, status: 'draft', unchanged: true, recompute: null }
    }
    if (existing) await deleteDraftSet(trx, set.version)
    await insertDraftSet(trx, set, files, options.actor?.userId ?? null)
    await appendAudit(trx, {
      actorUserId: options.actor?.userId ?? null,
      action: existing ? 'factor_set.replace_draft' : 'factor_set.import',
      entityType: 'factor_set',
      entityId: set.version,
      after: { version: set.version, contentSha256: set.contentSha256, factors: set.factors.length },
    })
    if (!wantPublished) {
      return { ok: true, version: set.version, contentSha256: set.contentSha256, status: 'draft', unchanged: false, recompute: null }
    }
    // A set the file says is retired is history: stored for reference, never used to cost.
    const retired = set.meta.status === 'retired'
    const published = await publishFactorSet(trx, options.actor, set.version, { now: options.now, skipRollups: options.skipRollups, skipRecompute: retired })
    if (!published.ok) throw new Error(`Publishing ${set.version} failed: ${published.error.key}`)
    if (retired) await retireFactorSet(trx, options.actor, set.version, { now: options.now, allowInForce: true })
    return { ok: true, version: set.version, contentSha256: set.contentSha256, status: 'published', unchanged: false, recompute: published.summary }
  })
}

export type PublishResult = { ok: true; summary: RecomputeSummary | null } | { ok: false; error: Message }

/**
 * draft → published, and every stored result recomputed with the new set,
 * which must be a higher version than the set in force (versions only go up,
 * so the set in force is always the highest published one),
 * all in one transaction: either the set is in force and every figure
 * follows it, or nothing changed. Audited with the recompute's counts.
 */
export async function publishFactorSet(
  db: Kysely<Database>,
  actor: Actor,
  version: string,
  options: { now: Date; skipRollups?: boolean; skipRecompute?: boolean },
): Promise<PublishResult> {
  return inTransaction(db, async (trx): Promise<PublishResult> => {
    const stored = await findStoredFactorSet(trx, version)
    if (!stored) return { ok: false, error: { key: 'emissions.error.unknownFactorSet', params: { version } } }
    if (stored.status !== 'draft') {
      return { ok: false, error: { key: 'factorSets.error.notDraft', params: { version, status: stored.status } } }
    }
    const inForce = await findVersionInForce(trx)
    if (inForce !== undefined && compareVersions(version, inForce) <= 0) {
      return { ok: false, error: { key: 'factorSets.error.versionNotNewer', params: { version, inForce } } }
    }
    const loaded = loadFactorSet(stored.files)
    if (!loaded.ok || loaded.set.contentSha256 !== stored.contentSha256) {
      return { ok: false, error: { key: 'factorSets.error.storedInvalid', params: { version } } }
    }
    // set.json as it would be written to disk for a published set: the
    // checksum is recorded, so a later edit of the stored text is detected.
    const setJson = JSON.parse(stored.files.setJson.text.replace(/^\uFEFF/, '')) as Record<string, unknown>
    setJson.status = 'published'
    setJson.contentSha256 = stored.contentSha256
    await publishStoredSet(trx, version, `${JSON.stringify(setJson, null, 2)}\n`, actor?.userId ?? null, options.now)
    let s: RecomputeSummary | null = null
    if (!options.skipRecompute) {
      const recomputed = await recomputeEmissions(trx, { version, skipRollups: options.skipRollups })
      if (!recomputed.ok) throw new Error(`Recompute after publishing ${version} failed: ${recomputed.error.key}`)
      s = recomputed.summary
    }
    await appendAudit(trx, {
      actorUserId: actor?.userId ?? null,
      action: 'factor_set.publish',
      entityType: 'factor_set',
      entityId: version,
      after: {
        version,
        contentSha256: stored.contentSha256,
        recompute: s && {
          examined: s.examined,
          written: s.written,
          changed: s.changed,
          superseded: s.superseded,
          restatements: s.restatements,
          failed: s.failed,
        },
      },
    })
    return { ok: true, summary: s }
  })
}

export type RetireResult = { ok: true } | { ok: false; error: Message }

/**
 * published → retired. The set in force cannot be retired (records would be
 * left without a set): publish its successor first.
 */
export async function retireFactorSet(
  db: Kysely<Database>,
  actor: Actor,
  version: string,
  options: { now: Date; allowInForce?: boolean },
): Promise<RetireResult> {
  return inTransaction(db, async (trx): Promise<RetireResult> => {
    const stored = await findStoredFactorSet(trx, version)
    if (!stored) return { ok: false, error: { key: 'emissions.error.unknownFactorSet', params: { version } } }
    if (stored.status !== 'published') {
      return { ok: false, error: { key: 'factorSets.error.notPublished', params: { version, status: stored.status } } }
    }
    if (!options.allowInForce && (await findVersionInForce(trx)) === version) {
      return { ok: false, error: { key: 'factorSets.error.retireInForce', params: { version } } }
    }
    await retireStoredSet(trx, version, actor?.userId ?? null, options.now)
    await appendAudit(trx, {
      actorUserId: actor?.userId ?? null,
      action: 'factor_set.retire',
      entityType: 'factor_set',
      entityId: version,
      after: { version },
    })
    return { ok: true }
  })
}

/** Whether a database error is the factor-set immutability trigger refusing a change. */
export function isFrozenSetError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'GPF01'
}
