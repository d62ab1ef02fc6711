import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import { costActivity, toResultRow, type CostedRecord, type CostInput, type ResultToWrite } from '#app/domain/emissions/costing.ts'
import { buildRecipe, recipeSlots, sameFigures, templateOf, type Recipe } from '#app/domain/emissions/recipes.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { loadFactorSet } from '#app/domain/factors/load.ts'
import type { Message } from '#app/i18n/index.ts'
import {
  readActivityBatch,
  readLockedMonths,
  readStoredResults,
  type ActivityFilter,
  type StoredResult,
  type StoredResultHead,
} from '#db/models/emissions.ts'
import { supersedeResults, writeResults } from '#db/models/emission-results.ts'
import { lockResultWrites } from '#db/models/result-status.ts'
import { resultPartition } from '#db/models/result-partitions.ts'
import { analyzeResults, costAndStoreInSql, loadRecipes, readEngineRowIds, readRecipeGroups, readRefusedRows, readTypesWithResults } from '#db/models/emission-recipes.ts'
import { findStoredFactorSet, findVersionInForce } from '#db/models/factor-sets.ts'
import { refreshOutletMonths } from '#db/models/rollups.ts'
import type { Database } from '#db/schema.ts'
import { inTransaction } from '#db/transaction.ts'
import { costedRecordTypes, type CostedRecordType, type EmissionCategory } from '#db/tables/emissions.ts'

// ---- factor sets from the database ---------------------------------------------

const setCache = new Map<string, FactorSet>()

export type FactorSetLookup = { ok: true; set: FactorSet; status: 'draft' | 'published' | 'retired' } | { ok: false; error: Message }

/**
 * A stored set rebuilt with the loader from its stored files and checked
 * against its stored checksum. Sets are cached by version and checksum: a
 * published set never changes, and a replaced draft has a new checksum.
 */
export async function getFactorSet(db: Kysely<Database>, version: string): Promise<FactorSetLookup> {
  const head = await db
    .selectFrom('factor_sets')
    .select(['status', 'content_sha256'])
    .where('version', '=', version)
    .executeTakeFirst()
  if (!head) return { ok: false, error: { key: 'emissions.error.unknownFactorSet', params: { version } } }
  const cacheKey = `${version}:${head.content_sha256}`
  const cached = setCache.get(cacheKey)
  if (cached) return { ok: true, set: cached, status: head.status }

  const stored = await findStoredFactorSet(db, version)
  if (!stored) return { ok: false, error: { key: 'emissions.error.unknownFactorSet', params: { version } } }
  const loaded = loadFactorSet(stored.files)
  if (!loaded.ok) {
    throw new Error(`Stored factor set ${version} no longer loads: ${loaded.errors.map(String).join('; ')}`)
  }
  if (loaded.set.contentSha256 !== stored.contentSha256) {
    throw new Error(`Stored factor set ${version}: content checksum ${loaded.set.contentSha256} differs from the recorded ${stored.contentSha256}`)
  }
  setCache.set(cacheKey, loaded.set)
  return { ok: true, set: loaded.set, status: stored.status }
}

/** The published set new records are costed with (the one published last). */
export async function getFactorSetInForce(db: Kysely<Database>): Promise<FactorSetLookup> {
  const version = await findVersionInForce(db)
  if (!version) return { ok: false, error: { key: 'emissions.error.noPublishedSet' } }
  return getFactorSet(db, version)
}

/**
 * Only the set in force costs records: a draft may still change, a retired one
 * is out of use, and an older published set's results would not count
 * (db/models/result-status.ts). Publishing a draft costs with it apart
 * (recomputeEmissions' newSet).
 */
async function publishedSet(db: Kysely<Database>, version?: string): Promise<FactorSetLookup> {
  const found = version === undefined ? await getFactorSetInForce(db) : await getFactorSet(db, version)
  if (found.ok && found.status !== 'published') {
    return { ok: false, error: { key: 'emissions.error.setNotPublished', params: { version: found.set.version, status: found.status } } }
  }
  if (found.ok && version !== undefined) {
    const inForce = await findVersionInForce(db)
    if (inForce !== version) return { ok: false, error: { key: 'emissions.error.setNotInForce', params: { version, inForce: inForce ?? '' } } }
  }
  return found
}

// ---- costing and storing ---------------------------------------------------------

/** What a caller learns of a stored result: the stored row less its keys and bookkeeping. */
export type StoredFigures = Pick<
  StoredResult,
  'factorSetVersion' | 'month' | 'category' | 'co2eKg' | 'avoidedCo2eKg' | 'ttwKg' | 'wttKg' | 'electricityKg' | 'method' | 'dataQuality'
>

/**
 * What became of one record:
 * current      stored as the result that counts (an open month, or the first result of a locked one);
 * restatement  stored beside the locked month's current result, which stays as it was;
 * unchanged    a locked month already counts a result of this set: nothing written.
 */
export type RecordCost =
  | { recordId: string; ok: true; status: 'current' | 'restatement' | 'unchanged'; figures: StoredFigures }
  | { recordId: string; ok: false; error: Message }

export interface CostRecordsResult {
  /** The set used; null when no published set could be found (every record then carries that error). */
  factorSetVersion: string | null
  results: RecordCost[]
  /** Outlet-months whose stored results changed: refresh their rollups. */
  touched: { outletId: number; month: string }[]
}

/**
 * Cost activity records and store the results, inside the caller's
 * transaction (or one of its own). Each record is computed with the published set in force (or
 * the published set named) and stored as the current result, replacing the
 * previous current result of an open month; in a locked (submitted) month a
 * result of a newer set is stored as a restatement beside the locked one.
 * A record the engine cannot cost is returned with the error's message key
 * and nothing is stored for it: the caller decides whether to reject it.
 */
export async function costRecords(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  recordIds: readonly string[],
  options: { factorSet?: string } = {},
): Promise<CostRecordsResult> {
  return inTransaction(db, (trx) => costRecordsIn(trx, recordType, recordIds, options))
}

async function costRecordsIn(
  trx: Kysely<Database>,
  recordType: CostedRecordType,
  recordIds: readonly string[],
  options: { factorSet?: string },
): Promise<CostRecordsResult> {
  await lockResultWrites(trx)
  const found = await publishedSet(trx, options.factorSet)
  if (!found.ok) {
    return {
      factorSetVersion: null,
      results: recordIds.map((recordId) => ({ recordId, ok: false, error: found.error })),
      touched: [],
    }
  }
  const set = found.set
  if (recordIds.length === 0) return { factorSetVersion: set.version, results: [], touched: [] }
  const inputs = await readActivityBatch(trx, recordType, { recordIds })
  const byId = new Map(inputs.map((i) => [String(i.recordId), i]))
  const state = await readBatchState(trx, recordType, inputs, true)
  const plan = costAndPlan(set, inputs, state, true, false)
  await writePlan(trx, recordType, set.version, plan, {})

  const results: RecordCost[] = recordIds.map((recordId) => {
    if (!byId.has(recordId)) {
      return { recordId, ok: false, error: { key: 'emissions.error.recordNotFound', params: { recordType, recordId } } }
    }
    const failed = plan.failures.get(recordId)
    if (failed) return { recordId, ok: false, error: failed }
    const done = plan.kept.get(recordId)!
    return { recordId, ok: true, status: done.status, figures: figuresOf(done.record) }
  })
  return { factorSetVersion: set.version, results, touched: plan.touched }
}

function figuresOf(r: CostedRecord): StoredFigures {
  return {
    factorSetVersion: r.factorSetVersion,
    month: r.month,
    category: r.category,
    co2eKg: r.co2eKg.toFixed(),
    avoidedCo2eKg: r.avoidedCo2eKg.toFixed(),
    ttwKg: r.ttwKg?.toFixed() ?? null,
    wttKg: r.wttKg?.toFixed() ?? null,
    electricityKg: r.electricityKg?.toFixed() ?? null,
    method: r.method,
    dataQuality: r.dataQuality,
  }
}

// The one path from activity rows to stored results, for a handful of records
// (costRecords) and for millions (recompute): read the locks and the stored
// results of the batch's records once; then cost each row with the pure engine,
// decide its status and turn it into the row to store, one record at a time (so
// that the engine's intermediate objects die young); supersede and write with
// one statement each.

interface BatchState {
  locked: Set<string>
  stored: StoredResultHead[]
}

async function readBatchState(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  inputs: readonly CostInput[],
  exactIds: boolean,
): Promise<BatchState> {
  if (inputs.length === 0) return { locked: new Set(), stored: [] }
  let lo = Infinity
  let hi = -Infinity
  for (const i of inputs) {
    if (i.outletId < lo) lo = i.outletId
    if (i.outletId > hi) hi = i.outletId
  }
  const [locked, stored] = await Promise.all([
    readLockedMonths(db, lo, hi),
    readStoredResults(db, recordType, lo, hi, exactIds ? inputs.map((i) => String(i.recordId)) : undefined),
  ])
  if (exactIds || stored.length === 0) return { locked, stored }
  // The range also holds other batches' records at the first and last outlet.
  const ids = new Set(inputs.map((i) => String(i.recordId)))
  return { locked, stored: stored.filter((r) => ids.has(r.recordId)) }
}

type PlannedStatus = 'current' | 'restatement' | 'unchanged'

interface BatchPlan {
  rows: ResultToWrite[]
  /** Records the engine could not cost, with the reason. */
  failures: Map<string, Message>
  /** costRecords only: each record's costed figures and status. */
  kept: Map<string, { status: PlannedStatus; record: CostedRecord }>
  /** Records whose current result of another version, and any restatement, give way to a new current result. */
  replaceAll: { outletId: number; recordId: string }[]
  /** Records whose older restatement gives way to a newer one. */
  replaceRestatement: { outletId: number; recordId: string }[]
  /** A live result of this version is already stored for one of the records: upsert instead of insert. */
  versionStored: boolean
  /** No result of any version is stored for these records: nothing to supersede or conflict with. */
  fresh: boolean
  costed: number
  /** Records whose figure differs from the one that stood in the same place before (or that had none). */
  changed: number
  /** Restatements that are new or carry new figures. */
  restatements: number
  touched: { outletId: number; month: string }[]
}

/**
 * Open month: the new result is current; the current result of another version and any restatement are superseded.
 * Locked month with a current result of another set: the new result is a
 * restatement beside it (an older restatement is superseded); the current one
 * is not touched. Locked month already counting this set: nothing to write.
 * Locked month without any result: the new result is current.
 */
function costAndPlan(set: FactorSet, inputs: readonly CostInput[], state: BatchState, keep: boolean, newSet: boolean): BatchPlan {
  const version = set.version
  const { locked, stored } = state
  const current = new Map<string, StoredResultHead>()
  const restated = new Map<string, StoredResultHead>()
  const ofVersion = new Map<string, StoredResultHead>()
  for (const r of stored) {
    if (r.status === 'current') current.set(r.recordId, r)
    else if (r.status === 'restatement') restated.set(r.recordId, r)
    if (r.version === version) ofVersion.set(r.recordId, r)
  }
  const plan: BatchPlan = {
    rows: [],
    failures: new Map(),
    kept: new Map(),
    replaceAll: [],
    replaceRestatement: [],
    versionStored: ofVersion.size > 0,
    fresh: stored.length === 0,
    costed: 0,
    changed: 0,
    restatements: 0,
    touched: [],
  }
  const touched = new Set<string>()
  let lastOutlet = -1
  let lastMonth = ''
  // Stored figures come back as written (the same decimal text), so equal text
  // settles most comparisons without making Decimals of them.
  const differs = (row: ResultToWrite, r: StoredResultHead | undefined) =>
    !r ||
    (row.co2eKg !== r.co2eKg && !new Decimal(row.co2eKg).eq(r.co2eKg)) ||
    (row.avoidedCo2eKg !== r.avoidedCo2eKg && !new Decimal(row.avoidedCo2eKg).eq(r.avoidedCo2eKg))

  for (const input of inputs) {
    const outcome = costActivity(set, input)
    if (!outcome.ok) {
      plan.failures.set(String(input.recordId), outcome.error)
      continue
    }
    plan.costed++
    const c = outcome.record
    const id = c.recordId
    let status: PlannedStatus = 'current'
    let cur: StoredResultHead | undefined
    let rest: StoredResultHead | undefined
    if (!plan.fresh) {
      cur = current.get(id)
      rest = restated.get(id)
      if (cur && locked.size > 0 && locked.has(`${c.outletId}|${c.month}`)) {
        status = cur.version === version ? 'unchanged' : 'restatement'
      }
    }
    if (keep) plan.kept.set(id, { status, record: c })
    if (status === 'unchanged') continue
    const row = toResultRow(c, status)
    plan.rows.push(row)
    if (plan.fresh) {
      plan.changed++
    } else if (status === 'restatement') {
      // a new set's results stand beside the old ones until it is published (result-status.ts)
      if (rest && rest.version !== version && !newSet) plan.replaceRestatement.push({ outletId: c.outletId, recordId: id })
      if (differs(row, ofVersion.get(id))) plan.restatements++
      // a restatement changes the figure shown beside the locked one
      if (differs(row, rest ?? cur)) plan.changed++
    } else {
      if (((cur && cur.version !== version) || rest) && !newSet) plan.replaceAll.push({ outletId: c.outletId, recordId: id })
      if (differs(row, cur)) plan.changed++
    }
    if (status === 'current' && (c.outletId !== lastOutlet || c.month !== lastMonth)) {
      // rows come by outlet, so a repeat of the previous outlet-month is the common case
      lastOutlet = c.outletId
      lastMonth = c.month
      const key = `${c.outletId}|${c.month}`
      if (!touched.has(key)) {
        touched.add(key)
        plan.touched.push({ outletId: c.outletId, month: c.month })
      }
    }
  }
  return plan
}

/**
 * Writes rows given to it without a result stored for any of their records
 * (a first computation), e.g. by COPY on a connection of its own. Used only
 * outside a transaction, where each batch stands alone.
 */
export type BulkResultWriter = (recordType: CostedRecordType, version: string, rows: readonly ResultToWrite[]) => Promise<number>

async function writePlan(
  db: Kysely<Database>,
  recordType: CostedRecordType,
  version: string,
  plan: BatchPlan,
  options: { bulkWriter?: BulkResultWriter; newSet?: boolean },
): Promise<{ written: number; superseded: number }> {
  if (plan.rows.length === 0) return { written: 0, superseded: 0 }
  let upsert = plan.versionStored
  if (plan.fresh && options.bulkWriter && !db.isTransaction) {
    try {
      return { written: await options.bulkWriter(recordType, version, plan.rows), superseded: 0 }
    } catch {
      // Another writer stored a result for one of these records meanwhile (the
      // COPY rolled back as a whole): write the batch the careful way instead.
      upsert = true
    }
  }
  const run = async (trx: Kysely<Database>) => {
    // A publish holds the lock itself (exclusively) while it writes its set's results.
    if (!options.newSet) await lockResultWrites(trx, version)
    const superseded =
      (await supersedeResults(trx, recordType, version, plan.replaceAll, 'replaced')) +
      (await supersedeResults(trx, recordType, version, plan.replaceRestatement, 'restatement'))
    const written = await writeResults(trx, recordType, version, plan.rows, { upsert, into: options.newSet ? resultPartition(version) : undefined })
    return { written, superseded }
  }
  // Superseding and writing stand or fall together, so that a record never has two current results or none.
  return inTransaction(db, run)
}

// ---- recompute -------------------------------------------------------------------

export interface RecomputeOptions {
  /** A published set; default the set in force. */
  version?: string
  outletId?: number
  /** First day of the first month to recompute (YYYY-MM-01). */
  fromMonth?: string
  recordTypes?: readonly CostedRecordType[]
  batchSize?: number
  /** Called after each batch with the running totals. */
  onProgress?: (summary: RecomputeSummary) => void
  /** For tests and benchmarks that measure the recompute alone. */
  skipRollups?: boolean
  /** A faster writer for batches with no stored result yet (scripts pass a COPY writer); ignored inside a transaction. */
  bulkWriter?: BulkResultWriter
  /**
   * Outside a transaction, on PostgreSQL: how many connections the SQL path
   * works on side by side, each with a range of outlets (default 1). PGlite
   * has one connection: leave it at 1 there.
   */
  parallel?: number
  /**
   * 'sql' (default): each group of records that share their factors is costed
   * in one statement with the coefficients the engine gives for the group
   * (emission-recipes.ts), the rest by the engine; 'engine': every record by
   * the engine, batch by batch (the reference the SQL path is tested against).
   */
  path?: 'sql' | 'engine'
  /**
   * Publishing: `version` is a draft about to be published, with no result
   * stored yet. Its results are written beside the ones that count, which stay
   * as they are (result-status.ts); nothing is set aside and the rollups are
   * not refreshed (the publish does both once the set is in force, with the
   * outlet-months returned as `touched`). The caller holds the publish lock.
   */
  newSet?: boolean
}

export interface RecomputeSummary {
  factorSetVersion: string
  /** Activity records read. */
  examined: number
  /** Result rows inserted or updated. */
  written: number
  /** Records whose figure (CO2e or avoided) differs from the one that stood before in the same place, or that had none. */
  changed: number
  /** Older results set aside. */
  superseded: number
  /** Restatements stored (new, or with new figures) beside a locked month's current result. */
  restatements: number
  /** Records costed whose stored result already said the same: nothing written. */
  unchanged: number
  /** Records the engine could not cost, by message key. */
  failed: number
  failuresByKey: Record<string, number>
  /** A few failed records to look at. */
  failureSamples: { recordType: CostedRecordType; recordId: string; error: Message }[]
  outletMonthsRefreshed: number
  seconds: number
  recordsPerSecond: number
}

export type RecomputeResult =
  | { ok: true; summary: RecomputeSummary; touched: { outletId: number; month: string }[] }
  | { ok: false; error: Message }

/**
 * Recompute stored results for every current activity record (or those of
 * one outlet, or from a month on) with a published set: open months get the
 * new result as current and the old one superseded; locked months keep their
 * current result and gain a restatement. Each record type is costed in SQL
 * group by group (path 'sql'; outside a caller's transaction, one transaction
 * per type and outlet range), or streamed through
 * the engine in batches by keyset on (outlet_id, id) (path 'engine'). Runs in
 * the caller's transaction when given one.
 */
export async function recomputeEmissions(db: Kysely<Database>, options: RecomputeOptions = {}): Promise<RecomputeResult> {
  const newSet = options.newSet === true
  if (newSet && options.version === undefined) throw new Error('A new set is recomputed by its version')
  const found = newSet ? await getFactorSet(db, options.version!) : await publishedSet(db, options.version)
  if (!found.ok) return found
  const set = found.set
  const started = performance.now()
  const batchSize = options.batchSize ?? 20_000
  const summary: RecomputeSummary = {
    factorSetVersion: set.version,
    examined: 0,
    written: 0,
    changed: 0,
    superseded: 0,
    restatements: 0,
    unchanged: 0,
    failed: 0,
    failuresByKey: {},
    failureSamples: [],
    outletMonthsRefreshed: 0,
    seconds: 0,
    recordsPerSecond: 0,
  }
  const touched = new Map<string, { outletId: number; month: string }>()
  const tick = () => {
    summary.seconds = (performance.now() - started) / 1000
    summary.recordsPerSecond = summary.seconds > 0 ? Math.round(summary.examined / summary.seconds) : 0
  }
  // One batch is written while the next is read and computed: the engine and
  // the database then work side by side. Outside a transaction the next read
  // even runs on a second connection; inside one the queries queue up, but the
  // computing still overlaps the write.
  let inflight: Promise<{ written: number; superseded: number }> | null = null
  const settle = async () => {
    if (!inflight) return
    const done = await inflight
    inflight = null
    summary.written += done.written
    summary.unchanged -= done.written
    summary.superseded += done.superseded
  }

  /** `count` records not costed for `error`; `sampleIds`: some of them, to look at. */
  const addFailures = (recordType: CostedRecordType, error: Message, sampleIds: readonly string[], count = sampleIds.length) => {
    summary.failed += count
    summary.failuresByKey[error.key] = (summary.failuresByKey[error.key] ?? 0) + count
    for (const recordId of sampleIds) {
      if (summary.failureSamples.length < 10) summary.failureSamples.push({ recordType, recordId, error })
    }
  }

  // The engine, batch by batch: every record (path 'engine'), or the records of the groups a recipe cannot cost.
  const byEngine = async (trx: Kysely<Database>, recordType: CostedRecordType, filter: ActivityFilter, recordIds?: readonly string[]) => {
    let offset = 0
    const nextBatch = (after?: CostInput): Promise<CostInput[]> => {
      if (recordIds) {
        const ids = recordIds.slice(offset, offset + batchSize)
        offset += ids.length
        return ids.length === 0 ? Promise.resolve([]) : readActivityBatch(trx, recordType, { recordIds: ids })
      }
      return readActivityBatch(trx, recordType, after ? { ...filter, after: { outletId: after.outletId, id: String(after.recordId) } } : filter)
    }
    let next = nextBatch()
    for (;;) {
      const inputs = await next
      if (inputs.length === 0) break
      const last = inputs[inputs.length - 1]!
      next = !recordIds && inputs.length < batchSize ? Promise.resolve([]) : nextBatch(last)
      const plan = costAndPlan(set, inputs, await readBatchState(trx, recordType, inputs, recordIds !== undefined), false, newSet)
      await settle()
      inflight = writePlan(trx, recordType, set.version, plan, { bulkWriter: options.bulkWriter, newSet })
      // a failed write surfaces at the next settle; keep it from being reported as unhandled meanwhile
      inflight.catch(() => {})

      summary.examined += inputs.length
      summary.changed += plan.changed
      summary.restatements += plan.restatements
      summary.unchanged += plan.costed
      for (const [recordId, error] of plan.failures) addFailures(recordType, error, [recordId])
      for (const k of plan.touched) touched.set(`${k.outletId}|${k.month}`, k)
      tick()
      options.onProgress?.(summary)
    }
    await settle()
  }

  // In SQL: the records of each group costed at once with the group's recipe (emission-recipes.ts).
  const bySql = async (trx: Kysely<Database>, recordType: CostedRecordType, filter: ActivityFilter) => {
    // A publish holds the lock itself (exclusively) while it writes its set's results.
    if (!newSet) await lockResultWrites(trx, set.version)
    const slots = recipeSlots[recordType]
    const recipes = new Map<string, Recipe>()
    const same = new Set<string>()
    for (const group of await readRecipeGroups(trx, recordType, filter)) {
      const template = templateOf(recordType, group.parts)
      const recipe = buildRecipe(set, template, slots, group.maxima)
      recipes.set(group.key, recipe)
      if (inForce && sameFigures(buildRecipe(inForce, template, slots, group.maxima), recipe)) same.add(group.key)
    }
    await loadRecipes(trx, recipes, same)
    const kinds = new Set([...recipes.values()].map((r) => r.kind))
    for (const refused of kinds.has('refused') ? await readRefusedRows(trx, recordType, filter) : []) {
      summary.examined += refused.count
      addFailures(recordType, refused.error, refused.sampleIds, refused.count)
    }
    const done = await costAndStoreInSql(trx, recordType, set.version, filter, { touched: newSet || !options.skipRollups, anyStored: withResults.has(recordType), newSet })
    summary.examined += done.costed
    summary.written += done.written
    summary.changed += done.changed
    summary.superseded += done.superseded
    summary.restatements += done.restatements
    summary.unchanged += done.costed - done.written
    for (const k of done.touched) touched.set(`${k.outletId}|${k.month}`, k)
    tick()
    options.onProgress?.(summary)
    const engineIds = kinds.has('engine') ? await readEngineRowIds(trx, recordType, filter) : []
    if (engineIds.length > 0) await byEngine(trx, recordType, filter, engineIds)
  }

  // Publishing: the set in force, whose recipes tell which groups keep their figures (sameFigures).
  const previous = newSet && options.path !== 'engine' ? await getFactorSetInForce(db) : null
  const inForce = previous?.ok ? previous.set : null
  const withResults = new Set<CostedRecordType>()
  if (options.path !== 'engine') {
    // Statistics once, before the work is split over connections (see analyzeResults): the
    // lookups that follow go by the live results' key whatever the table holds; what the
    // planner must not do is take a table of millions for an empty one.
    await analyzeResults(db, { unlessKnown: newSet })
    // A new set's path needs no such scan of the whole table (its history included): where
    // nothing is stored it sets nothing aside and writes every result as current.
    if (!newSet) for (const t of await readTypesWithResults(db, options.outletId === undefined ? {} : { outletId: options.outletId })) withResults.add(t)
  }
  for (const recordType of options.recordTypes ?? costedRecordTypes) {
    const filter: ActivityFilter = { limit: batchSize }
    if (options.outletId !== undefined) filter.outletId = options.outletId
    if (options.fromMonth !== undefined) filter.fromMonth = options.fromMonth
    if (options.path === 'engine') {
      await byEngine(db, recordType, filter)
      continue
    }
    if (db.isTransaction) {
      await bySql(db, recordType, filter)
      continue
    }
    // Outside a transaction the outlets are split into ranges, each costed in a transaction of its
    // own on a connection of its own, side by side: the database's work is the bulk of it. A range's
    // results change together or not at all (its temporary tables live in its transaction).
    const ranges = await outletRanges(db, options.outletId === undefined ? (options.parallel ?? 1) : 1)
    await Promise.all(
      ranges.map((outletRange) => db.transaction().execute((trx) => bySql(trx, recordType, outletRange ? { ...filter, outletRange } : filter))),
    )
  }
  if (!options.skipRollups && !newSet) summary.outletMonthsRefreshed = await refreshRollupsAfterRecompute(db, [...touched.values()])
  tick()
  return { ok: true, summary, touched: [...touched.values()] }
}

/** `parts` ranges of outlet ids of about equal width, or [null] for one pass over every outlet. */
async function outletRanges(db: Kysely<Database>, parts: number): Promise<(readonly [number, number] | null)[]> {
  if (parts <= 1) return [null]
  const bounds = await db.selectFrom('outlets').select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')]).executeTakeFirst()
  const lo = Number(bounds?.lo ?? 0)
  const hi = Number(bounds?.hi ?? 0)
  const width = Math.max(1, Math.ceil((hi - lo + 1) / parts))
  const ranges: [number, number][] = []
  for (let from = lo; from <= hi; from += width) ranges.push([from, Math.min(hi, from + width - 1)])
  return ranges.length > 0 ? ranges : [null]
}

/**
 * The single place where stored emission results hand over to the monthly
 * rollups: every outlet-month whose current results changed is refreshed.
 */
export async function refreshRollupsAfterRecompute(
  db: Kysely<Database>,
  keys: readonly { outletId: number; month: string }[],
): Promise<number> {
  if (keys.length === 0) return 0
  const result = await refreshOutletMonths(db, keys)
  return result.outletMonths
}
