import Decimal from 'decimal.js'
import { sql, type Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { avoidedEmissions } from '#app/domain/emissions/avoided.ts'
import { facilityEmissions } from '#app/domain/emissions/facility.ts'
import { fleetEmissions } from '#app/domain/emissions/fleet.ts'
import { packagingEmissions } from '#app/domain/emissions/packaging.ts'
import type { FactorFallback, FactorSet } from '#app/domain/factors/factor-set.ts'
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
  listFactorRows,
  listFactorSets,
  listGridRegionRows,
  publishStoredSet,
  retireStoredSet,
  type FactorRowView,
} from '#db/models/factor-sets.ts'
import type { Database } from '#db/schema.ts'
import { inTransaction } from '#db/transaction.ts'
import { attachResultTable, createResultPartition, dropResultPartition, prepareResultTable, waitForStatementsBefore } from '#db/models/result-partitions.ts'
import { lockResultWritesForPublish, publishLockKey } from '#db/models/result-status.ts'
import { getFactorSet, recomputeEmissions, refreshRollupsAfterRecompute, type RecomputeResult, type RecomputeSummary } from './emissions.server.ts'

type Actor = Pick<Viewer, 'userId'> | null

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

/**
 * How many connections a publish writes its results on: the embedded
 * database has one; on PostgreSQL four, each a backend of its own over a
 * range of outlets (more backends than this machine's two cores keep them
 * busy while others wait on writes; decision 083).
 */
export function publishConnections(kind: 'postgres' | 'pglite'): number {
  return kind === 'postgres' ? 4 : 1
}

export type PublishResult = { ok: true; summary: RecomputeSummary | null } | { ok: false; error: Message }

/**
 * draft → published, and every record costed with the new set, which must be
 * a higher version than the set in force (versions only go up, so the set in
 * force is always the highest published one). The version switch
 * (docs/decisions/083-publish.md, db/models/result-status.ts): the new set's
 * results are written beside the ones that count, which are not rewritten,
 * and the set's status changes in one short transaction with the rollups it
 * touches; readers see every figure of the old set or every figure of the
 * new one. Other writers of results wait for the publish (the publish lock).
 * In the caller's transaction, or with `parallel` 1 (the embedded database),
 * all of it is one transaction; else the results are written by `parallel`
 * transactions side by side, each over a range of outlets, and a publish that
 * fails drops what it wrote. Each set's results go into a partition of its
 * own (db/models/result-partitions.ts): side by side, into a table with no
 * index, indexed once they are all in and attached before the switch; in one
 * transaction, into the partition made at its start. Audited with the
 * recompute's counts.
 */
export async function publishFactorSet(
  db: Kysely<Database>,
  actor: Actor,
  version: string,
  /** `path`: how the records are costed (emissions.server.ts), for the tests that hold the two equal. */
  options: { now: Date; skipRollups?: boolean; skipRecompute?: boolean; parallel?: number; path?: 'sql' | 'engine' },
): Promise<PublishResult> {
  const parallel = options.parallel ?? 1
  if (db.isTransaction || parallel <= 1 || options.skipRecompute) {
    return inTransaction(db, async (trx): Promise<PublishResult> => {
      await lockResultWritesForPublish(trx)
      const checked = await checkPublishable(trx, version)
      if (!checked.ok) return checked
      let recomputed: Extract<RecomputeResult, { ok: true }> | null = null
      if (!options.skipRecompute) {
        // the set's partition, fresh (a publish of it that failed half-way may have left one)
        await createResultPartition(trx, version)
        recomputed = await recomputeNewSet(trx, version, 1, options.path)
      }
      return switchToSet(trx, actor, checked, recomputed, options)
    })
  }
  return db.connection().execute(async (conn): Promise<PublishResult> => {
    await sql`select pg_advisory_lock(${publishLockKey}::bigint)`.execute(conn)
    try {
      const checked = await checkPublishable(conn, version)
      if (!checked.ok) return checked
      try {
        // The set's own table, committed before the writers start (they must see it); whatever
        // a publish that died with its process left of the set is dropped first.
        await prepareResultTable(conn, version)
        const recomputed = await recomputeNewSet(db, version, parallel, options.path)
        // Its index in one pass, then a partition of emission_results: still a draft's rows, which
        // no reader counts or shows, until the switch. A statement planned before the attach does
        // not read the partition: the switch waits until every such statement has ended.
        await attachResultTable(conn, version)
        const attached = (await sql<{ now: Date }>`select clock_timestamp() as now`.execute(conn)).rows[0]!.now
        await waitForStatementsBefore(conn, attached)
        return await conn.transaction().execute((trx) => switchToSet(trx, actor, checked, recomputed, options))
      } catch (error) {
        await dropResultPartition(conn, version)
        throw error
      }
    } finally {
      await sql`select pg_advisory_unlock(${publishLockKey}::bigint)`.execute(conn)
    }
  })
}

type Publishable = { ok: true; version: string; contentSha256: string; setJsonText: string }

async function checkPublishable(db: Kysely<Database>, version: string): Promise<Publishable | { ok: false; error: Message }> {
  const stored = await findStoredFactorSet(db, version)
  if (!stored) return { ok: false, error: { key: 'emissions.error.unknownFactorSet', params: { version } } }
  if (stored.status !== 'draft') {
    return { ok: false, error: { key: 'factorSets.error.notDraft', params: { version, status: stored.status } } }
  }
  const inForce = await findVersionInForce(db)
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
  return { ok: true, version, contentSha256: stored.contentSha256, setJsonText: `${JSON.stringify(setJson, null, 2)}\n` }
}

async function recomputeNewSet(db: Kysely<Database>, version: string, parallel: number, path?: 'sql' | 'engine'): Promise<Extract<RecomputeResult, { ok: true }>> {
  const recomputed = await recomputeEmissions(db, { version, newSet: true, skipRollups: true, parallel, path })
  if (!recomputed.ok) throw new Error(`Recompute for publishing ${version} failed: ${recomputed.error.key}`)
  return recomputed
}

/** The switch: the set in force changes, with the rollups of the outlet-months its results touch. */
async function switchToSet(
  trx: Kysely<Database>,
  actor: Actor,
  checked: Publishable,
  recomputed: Extract<RecomputeResult, { ok: true }> | null,
  options: { now: Date; skipRollups?: boolean },
): Promise<PublishResult> {
  const { version } = checked
  // The draft was costed as it is: replaced meanwhile, it is not published.
  const again = await findStoredFactorSet(trx, version)
  if (!again || again.status !== 'draft' || again.contentSha256 !== checked.contentSha256) {
    throw new Error(`Factor set ${version} changed while it was being published`)
  }
  await publishStoredSet(trx, version, checked.setJsonText, actor?.userId ?? null, options.now)
  const s = recomputed?.summary ?? null
  if (recomputed && s && !options.skipRollups) {
    s.outletMonthsRefreshed = await refreshRollupsAfterRecompute(trx, recomputed.touched)
  }
  await appendAudit(trx, {
    actorUserId: actor?.userId ?? null,
    action: 'factor_set.publish',
    entityType: 'factor_set',
    entityId: version,
    after: {
      version,
      contentSha256: checked.contentSha256,
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

// ---- the methodology page -----------------------------------------------------------

export interface WorkedExampleLine {
  /** Activity amount and its unit, e.g. 1000 kWh. */
  amount: string
  amountUnit: string
  factorId: string
  factorValue: string
  factorUnit: string
  /** Which part of the figure the line gives, where the figure has parts. */
  part: 'ttw' | 'wtt' | null
  resultKg: string
}

export interface WorkedExampleFallback {
  factorId: string
  kinds: ('region' | 'year')[]
  requestedRegion: string | null
  requestedYear: number
  /** The factor's region: 'CN', 'grid:<grid>' or a province code. */
  usedRegion: string
  usedYear: number
}

export interface WorkedExample {
  key: 'facilityHenan' | 'facilityYunnan' | 'fleetDiesel' | 'packagingParcel' | 'avoidedCartons'
  lines: WorkedExampleLine[]
  totalKg: string
  fallbacks: WorkedExampleFallback[]
}

export interface MethodologyData {
  set: {
    version: string
    status: 'published' | 'retired'
    releaseDate: string
    title: { zh: string; en: string }
    notes: { zh: string; en: string }
    contentSha256: string
    publishedAt: string | null
    inForce: boolean
  }
  versions: { version: string; status: string }[]
  factors: FactorRowView[]
  gridRegions: { code: string; nameZh: string; nameEn: string; grid: string; note: string }[]
  examples: WorkedExample[]
}

/**
 * Everything the public methodology page shows for a published (or retired)
 * set: its factors and grid mapping as stored, and worked examples computed
 * live by the engine with that set, so the page and the figures cannot drift
 * apart. Undefined when the version is unknown, a draft, or no set is published.
 */
export async function methodologyData(db: Kysely<Database>, version?: string): Promise<MethodologyData | undefined> {
  const inForce = await findVersionInForce(db)
  const wanted = version ?? inForce
  if (!wanted) return undefined
  const head = await db
    .selectFrom('factor_sets')
    .select(['version', 'status', 'release_date', 'title_zh', 'title_en', 'notes_zh', 'notes_en', 'content_sha256', 'published_at'])
    .where('version', '=', wanted)
    .where('status', '<>', 'draft')
    .executeTakeFirst()
  if (!head) return undefined
  const found = await getFactorSet(db, head.version)
  if (!found.ok) return undefined
  const [factors, gridRegions, all] = await Promise.all([
    listFactorRows(db, head.version),
    listGridRegionRows(db, head.version),
    listFactorSets(db),
  ])
  return {
    set: {
      version: head.version,
      status: head.status as 'published' | 'retired',
      releaseDate: head.release_date,
      title: { zh: head.title_zh, en: head.title_en },
      notes: { zh: head.notes_zh, en: head.notes_en },
      contentSha256: head.content_sha256,
      publishedAt: head.published_at ? new Date(head.published_at).toISOString() : null,
      inForce: head.version === inForce,
    },
    versions: all.filter((s) => s.status !== 'draft').map((s) => ({ version: s.version, status: s.status })),
    factors,
    gridRegions,
    examples: workedExamples(found.set),
  }
}

const d = (v: string | number) => new Decimal(v)

function line(set: FactorSet, factorId: string, amount: Decimal, amountUnit: string, resultKg: Decimal, part: 'ttw' | 'wtt' | null = null): WorkedExampleLine {
  const factor = set.byId.get(factorId)!
  return {
    amount: amount.toFixed(),
    amountUnit,
    factorId,
    factorValue: factor.value.toFixed(),
    factorUnit: factor.unit,
    part,
    resultKg: resultKg.toFixed(),
  }
}

function fallbacksOf(fallbacks: readonly FactorFallback[]): WorkedExampleFallback[] {
  return fallbacks.map((f) => ({
    factorId: f.factorId,
    kinds: [...f.kinds],
    requestedRegion: f.requested.regionCode,
    requestedYear: f.requested.year,
    usedRegion: f.used.region,
    usedYear: f.used.year,
  }))
}

/** The same engine calls the stored figures come from; an example the set cannot compute is left out. */
function workedExamples(set: FactorSet): WorkedExample[] {
  const out: WorkedExample[] = []
  for (const [key, regionCode] of [['facilityHenan', '410100'], ['facilityYunnan', '530100']] as const) {
    const r = facilityEmissions(set, { regionCode, year: 2022, electricityKwh: d(1000) })
    if (r.ok) {
      out.push({ key, lines: [line(set, r.factorIds[0]!, d(1000), 'kWh', r.co2eKg)], totalKg: r.co2eKg.toFixed(), fallbacks: fallbacksOf(r.fallbacks) })
    }
  }
  const fleet = fleetEmissions(set, { vehicleClass: 'light_van', energy: 'diesel', regionCode: '410100', year: 2022, fuelAmount: d(100), fuelUnit: 'L', distanceKm: d(1500) })
  if (fleet.ok && fleet.ttwKg && fleet.wttKg) {
    out.push({
      key: 'fleetDiesel',
      lines: [line(set, fleet.factorIds[0]!, d(100), 'L', fleet.ttwKg, 'ttw'), line(set, fleet.factorIds[1]!, d(100), 'L', fleet.wttKg, 'wtt')],
      totalKg: fleet.co2eKg.toFixed(),
      fallbacks: fallbacksOf(fleet.fallbacks),
    })
  }
  // The average box parcel of the Greenpeace 2019 survey: 304 g board, 16.8 g film, 2.7 g tape, 4.5 g waybill.
  const parcel: [string, string][] = [['corrugated_virgin', '0.304'], ['pe_film', '0.0168'], ['pp_tape', '0.0027'], ['paper', '0.0045']]
  const parts = parcel.map(([material, massKg]) => packagingEmissions(set, { material, count: d(1), unitMassKg: d(massKg), year: 2022 }))
  if (parts.every((p) => p.ok)) {
    const ok = parts as Extract<(typeof parts)[number], { ok: true }>[]
    out.push({
      key: 'packagingParcel',
      lines: ok.map((p, i) => line(set, p.factorIds[0]!, d(parcel[i]![1]), 'kg', p.co2eKg)),
      totalKg: ok.reduce((sum, p) => sum.plus(p.co2eKg), d(0)).toFixed(),
      fallbacks: [],
    })
  }
  const cartons = avoidedEmissions(set, { kind: 'carton_reused', count: d(100), year: 2022 })
  if (cartons.ok) {
    out.push({ key: 'avoidedCartons', lines: [line(set, cartons.factorIds[0]!, d(100), 'item', cartons.avoidedCo2eKg)], totalKg: cartons.avoidedCo2eKg.toFixed(), fallbacks: [] })
  }
  return out
}
