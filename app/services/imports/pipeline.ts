import type { Kysely } from 'kysely'
import { recordDefinitions } from '#app/domain/activity/definitions.ts'
import { createCsvDecoder } from '#app/domain/csv/encoding.ts'
import type { FileIssue } from '#app/domain/csv/header.ts'
import { createCsvValidator } from '#app/domain/csv/validate-row.ts'
import { recipeSlots } from '#app/domain/emissions/recipes.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { findExistingRows, reserveIds, tableSpecs } from '#db/models/activity.ts'
import { findCommittedFile } from '#db/models/imports.ts'
import type { Database } from '#db/schema.ts'
import type { CostedRecordType } from '#db/tables/emissions.ts'
import { assertWriter, chinaToday, costInputMaker, isCosted, loadValidation } from '../activity.server.ts'
import { getFactorSetInForce } from '../emissions.server.ts'
import { costChunk, newCostTotals, type CostRules, type CostTotals } from './cost.ts'
import { bytesOf, decodeChunk, sha256Of } from './decode.ts'
import { preferCause } from './failure.ts'
import { dedupeChunk, type DedupeRules, type Refusal } from './dedupe.ts'
import { CsvParseStage, type ParsedRows } from './parse.ts'
import { RejectedRows } from './rejected.ts'
import { TouchedMonths } from './rollup.ts'
import { idReservationSize, timed, type ImportReport, type ImportRequest } from './types.ts'
import { ValidateStage, type PendingRow } from './validate.ts'
import { prepareChunk, writeChunk, type PreparedChunk, type SqlCosting, type WriteContext, type Writer } from './write.ts'

/**
 * One streaming pass over a CSV file, for a preview and for a commit:
 *
 *   decode (decode.ts) → parse (parse.ts) → validate (validate.ts)
 *   → every `chunkRows` valid rows: dedupe against the database (dedupe.ts)
 *   → cost (cost.ts) → write, in a commit (write.ts)
 *   → at the end, the commit rolls up the touched months (rollup.ts, commit.ts).
 *
 * Memory holds one chunk of rows per stage, the validator's set of natural keys
 * and the first errors; rejected rows go to a file as they come (rejected.ts).
 * Chunk k is written while chunk k+1 is prepared (dedupe, ids, costing: mostly
 * this process's CPU) and chunk k+2 parsed; at most one of each at a time.
 */

export interface PipelineResult {
  report: ImportReport
  touched: TouchedMonths
  totals: CostTotals
  written: number
  factorSet: FactorSet | null
  /** Rows whose results are computed in SQL with their group's recipe. */
  costedInSql: number
  /** Results so computed: must equal costedInSql. */
  resultsInSql: number
}

export interface PipelineOptions {
  batchId: string | null
  chunkRows: number
  failAfterRows?: number
}

/** Thrown when the request's shouldStop() said so (a cancelled job): a commit rolls back. */
export class ImportStopped extends Error {
  constructor() {
    super('import stopped')
    this.name = 'ImportStopped'
  }
}

/** Lets replies from the server be read between blocks of parsing (every 200 rows). */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * `lookupDb` answers the duplicate checks (the transaction itself in a commit
 * by INSERTs, so that it sees its own rows).
 */
export async function runPipeline(lookupDb: Kysely<Database>, request: ImportRequest, writer: Writer, options: PipelineOptions): Promise<PipelineResult> {
  assertWriter(request.viewer)
  const started = performance.now()
  const recordCode = request.recordCode
  const definition = recordDefinitions[recordCode]
  const spec = tableSpecs[recordCode]
  const today = request.today ?? chinaToday()
  const mode = writer.kind === 'none' ? 'preview' : 'commit'
  const replace = request.replace === true
  const reason = request.reason?.trim() ? request.reason.trim().slice(0, 500) : null

  const { scope, ctx } = await loadValidation(lookupDb, request.viewer, recordCode, today)
  const factorSet = isCosted(recordCode) ? await getFactorSetInForce(lookupDb) : null
  const set = factorSet?.ok ? factorSet.set : null
  const fileSha256 = request.fileSha256 ?? (await sha256Of(request.source))
  const already = await findCommittedFile(lookupDb, recordCode, fileSha256, options.batchId ?? undefined)

  const report = emptyReport(request, mode, fileSha256, set)
  report.alreadyImported = already ? { batchId: String(already.id), committedAt: new Date(already.committed_at!).toISOString() } : null
  const totals = newCostTotals()
  const touched = new TouchedMonths()
  const sqlCosting: SqlCosting = { recipesLoaded: 0, resultsInSql: 0 }
  let costedInSql = 0
  let written = 0
  const result = (): PipelineResult => {
    report.co2eKg = totals.co2eKg.toFixed()
    report.avoidedCo2eKg = totals.avoidedCo2eKg.toFixed()
    if (mode === 'preview') {
      report.fallbacks = { records: totals.fallbacks.recordCount, co2eKg: totals.fallbacks.totalKg.toFixed(), rows: totals.fallbacks.list() }
    }
    report.seconds = Math.round((performance.now() - started) / 10) / 100
    return { report, touched, totals, written, factorSet: set, costedInSql, resultsInSql: sqlCosting.resultsInSql }
  }
  // The same file twice is refused whole in a commit (its rows are all duplicates anyway),
  // unless the user chose to replace: then rows changed since are replaced, the rest skipped.
  if (mode === 'commit' && already && !replace) return result()

  const rejected = new RejectedRows(request.rejectedPath ?? null, request.maxErrors ?? 200)
  await rejected.start()
  const validate = new ValidateStage(createCsvValidator(definition, ctx), spec, scope)
  const decoder = createCsvDecoder()
  const parser = new CsvParseStage()
  const dedupeRules: DedupeRules = { recordCode, spec, naturalKey: definition.naturalKey, lockedMonths: scope.lockedMonths, replace, reason, headerOf: validate.headerOf }
  const costRules: CostRules = {
    recordCode,
    mode,
    set,
    costed: isCosted(recordCode),
    noSet: factorSet && !factorSet.ok ? factorSet.error : { key: 'emissions.error.noPublishedSet' },
    slots: isCosted(recordCode) ? recipeSlots[recordCode as CostedRecordType] : [],
    costInput: costInputMaker(spec, scope),
  }
  const writeContext: WriteContext = { writer, recordCode, spec, set, batchId: options.batchId, viewer: request.viewer, reason, timings: report.timings }
  const refuse = (refusals: readonly Refusal[]) => {
    for (const { p, issue } of refusals) rejected.add(p.row, p.cells, [issue])
  }

  let stopped = false
  let bytes = 0
  let pending: PendingRow[] = []
  let preparing: Promise<void> | null = null
  let writing: Promise<void> = Promise.resolve()
  let failure: unknown = null

  // Ids are reserved many at a time: one round trip for several chunks.
  let spareIds: string[] = []
  const takeIds = async (n: number): Promise<string[]> => {
    if (spareIds.length < n) spareIds = spareIds.concat(await reserveIds(lookupDb, spec.table, Math.max(n - spareIds.length, idReservationSize)))
    return spareIds.splice(0, n)
  }

  /** Dedupe and cost one chunk: what it will write, or null when nothing. */
  const prepare = async (chunk: PendingRow[]): Promise<PreparedChunk | null> => {
    const existing = await timed(report.timings, 'lookup', () => findExistingRows(lookupDb, spec, chunk.map((p) => p.record)))
    dedupeRules.headerOf = validate.headerOf
    const deduped = dedupeChunk(dedupeRules, chunk, existing)
    report.duplicates += deduped.duplicates
    refuse(deduped.refused)
    // Sequences are outside transactions: the ids may come from the lookup connection.
    const ids = writer.kind === 'none' ? deduped.write.map((_, i) => `preview-${i}`) : await timed(report.timings, 'reserveIds', () => takeIds(deduped.write.length))
    const costStarted = performance.now()
    const costed = costChunk(costRules, totals, deduped.write, ids)
    refuse(costed.refused)
    for (const k of costed.keep) {
      report.accepted++
      if (k.replaces) report.replaced++
      else report.created++
      if (k.locked) report.restated++
      const owner = k.p.record.owner
      touched.note(owner.outletId, k.month)
      if (k.replaces && k.replaces.outletId !== owner.outletId) touched.noteOther(k.replaces.outletId, k.month)
      if (recordCode === 'vehicles') {
        touched.noteVehicleStart(owner.outletId, `${String(k.p.record.values[spec.columns.findIndex((c) => c.column === 'in_service_from')]).slice(0, 7)}-01`)
      }
    }
    report.timings.costing = (report.timings.costing ?? 0) + (performance.now() - costStarted) / 1000
    await rejected.flush()
    costedInSql += costed.inSql
    if (writer.kind === 'none' || costed.keep.length === 0) return null
    const keep = costed.keep.map((k) => ({ row: { owner: k.p.record.owner, values: k.p.record.values, id: k.id, rowFingerprint: null }, replaces: k.replaces, locked: k.locked }))
    return prepareChunk(writeContext, keep, costed.results, costed.inSql)
  }

  const hand = (chunk: PendingRow[]) => {
    const previousWrite = writing
    const prepared = prepare(chunk)
    writing = (async () => {
      const ready = await prepared
      await previousWrite
      if (ready) {
        await writeChunk(writeContext, totals, sqlCosting, ready)
        written += ready.keep.length
        if (options.failAfterRows !== undefined && written >= options.failAfterRows) throw new Error(`Test failure after ${written} rows`)
      }
    })()
    writing.catch((error: unknown) => {
      failure = preferCause(failure, error)
      stopped = true
    })
    // The next chunk may be prepared once this one is, and written once this one is.
    preparing = prepared.then(() => previousWrite).then(
      () => undefined,
      () => undefined,
    )
  }

  const fileIssue = (issue: FileIssue) => {
    report.fileIssues.push(issue)
    if (issue.severity === 'error') stopped = true
  }

  const handleRows = async ({ rows, quoteRows }: ParsedRows) => {
    for (let i = 0; i < rows.length && !stopped; i++) {
      if (i % 200 === 199) {
        await yieldToIo()
        if (request.shouldStop?.()) throw new ImportStopped()
      }
      const cells = rows[i]!
      const outcome = validate.push(cells, quoteRows.has(i))
      switch (outcome.kind) {
        case 'blank':
          break
        case 'header':
          report.headerCells = outcome.headerCells
          for (const issue of outcome.issues) fileIssue(issue)
          break
        case 'rejected':
          report.rows++
          rejected.add(outcome.row, outcome.cells, outcome.issues)
          break
        case 'accepted':
          report.rows++
          pending.push(outcome.pending)
          if (pending.length >= options.chunkRows) {
            // Hand the chunk over and keep parsing while it is prepared and written.
            if (preparing) await preparing
            const chunk = pending
            pending = []
            hand(chunk)
          }
          break
      }
    }
  }

  try {
    for await (const chunk of bytesOf(request.source)) {
      bytes += chunk.length
      const decoded = decodeChunk(decoder, chunk)
      if (!decoded.ok) {
        fileIssue(decoded.issue)
        break
      }
      report.encoding = decoder.encoding
      await handleRows(parser.push(decoded.text, false))
      request.onProgress?.({ bytes, rows: report.rows, phase: 'reading' })
      if (request.shouldStop?.()) throw new ImportStopped()
      if (stopped) break
    }
    if (!stopped) {
      const tail = decodeChunk(decoder, null)
      if (!tail.ok) fileIssue(tail.issue)
      if (!stopped) await handleRows(parser.push(tail.ok ? tail.text : '', true))
    }
    report.delimiter = parser.delimiter
    report.encoding = decoder.encoding ?? (report.encoding || 'utf-8')
    if (!stopped && pending.length > 0) hand(pending)
    pending = []
    await writing.catch(() => {})
    if (failure !== null) throw failure
    if (validate.header === null && report.fileIssues.length === 0) {
      fileIssue({ severity: 'error', code: 'empty_file', key: 'csv.error.emptyFile', params: {}, column: null, field: null })
    }
  } finally {
    await writing.catch(() => {})
    await rejected.close()
  }
  report.blankRows = validate.blankRows
  report.rejected = rejected.count
  report.errors = rejected.errors.sort((a, b) => a.row - b.row)
  report.errorsTruncated = rejected.truncated
  request.onProgress?.({ bytes, rows: report.rows, phase: 'finishing' })
  return result()
}

function emptyReport(request: ImportRequest, mode: 'preview' | 'commit', fileSha256: string, set: FactorSet | null): ImportReport {
  return {
    recordType: request.recordCode,
    mode,
    fileName: request.fileName,
    fileSha256,
    encoding: null,
    delimiter: ',',
    headerCells: [],
    fileIssues: [],
    rows: 0,
    blankRows: 0,
    accepted: 0,
    created: 0,
    replaced: 0,
    restated: 0,
    duplicates: 0,
    rejected: 0,
    errors: [],
    errorsTruncated: false,
    alreadyImported: null,
    committed: false,
    factorSetVersion: set?.version ?? null,
    co2eKg: '0',
    avoidedCo2eKg: '0',
    seconds: 0,
    timings: {},
  }
}
