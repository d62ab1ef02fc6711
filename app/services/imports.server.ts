import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { Readable } from 'node:stream'
import Decimal from 'decimal.js'
import type { Kysely } from 'kysely'
import Papa from 'papaparse'
import type { Role, Viewer } from '#app/domain/access.ts'
import type { ActivityContext } from '#app/domain/activity/context.ts'
import { costActivity, toResultRow, type CostInput, type ResultToWrite } from '#app/domain/emissions/costing.ts'
import { buildRecipe, groupOf, recipeSlots, templateOf, type Recipe } from '#app/domain/emissions/recipes.ts'
import { isRecordCode, recordDefinitions, type RecordCode } from '#app/domain/activity/definitions.ts'
import { detectDelimiter } from '#app/domain/csv/delimiter.ts'
import { previewSampleRows, sampleAction, sampleValues, type PreviewSampleRow } from '#app/domain/csv/preview-sample.ts'
import { CsvDecodeError, createCsvDecoder, decodeFailureIssue, type CsvEncoding } from '#app/domain/csv/encoding.ts'
import { createFileFingerprint } from '#app/domain/csv/fingerprint.ts'
import type { FileIssue, HeaderMapping } from '#app/domain/csv/header.ts'
import { rejectedRowsCsv, utf8Bom } from '#app/domain/csv/template.ts'
import { createCsvValidator, type RowIssue, type RowIssueCode } from '#app/domain/csv/validate-row.ts'
import type { FactorSet } from '#app/domain/factors/factor-set.ts'
import { FallbackTally, notesOfFallbacks, type FallbackSummaryRow } from '#app/domain/factors/fallbacks.ts'
import type { Message, MessageKey, MessageParams } from '#app/i18n/index.ts'
import type { Locale } from '#app/i18n/locales.ts'
import { env } from '#app/utils/env.server.ts'
import {
  auditReplacements,
  copyLines,
  copyStatement,
  findExistingRows,
  insertRows,
  isResolveFailure,
  monthKeyOf,
  reserveIds,
  sameValues,
  supersedeRows,
  tableSpecs,
  toDbRecord,
  type DbRecord,
  type ExistingRow,
  type Provenance,
  type RowToWrite,
  type ScopeData,
  type TableSpec,
} from '#db/models/activity.ts'
import { appendAudit } from '#db/models/audit.ts'
import { insertImportedResults, loadRecipes } from '#db/models/emission-recipes.ts'
import { copyResultsText, resultsCopyText as copyTextOfResults, retireResultsOfRecords, writeResults } from '#db/models/emission-results.ts'
import type { CostedRecordType } from '#db/tables/emissions.ts'
import {
  analyzeWrittenTable,
  failBatch,
  findBatch,
  findCommittedFile,
  finishBatch,
  insertBatch,
  serverDatabaseName,
  transitionBatch,
  updateBatchProgress,
  withCopyTransaction,
  type CopyChannel,
  type ImportBatch,
} from '#db/models/imports.ts'
import type { Database } from '#db/schema.ts'
import { activityContext, activityWriterRoles, assertWriter, chinaToday, costInputMaker, isCosted, loadValidation, refreshAfterWrite, scopeNeeds, vehicleRanges } from './activity.server.ts'
import { getFactorSetInForce } from './emissions.server.ts'

/**
 * CSV uploads, from bytes to committed rows. One streaming pass serves the
 * preview and the commit: decode (UTF-8, BOM, GB18030) → parse (papaparse's
 * parser, fed 64 KB at a time) → validate row by row → every few thousand
 * accepted rows, check them against the database (already there, identical:
 * a duplicate; already there, different: refused unless replacing) and cost
 * them with the emissions engine → in a commit, write them. Memory holds one
 * chunk of rows, the validator's set of natural keys and the first errors;
 * rejected rows go to a file as they come.
 *
 * A commit is one transaction: on PostgreSQL on one dedicated connection,
 * rows written with COPY; on the embedded database with multi-row INSERTs.
 */

/** Who may upload: each only for the outlets it may write to. Bureaus never. */
export const uploaderRoles: readonly Role[] = activityWriterRoles

export type ImportIssueCode = RowIssueCode | 'month_locked' | 'cannot_cost'

/** A row problem as stored in a report: the row issue of the CSV core, or one found against the database. */
export interface ImportRowIssue {
  row: number
  column: string | null
  field: string | null
  code: ImportIssueCode
  key: MessageKey
  params: MessageParams
}

export interface ImportReport {
  recordType: RecordCode
  mode: 'preview' | 'commit'
  fileName: string
  fileSha256: string
  encoding: CsvEncoding | null
  delimiter: string
  headerCells: string[]
  fileIssues: FileIssue[]
  /** Data rows read (the header and blank rows not counted). */
  rows: number
  blankRows: number
  /** Rows written (commit) or to be written (preview): created + replaced. */
  accepted: number
  created: number
  replaced: number
  /** Of the accepted rows, those in submitted months, written as restatements with the reason. */
  restated: number
  /** Rows already stored with the same figures: counted here, never twice in the data. */
  duplicates: number
  rejected: number
  /** A preview's first rows to be written, as they will be stored; absent from a commit's report and from reports stored before. */
  sample?: PreviewSampleRow[]
  /** The first errors, in file order (all of them are in the rejected rows file). */
  errors: ImportRowIssue[]
  errorsTruncated: boolean
  /** This exact file was committed before. */
  alreadyImported: { batchId: string; committedAt: string } | null
  committed: boolean
  factorSetVersion: string | null
  co2eKg: string
  avoidedCo2eKg: string
  /**
   * A preview's rows whose emissions will be computed with a fallback factor
   * (another region level or year), by factor; absent from a commit's report
   * (its linear groups are costed in SQL) and from reports stored before.
   */
  fallbacks?: { records: number; co2eKg: string; rows: FallbackSummaryRow[] }
  seconds: number
  /** Seconds per phase (database statements and the whole pass). */
  timings: ImportTimings
}

export interface ImportProgress {
  bytes: number
  rows: number
  phase: 'reading' | 'finishing'
}

export interface ImportRequest {
  viewer: Viewer
  recordCode: RecordCode
  /** The upload: a file on disk, or bytes in memory (tests, small files). */
  source: { path: string } | { bytes: Uint8Array }
  fileName: string
  /** Replace stored rows that have the same key but other figures (audited). */
  replace?: boolean
  /** Required to write rows into submitted months; stored on each such row and in the audit log. */
  reason?: string | null
  today?: string
  /** How many errors the report keeps (the rejected rows file keeps all). */
  maxErrors?: number
  /** Where to write the rejected rows (one JSON object a line); null to keep none. */
  rejectedPath?: string | null
  onProgress?: (progress: ImportProgress) => void
  /** Known already (computed while the upload was stored); else computed by reading the file first. */
  fileSha256?: string
}

export interface CommitOptions {
  /** The batch row to fill; without it one is created in the transaction. */
  batchId?: string
  /**
   * PostgreSQL connection string for the COPY connection; default: the
   * server's own database under DATABASE_URL. Ignored on the embedded database.
   */
  pgUrl?: string
  /**
   * Rows per chunk (lookup, costing, write); default 10,000. Each chunk costs the write connection
   * a few statements; three chunks are held at a time (parsed, prepared, written): smaller chunks
   * mean more statements, larger ones more memory for no speed (decision 041 has the measurements).
   */
  chunkRows?: number
  /** Tests: throw after this many rows were written, to prove nothing stays. */
  failAfterRows?: number
}

const defaultChunkRows = 10_000

/** From this many rows written, the import refreshes the table's statistics before the rollups (analyzeWrittenTable). */
const analyzeAfterRows = 10_000

/** Seconds spent per phase of one import: what a benchmark prints. */
export type ImportTimings = Record<string, number>

async function timed<T>(timings: ImportTimings, phase: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now()
  try {
    return await work()
  } finally {
    timings[phase] = (timings[phase] ?? 0) + (performance.now() - started) / 1000
  }
}

/** Lets replies from the server be read between blocks of parsing (handleRows, every 200 rows). */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve))

// A cell this long is an unclosed quote swallowing the file; stop carrying it.
const maxCarriedText = 1 << 20

interface Prepared {
  keep: { row: RowToWrite; replaces: ExistingRow | null; locked: boolean }[]
  /** The rows to write, new ones and restatements apart (their provenance differs), each with its COPY text when written by COPY. */
  groups: { rows: RowToWrite[]; provenance: Provenance; copyText: string | null }[]
  results: ResultToWrite[]
  /** The engine's results as COPY text, when written by COPY. */
  resultsCopyText: string | null
  /** Rows of groups with a linear recipe: costed in SQL once written. */
  inSql: number
}

interface PendingRow {
  row: number
  cells: readonly string[]
  record: DbRecord
  /** The validated values, kept for a preview's sample only. */
  values?: Readonly<Record<string, unknown>>
}

/** Rejected rows: the first few kept for the report, all written to a file as they come. */
class RejectedRows {
  readonly errors: ImportRowIssue[] = []
  count = 0
  truncated = false
  private buffer = ''
  private file: Awaited<ReturnType<typeof open>> | null = null

  constructor(
    private readonly filePath: string | null,
    private readonly maxErrors: number,
  ) {}

  async start(): Promise<void> {
    if (this.filePath) {
      await mkdir(path.dirname(this.filePath), { recursive: true })
      this.file = await open(this.filePath, 'w')
    }
  }

  add(row: number, cells: readonly string[], issues: readonly ImportRowIssue[]): void {
    this.count++
    for (const issue of issues) {
      if (this.errors.length < this.maxErrors) this.errors.push(issue)
      else this.truncated = true
    }
    if (this.file) {
      this.buffer += `${JSON.stringify({ r: row, c: cells, i: issues.map(({ row: _r, ...rest }) => rest) })}\n`
    }
  }

  async flush(): Promise<void> {
    if (this.file && this.buffer.length > 0) {
      const text = this.buffer
      this.buffer = ''
      await this.file.write(text)
    }
  }

  async close(): Promise<void> {
    await this.flush()
    await this.file?.close()
    this.file = null
  }
}

function lineEndingOf(sample: string): string {
  const lf = sample.indexOf('\n')
  const cr = sample.indexOf('\r')
  if (cr !== -1 && (lf === -1 || cr < lf)) return sample[cr + 1] === '\n' ? '\r\n' : '\r'
  return '\n'
}

async function* bytesOf(source: ImportRequest['source']): AsyncIterable<Uint8Array> {
  if ('bytes' in source) {
    for (let i = 0; i < source.bytes.length; i += 65_536) yield source.bytes.subarray(i, i + 65_536)
    return
  }
  for await (const chunk of createReadStream(source.path, { highWaterMark: 65_536 })) yield chunk as Buffer
}

async function sha256Of(source: ImportRequest['source']): Promise<string> {
  const hash = createFileFingerprint()
  for await (const chunk of bytesOf(source)) hash.update(chunk)
  return hash.digest()
}

function issueFromMessage(row: number, column: string | null, field: string | null, code: ImportIssueCode, message: Message): ImportRowIssue {
  return { row, column, field, code, key: message.key, params: message.params ?? {} }
}

/** What the pipeline writes with: nothing (preview), INSERTs, or COPY on the transaction's connection. */
type Writer = { kind: 'none' } | { kind: 'insert'; trx: Kysely<Database> } | { kind: 'copy'; trx: Kysely<Database>; copy: CopyChannel }

interface PipelineState {
  report: ImportReport
  touched: Map<string, { outletId: number; month: string | null }>
  vehicleStarts: Map<number, string>
  co2eKg: Decimal
  avoidedCo2eKg: Decimal
  written: number
  /** The recipes of the groups met (emission-recipes.ts), by group key, and the set they were made with. */
  recipes: Map<string, Recipe>
  factorSet: FactorSet | null
  /** Rows whose results are computed in SQL with their group's recipe, chunk by chunk after the rows are written. */
  costedInSql: number
  /** Results so computed. */
  resultsInSql: number
  fallbacks: FallbackTally
}

/**
 * The streaming pass. `lookupDb` answers the duplicate checks (the
 * transaction itself in a commit, so that it sees its own rows).
 */
async function runPipeline(
  lookupDb: Kysely<Database>,
  request: ImportRequest,
  writer: Writer,
  options: { batchId: string | null; chunkRows: number; failAfterRows?: number },
): Promise<PipelineState> {
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
  const costInput = costInputMaker(spec, scope)
  const fileSha256 = request.fileSha256 ?? (await sha256Of(request.source))
  const already = await findCommittedFile(lookupDb, recordCode, fileSha256, options.batchId ?? undefined)

  const report: ImportReport = {
    recordType: recordCode,
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
    ...(mode === 'preview' ? { sample: [] } : {}),
    errors: [],
    errorsTruncated: false,
    alreadyImported: already ? { batchId: String(already.id), committedAt: new Date(already.committed_at!).toISOString() } : null,
    committed: false,
    factorSetVersion: set?.version ?? null,
    co2eKg: '0',
    avoidedCo2eKg: '0',
    seconds: 0,
    timings: {},
  }
  const state: PipelineState = {
    report,
    touched: new Map(),
    vehicleStarts: new Map(),
    co2eKg: new Decimal(0),
    avoidedCo2eKg: new Decimal(0),
    written: 0,
    recipes: new Map(),
    factorSet: set,
    costedInSql: 0,
    resultsInSql: 0,
    fallbacks: new FallbackTally(),
  }
  // How many recipes gp_recipes holds in the transaction (loaded again when a chunk met a new group).
  let recipesLoaded = 0
  let lastTouched: { outletId: number; month: string | null } = { outletId: -1, month: null }
  const slots = isCosted(recordCode) ? recipeSlots[recordCode as CostedRecordType] : []
  // The same file twice is refused whole in a commit (its rows are all duplicates anyway),
  // unless the user chose to replace: then rows changed since are replaced, the rest skipped.
  if (mode === 'commit' && already && !replace) return finish()

  const rejected = new RejectedRows(request.rejectedPath ?? null, request.maxErrors ?? 200)
  await rejected.start()
  const validator = createCsvValidator(definition, ctx)
  const decoder = createCsvDecoder()
  let parser: Papa.Parser | null = null
  let carried = ''
  let stopped = false
  let bytes = 0
  let pending: PendingRow[] = []
  // Two stages per chunk: prepare (duplicate lookup, ids, costing: mostly this
  // process's CPU) and write (COPY: the server's). Chunk k is written while
  // chunk k+1 is prepared and chunk k+2 parsed; at most one of each at a time.
  let preparing: Promise<void> | null = null
  let writing: Promise<void> = Promise.resolve()
  let failure: unknown = null
  const hand = (batch: PendingRow[]) => {
    const previousWrite = writing
    const prepared = prepareChunk(batch)
    writing = (async () => {
      const chunk = await prepared
      await previousWrite
      if (chunk) await writeChunk(chunk)
    })()
    writing.catch((error: unknown) => {
      failure ??= error
      stopped = true
    })
    // The next chunk may be prepared once this one is, and written once this one is.
    preparing = prepared.then(() => previousWrite).then(
      () => undefined,
      () => undefined,
    )
  }
  let headerOf = new Map<string, string>()

  // Ids are reserved 50,000 at a time: one round trip per five chunks, not one per chunk.
  let spareIds: string[] = []
  const takeIds = async (n: number): Promise<string[]> => {
    if (spareIds.length < n) spareIds = spareIds.concat(await reserveIds(lookupDb, spec.table, Math.max(n - spareIds.length, 50_000)))
    return spareIds.splice(0, n)
  }

  const fileIssue = (issue: FileIssue) => {
    report.fileIssues.push(issue)
    if (issue.severity === 'error') stopped = true
  }

  const handleRows = async (rows: string[][], quoteRows: ReadonlySet<number>) => {
    for (let i = 0; i < rows.length && !stopped; i++) {
      if (i % 200 === 199) await yieldToIo()
      const cells = rows[i]!
      const outcome = validator.push(cells, quoteRows.has(i))
      switch (outcome.kind) {
        case 'blank':
          break
        case 'header':
          report.headerCells = cells.map((c) => c.replace(/^\uFEFF/, '').trim())
          for (const issue of outcome.mapping.issues) fileIssue(issue)
          headerOf = headerMap(outcome.mapping)
          break
        case 'rejected':
          report.rows++
          rejected.add(outcome.row, cells, outcome.issues as ImportRowIssue[])
          break
        case 'accepted': {
          report.rows++
          const record = toDbRecord(spec, outcome.record as Record<string, unknown>, scope)
          if (isResolveFailure(record)) {
            // The lookups passed, so only a scope change mid-file gets here.
            rejected.add(outcome.row, cells, [
              issueFromMessage(outcome.row, headerOf.get(record.field) ?? null, record.field, 'outlet_out_of_scope', { key: 'activity.error.outletOutOfScope', params: { value: cells.join(' ') } }),
            ])
            break
          }
          const sampling = report.sample !== undefined && report.sample.length < previewSampleRows
          pending.push(sampling ? { row: outcome.row, cells, record, values: outcome.record as Record<string, unknown> } : { row: outcome.row, cells, record })
          if (pending.length >= options.chunkRows) {
            // Hand the chunk over and keep parsing while it is prepared and written.
            if (preparing) await preparing
            const batch = pending
            pending = []
            hand(batch)
          }
          break
        }
      }
    }
  }

  const prepareChunk = async (batch: PendingRow[]): Promise<Prepared | null> => {
    const existing = await timed(report.timings, 'lookup', () => findExistingRows(lookupDb, spec, batch.map((p) => p.record)))
    const write: { p: PendingRow; replaces: ExistingRow | null; locked: boolean; month: string | null }[] = []
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!
      const found = existing.get(i) ?? null
      const month = monthKeyOf(spec, p.record.values)
      const locked = month !== null && scope.lockedMonths.size > 0 && scope.lockedMonths.has(`${p.record.owner.outletId}|${month}`)
      if (found) {
        if (recordCode === 'vehicles' && found.brandId !== p.record.owner.brandId) {
          rejected.add(p.row, p.cells, [issueFromMessage(p.row, headerOf.get('plate') ?? null, 'plate', 'vehicle_out_of_scope', { key: 'activity.error.vehicleOutOfScope', params: { value: String(p.record.values[0]) } })])
          continue
        }
        if (sameValues(spec, p.record, found)) {
          report.duplicates++
          continue
        }
        if (!replace) {
          rejected.add(p.row, p.cells, [
            issueFromMessage(p.row, null, null, 'duplicate_in_database', { key: 'csv.error.duplicateInDatabase', params: { keyFields: definition.naturalKey.join(',') } }),
          ])
          continue
        }
      }
      if (locked && !reason) {
        const dateField = spec.fields.find((f) => 'column' in f && f.column === spec.dateColumn)?.field ?? null
        rejected.add(p.row, p.cells, [
          issueFromMessage(p.row, dateField ? (headerOf.get(dateField) ?? null) : null, dateField, 'month_locked', { key: 'importPages.error.monthLocked', params: { month: month!.slice(0, 7) } }),
        ])
        continue
      }
      write.push({ p, replaces: found, locked, month })
    }

    // Sequences are outside transactions: the ids may come from the lookup connection.
    const ids = writer.kind === 'none' ? write.map((_, i) => `preview-${i}`) : await timed(report.timings, 'reserveIds', () => takeIds(write.length))
    const costStarted = performance.now()
    const results: ResultToWrite[] = []
    let inSql = 0
    const keep: { row: RowToWrite; replaces: ExistingRow | null; locked: boolean }[] = []
    for (let i = 0; i < write.length; i++) {
      const { p, replaces, locked, month } = write[i]!
      const id = ids[i]!
      if (set) {
        // Rows of a group with a linear recipe are costed in SQL once all are written (commitImport);
        // the others here, by the engine. A group the engine refuses is refused row by row.
        const input = costInput(p.record, id)
        const group = groupOf(input)
        let recipe = state.recipes.get(group.key)
        if (recipe === undefined) {
          recipe = buildRecipe(set, templateOf(recordCode as CostedRecordType, group.parts), slots)
          state.recipes.set(group.key, recipe)
        }
        if (recipe.kind === 'refused') {
          rejected.add(p.row, p.cells, [issueFromMessage(p.row, null, null, 'cannot_cost', recipe.error)])
          continue
        }
        if (recipe.kind === 'linear') {
          if (mode === 'commit') inSql++
          else {
            // a preview writes nothing: its totals come from the same engine, row by row
            const cost = costActivity(set, input)
            if (cost.ok) {
              state.co2eKg = state.co2eKg.plus(cost.record.co2eKg)
              state.avoidedCo2eKg = state.avoidedCo2eKg.plus(cost.record.avoidedCo2eKg)
              state.fallbacks.add(notesOfFallbacks(cost.record.provenance.fallbacks), cost.record.co2eKg)
            }
          }
          keepRow(p, id, replaces, locked, month)
          continue
        }
        const cost = costActivity(set, input)
        if (!cost.ok) {
          rejected.add(p.row, p.cells, [issueFromMessage(p.row, null, null, 'cannot_cost', cost.error)])
          continue
        }
        const c = cost.record
        state.co2eKg = state.co2eKg.plus(c.co2eKg)
        state.avoidedCo2eKg = state.avoidedCo2eKg.plus(c.avoidedCo2eKg)
        if (mode === 'preview') state.fallbacks.add(notesOfFallbacks(c.provenance.fallbacks), c.co2eKg)
        results.push(toResultRow(c, 'current'))
      } else if (isCosted(recordCode)) {
        rejected.add(p.row, p.cells, [issueFromMessage(p.row, null, null, 'cannot_cost', factorSet && !factorSet.ok ? factorSet.error : { key: 'emissions.error.noPublishedSet' })])
        continue
      }
      keepRow(p, id, replaces, locked, month)
    }
    function keepRow(p: PendingRow, id: string, replaces: ExistingRow | null, locked: boolean, month: string | null) {
      keep.push({ row: { owner: p.record.owner, values: p.record.values, id, rowFingerprint: null }, replaces, locked })
      report.accepted++
      if (p.values && report.sample && report.sample.length < previewSampleRows) {
        report.sample.push({ row: p.row, action: sampleAction(replaces !== null, locked), values: sampleValues(p.values) })
      }
      if (replaces) report.replaced++
      else report.created++
      if (locked) report.restated++
      // a file runs outlet by outlet, day by day: most rows touch the outlet-month of the row before
      if (p.record.owner.outletId !== lastTouched.outletId || month !== lastTouched.month) {
        lastTouched = { outletId: p.record.owner.outletId, month }
        state.touched.set(`${p.record.owner.outletId}|${month}`, lastTouched)
      }
      if (replaces && replaces.outletId !== p.record.owner.outletId) {
        state.touched.set(`${replaces.outletId}|${month}`, { outletId: replaces.outletId, month })
      }
      if (recordCode === 'vehicles') {
        const from = `${String(p.record.values[spec.columns.findIndex((c) => c.column === 'in_service_from')]).slice(0, 7)}-01`
        const known = state.vehicleStarts.get(p.record.owner.outletId)
        if (!known || from < known) state.vehicleStarts.set(p.record.owner.outletId, from)
      }
    }
    report.timings.costing = (report.timings.costing ?? 0) + (performance.now() - costStarted) / 1000
    await rejected.flush()
    state.costedInSql += inSql
    if (writer.kind === 'none' || keep.length === 0) return null
    // The COPY text is made here, while the server writes the chunk before: handed over whole,
    // the socket sends it without this process, which meanwhile parses; made as it was sent, the
    // server waited for every piece between two blocks of parsing.
    const byCopy = writer.kind === 'copy'
    const provenance: Provenance = { source: 'csv', importBatchId: options.batchId, createdBy: request.viewer.userId, restatementReason: null }
    const groups = [
      { rows: keep.filter((k) => !k.locked).map((k) => k.row), provenance },
      { rows: keep.filter((k) => k.locked).map((k) => k.row), provenance: { ...provenance, restatementReason: reason } },
    ]
      .filter((g) => g.rows.length > 0)
      .map((g) => ({ ...g, copyText: byCopy ? copyLines(g.rows, g.provenance) : null }))
    const resultsCopyText = byCopy && set && results.length > 0 ? copyTextOfResults(recordCode as CostedRecordType, set.version, results) : null
    return { keep, groups, results, resultsCopyText, inSql }
  }

  const writeChunk = async ({ keep, groups, results, resultsCopyText, inSql }: Prepared): Promise<void> => {
    if (writer.kind === 'none') return
    const trx = writer.trx
    const replaced = keep.filter((k) => k.replaces !== null)
    if (replaced.length > 0) {
      await supersedeRows(trx, spec, replaced.map((k) => ({ outletId: k.replaces!.outletId, oldId: k.replaces!.id, newId: k.row.id })))
    }
    for (const group of groups) {
      if (writer.kind === 'copy') {
        const copy = writer.copy
        await timed(report.timings, 'copy', () => copy.copyIn(copyStatement(spec), [group.copyText!]))
      } else {
        await timed(report.timings, 'insert', () => insertRows(trx, spec, group.rows, group.provenance))
      }
    }
    if (replaced.length > 0) {
      await retireResultsOfRecords(trx, recordCode, replaced.map((k) => ({ outletId: k.replaces!.outletId, id: k.replaces!.id })))
      await auditReplacements(trx, spec, replaced.map((k) => ({ outletId: k.row.owner.outletId, newId: k.row.id, oldOutletId: k.replaces!.outletId })), {
        actorUserId: request.viewer.userId,
        action: keep.some((k) => k.locked) ? 'import.restate' : 'import.replace',
        reason,
      })
    }
    if (set && results.length > 0 && isCosted(recordCode)) {
      if (writer.kind === 'copy') {
        const copy = writer.copy
        await timed(report.timings, 'emissionResults', () => copyResultsText(copy, resultsCopyText!))
      } else {
        await timed(report.timings, 'emissionResults', () => writeResults(trx, recordCode, set.version, results, { upsert: false }))
      }
    }
    if (set && inSql > 0 && options.batchId) {
      // The chunk's rows of linear groups, costed in SQL now that they are written (ids ascend with the chunks).
      const batchId = options.batchId
      await timed(report.timings, 'emissionResultsSql', async () => {
        if (state.recipes.size !== recipesLoaded) {
          await loadRecipes(trx, state.recipes)
          recipesLoaded = state.recipes.size
        }
        // ids are whole numbers without leading zeros: the shorter is the smaller, else the text decides
        const less = (a: string, b: string) => a.length < b.length || (a.length === b.length && a < b)
        let lo = keep[0]!.row.id
        let hi = lo
        for (const k of keep) {
          if (less(k.row.id, lo)) lo = k.row.id
          if (less(hi, k.row.id)) hi = k.row.id
        }
        const done = await insertImportedResults(trx, recordCode as CostedRecordType, set.version, batchId, { from: lo, to: hi })
        state.resultsInSql += done.written
        state.co2eKg = state.co2eKg.plus(done.co2eKg)
        state.avoidedCo2eKg = state.avoidedCo2eKg.plus(done.avoidedCo2eKg)
      })
    }
    state.written += keep.length
    if (options.failAfterRows !== undefined && state.written >= options.failAfterRows) {
      throw new Error(`Test failure after ${state.written} rows`)
    }
  }

  const parse = async (text: string, final: boolean) => {
    let input = carried + text
    if (!parser) {
      // The header decides the delimiter and the line ending: wait for its end.
      if (!final && input.length < 65_536 && !/[\r\n]/.test(input)) {
        carried = input
        return
      }
      report.delimiter = detectDelimiter(input.slice(0, 65_536))
      parser = new Papa.Parser({ delimiter: report.delimiter, newline: lineEndingOf(input.slice(0, 65_536)) as '\n', quoteChar: '"' })
    }
    let result = parser.parse(input, 0, !final) as Papa.ParseResult<string[]>
    carried = final ? '' : input.slice(result.meta.cursor)
    if (!final && carried.length > maxCarriedText) {
      // An unclosed quote: read what is carried as a (broken) row rather than hold the whole file.
      result = parser.parse(input, 0, false) as Papa.ParseResult<string[]>
      carried = ''
    }
    input = ''
    const quoteRows = new Set<number>()
    for (const error of result.errors) if (error.type === 'Quotes' && error.row !== undefined) quoteRows.add(error.row)
    await handleRows(result.data, quoteRows)
  }

  try {
    for await (const chunk of bytesOf(request.source)) {
      bytes += chunk.length
      let text: string
      try {
        text = decoder.push(chunk)
      } catch (error) {
        if (!(error instanceof CsvDecodeError)) throw error
        fileIssue(decodeIssue(error))
        break
      }
      report.encoding = decoder.encoding
      await parse(text, false)
      request.onProgress?.({ bytes, rows: report.rows, phase: 'reading' })
      if (stopped) break
    }
    if (!stopped) {
      let tail = ''
      try {
        tail = decoder.end()
      } catch (error) {
        if (!(error instanceof CsvDecodeError)) throw error
        fileIssue(decodeIssue(error))
      }
      if (!stopped) await parse(tail, true)
    }
    report.encoding = decoder.encoding ?? (report.encoding || 'utf-8')
    if (!stopped && pending.length > 0) hand(pending)
    pending = []
    await writing.catch(() => {})
    if (failure !== null) throw failure
    if (validator.header === null && report.fileIssues.length === 0) {
      fileIssue({ severity: 'error', code: 'empty_file', key: 'csv.error.emptyFile', params: {}, column: null, field: null })
    }
  } finally {
    await writing.catch(() => {})
    await rejected.close()
  }
  report.blankRows = validator.counts.blank
  report.rejected = rejected.count
  report.errors = rejected.errors.sort((a, b) => a.row - b.row)
  report.errorsTruncated = rejected.truncated
  request.onProgress?.({ bytes, rows: report.rows, phase: 'finishing' })
  return finish()

  function finish(): PipelineState {
    report.co2eKg = state.co2eKg.toFixed()
    report.avoidedCo2eKg = state.avoidedCo2eKg.toFixed()
    if (mode === 'preview') {
      report.fallbacks = { records: state.fallbacks.recordCount, co2eKg: state.fallbacks.totalKg.toFixed(), rows: state.fallbacks.list() }
    }
    report.seconds = Math.round((performance.now() - started) / 10) / 100
    return state
  }
}

function headerMap(mapping: HeaderMapping): Map<string, string> {
  const out = new Map<string, string>()
  for (const column of mapping.columns) if (column.field !== null) out.set(column.field, column.header)
  return out
}

function decodeIssue(error: CsvDecodeError): FileIssue {
  return decodeFailureIssue(error)
}

// ---- costing many records ------------------------------------------------------------


// ---- preview and commit ------------------------------------------------------------------

/** Read, check and cost a file without writing anything: what a commit would do. */
export async function previewImport(db: Kysely<Database>, request: ImportRequest): Promise<ImportReport> {
  const state = await runPipeline(db, request, { kind: 'none' }, { batchId: null, chunkRows: defaultChunkRows })
  return state.report
}

/** The connection string a bulk write opens its COPY connection with, or null on the embedded database. */
async function copyUrlFor(db: Kysely<Database>, explicit: string | undefined): Promise<string | null> {
  const name = await serverDatabaseName(db)
  if (name === null) return null
  const base = explicit ?? env().DATABASE_URL
  if (!base) return null
  const url = new URL(base)
  if (!explicit) url.pathname = `/${name}`
  return url.toString()
}

export type CommitResult = { ok: true; batchId: string; report: ImportReport } | { ok: false; batchId: string | null; report: ImportReport }

/**
 * Re-validate and write a file in one transaction: every accepted row, its
 * emission result, the rows it replaces retired and audited, the batch row,
 * the rollups of every outlet-month it touched — or nothing. A file with
 * file-level errors, or one already committed, writes nothing.
 */
export async function commitImport(db: Kysely<Database>, request: ImportRequest, options: CommitOptions = {}): Promise<CommitResult> {
  assertWriter(request.viewer)
  const fileSha256 = request.fileSha256 ?? (await sha256Of(request.source))
  const req = { ...request, fileSha256 }
  const url = await copyUrlFor(db, options.pgUrl)
  const chunkRows = options.chunkRows ?? defaultChunkRows
  const brandId = await batchBrand(db, request.viewer)

  const body = async (trx: Kysely<Database>, writer: Writer): Promise<CommitResult> => {
    const batchId =
      options.batchId ??
      (await insertBatch(trx, {
        recordType: request.recordCode,
        brandId,
        outletId: request.viewer.role === 'outlet_operator' ? request.viewer.outletId : null,
        fileName: request.fileName,
        fileSha256,
        storedName: null,
        fileBytes: 'bytes' in request.source ? request.source.bytes.length : (await stat(request.source.path)).size,
        uploadedBy: request.viewer.userId,
        replaceExisting: request.replace === true,
        reason: request.reason ?? null,
        status: 'committing',
      }))
    // With COPY the transaction's connection is busy writing: duplicate lookups and ids go
    // through the pool (another file's rows, or rows committed before, are what they look for).
    const state = await runPipeline(writer.kind === 'copy' ? db : trx, req, writer, { batchId, chunkRows, failAfterRows: options.failAfterRows })
    const report = state.report
    // Nothing written is nothing committed: no batch is left to say the file was imported.
    const refused = (report.alreadyImported !== null && !request.replace) || report.fileIssues.some((i) => i.severity === 'error') || report.accepted === 0
    if (refused) throw new NothingToCommit({ ok: false, batchId: options.batchId ?? null, report })
    // the rows the engine left to SQL, and no other, got a result
    if (state.costedInSql !== state.resultsInSql) {
      throw new Error(`Import ${batchId}: ${state.resultsInSql} results computed in SQL for ${state.costedInSql} rows`)
    }
    const spec = tableSpecs[request.recordCode]
    if (state.written >= analyzeAfterRows) await timed(report.timings, 'analyze', () => analyzeWrittenTable(trx, spec.table))
    await timed(report.timings, 'rollups', () =>
      refreshAfterWrite(
        trx,
        spec,
        [...state.touched.values()],
        [...state.vehicleStarts.entries()].map(([outletId, fromMonth]) => ({ outletId, fromMonth })),
      ),
    )
    report.committed = true
    await finishBatch(trx, batchId, {
      status: 'committed',
      encoding: report.encoding ?? 'utf-8',
      rowsTotal: report.rows,
      rowsAccepted: report.accepted,
      rowsRejected: report.rejected,
      rowsDuplicate: report.duplicates,
      rowsReplaced: report.replaced,
      report,
      committed: true,
      fileSha256,
      options: { replaceExisting: request.replace === true, reason: request.reason?.trim() || null },
    })
    await appendAudit(trx, {
      actorUserId: request.viewer.userId,
      action: 'import.commit',
      entityType: 'import_batch',
      entityId: batchId,
      outletId: request.viewer.outletId,
      reason: request.reason?.trim() || null,
      after: { recordType: request.recordCode, fileName: request.fileName, rows: report.rows, accepted: report.accepted, replaced: report.replaced, duplicates: report.duplicates, rejected: report.rejected },
    })
    return { ok: true, batchId, report }
  }

  try {
    if (url) return await withCopyTransaction(url, (trx, copy) => body(trx, { kind: 'copy', trx, copy }))
    return await db.transaction().execute((trx) => body(trx, { kind: 'insert', trx }))
  } catch (error) {
    if (error instanceof NothingToCommit) return error.result
    throw error
  }
}

class NothingToCommit extends Error {
  constructor(readonly result: CommitResult) {
    super('nothing to commit')
  }
}

async function batchBrand(db: Kysely<Database>, viewer: Viewer): Promise<number | null> {
  if (viewer.role === 'carrier_admin') return viewer.brandId
  if (viewer.role === 'outlet_operator' && viewer.outletId !== null) {
    const row = await db.selectFrom('outlets').select('brand_id').where('id', '=', viewer.outletId).executeTakeFirst()
    return row?.brand_id ?? null
  }
  return null
}

// ---- rejected rows -------------------------------------------------------------------

/**
 * The rejected rows file as CSV in the reader's language (UTF-8 with BOM, the
 * original cells plus a reason column), produced a few thousand rows at a time.
 */
export async function* rejectedCsvChunks(rejectedPath: string, headerCells: readonly string[], locale: Locale): AsyncIterable<string> {
  let first = true
  let rows: { row: number; cells: string[] }[] = []
  let issues: RowIssue[] = []
  const emit = () => {
    const csv = rejectedRowsCsv({ header: headerCells, rows }, issues, locale)
    rows = []
    issues = []
    if (first) {
      first = false
      return csv
    }
    // Only the first chunk carries the BOM and the header.
    return csv.slice(csv.indexOf('\r\n') + 2)
  }
  let exists = true
  try {
    await stat(rejectedPath)
  } catch {
    exists = false
  }
  if (exists) {
    const lines = createInterface({ input: createReadStream(rejectedPath, 'utf8'), crlfDelay: Infinity })
    for await (const line of lines) {
      if (!line) continue
      const entry = JSON.parse(line) as { r: number; c: string[]; i: Omit<ImportRowIssue, 'row'>[] }
      rows.push({ row: entry.r, cells: entry.c })
      // The CSV core's own type for row issues; the codes found against the database travel the same way.
      for (const issue of entry.i) issues.push({ ...issue, row: entry.r } as RowIssue)
      if (rows.length >= 2_000) yield emit()
    }
  }
  if (rows.length > 0 || first) yield emit()
}

export async function writeRejectedCsv(rejectedPath: string, headerCells: readonly string[], locale: Locale, outPath: string): Promise<void> {
  const out = createWriteStream(outPath)
  for await (const chunk of rejectedCsvChunks(rejectedPath, headerCells, locale)) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
}

// ---- uploads through the web app ---------------------------------------------------------

/** The folder uploads wait in between preview and commit: beside the embedded database's folder. */
export function uploadsDir(): string {
  return path.resolve(path.dirname(path.resolve(process.cwd(), env().DATA_DIR)), 'uploads')
}

export function storedPath(storedName: string): string {
  return path.join(uploadsDir(), path.basename(storedName))
}

export function rejectedPathOf(storedName: string): string {
  return `${storedPath(storedName)}.rejected.ndjson`
}

export const maxUploadBytes = 200 * 1024 * 1024

export class UploadTooLarge extends Error {}

export interface StoredUpload {
  storedName: string
  fileName: string
  bytes: number
  sha256: string
}

/** Stream an uploaded file to the uploads folder, hashing it on the way; never held in memory. */
export async function storeUpload(data: AsyncIterable<Uint8Array>, fileName: string): Promise<StoredUpload> {
  await mkdir(uploadsDir(), { recursive: true })
  const storedName = `${randomUUID()}.csv`
  const target = storedPath(storedName)
  const hash = createFileFingerprint()
  let bytes = 0
  const out = createWriteStream(target)
  try {
    for await (const chunk of data) {
      bytes += chunk.length
      if (bytes > maxUploadBytes) throw new UploadTooLarge(`upload larger than ${maxUploadBytes} bytes`)
      hash.update(chunk)
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  } catch (error) {
    out.destroy()
    await rm(target, { force: true })
    throw error
  }
  return { storedName, fileName: path.basename(fileName).slice(0, 200) || 'upload.csv', bytes, sha256: hash.digest() }
}

export interface NewUpload {
  recordCode: RecordCode
  upload: StoredUpload
  replace: boolean
  reason: string | null
}

/** Record an upload and start its preview in the background; returns the batch id. */
export async function createUpload(db: Kysely<Database>, viewer: Viewer, input: NewUpload): Promise<string> {
  const batchId = await insertBatch(db, {
    recordType: input.recordCode,
    brandId: await batchBrand(db, viewer),
    outletId: viewer.role === 'outlet_operator' ? viewer.outletId : null,
    fileName: input.upload.fileName,
    fileSha256: input.upload.sha256,
    storedName: input.upload.storedName,
    fileBytes: input.upload.bytes,
    uploadedBy: viewer.userId,
    replaceExisting: input.replace,
    reason: input.reason,
    status: 'uploaded',
  })
  startPreview(db, viewer, batchId)
  return batchId
}

export type UploadResult = { ok: true; batchId: string } | { ok: false; field: 'file' | 'recordType'; error: Message; recordType: string }

/**
 * The multipart upload form: the file part streams to the uploads folder
 * (hashed on the way), the small fields are read into memory. On success the
 * batch exists and its preview has started.
 */
export async function receiveUpload(db: Kysely<Database>, viewer: Viewer, request: Request): Promise<UploadResult> {
  assertWriter(viewer)
  let stored: StoredUpload | null = null
  let tooLarge = false
  const fileHandler = async ({ name, filename, data }: { name: string; filename?: string; data: AsyncIterable<Uint8Array> }) => {
    if (name !== 'file' || !filename) return undefined
    try {
      stored = await storeUpload(data, filename)
    } catch (error) {
      if (!(error instanceof UploadTooLarge)) throw error
      tooLarge = true
      // Drain the rest of the part so the parser can go on to the other fields.
      for await (const _ of data) void _
    }
    return stored?.storedName ?? ''
  }
  // Loaded here, not at the top: the command line and the benchmark use this module without Remix.
  const { unstable_composeUploadHandlers, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } = await import('@remix-run/node')
  const form = await unstable_parseMultipartFormData(request, unstable_composeUploadHandlers(fileHandler, unstable_createMemoryUploadHandler({ maxPartSize: 64 * 1024 })))
  const recordType = String(form.get('recordType') ?? '')
  const upload = stored as StoredUpload | null
  const discard = async () => upload && (await rm(storedPath(upload.storedName), { force: true }))
  if (!isRecordCode(recordType)) {
    await discard()
    return { ok: false, field: 'recordType', error: { key: 'importPages.error.recordType' }, recordType }
  }
  if (tooLarge) return { ok: false, field: 'file', error: { key: 'importPages.error.tooLarge', params: { max: maxUploadBytes / 1024 / 1024 } }, recordType }
  if (!upload) return { ok: false, field: 'file', error: { key: 'importPages.error.noFile' }, recordType }
  if (upload.bytes === 0) {
    await discard()
    return { ok: false, field: 'file', error: { key: 'importPages.error.emptyFile' }, recordType }
  }
  const reason = String(form.get('reason') ?? '').trim().slice(0, 500) || null
  const batchId = await createUpload(db, viewer, { recordCode: recordType, upload, replace: form.get('replace') === 'on', reason })
  return { ok: true, batchId }
}

interface JobState {
  promise: Promise<void>
  progress: ImportProgress
}

// Jobs run in this process; the batch row says where each stands for any process.
const holder = globalThis as typeof globalThis & { __greenparcelImportJobs?: Map<string, JobState> }
const jobs = (holder.__greenparcelImportJobs ??= new Map())

export function jobProgress(batchId: string): ImportProgress | null {
  return jobs.get(batchId)?.progress ?? null
}

export function isJobRunning(batchId: string): boolean {
  return jobs.has(batchId)
}

/** Wait for a batch's job in this process (tests, the command line). */
export async function waitForJob(batchId: string): Promise<void> {
  await jobs.get(batchId)?.promise
}

function runJob(batchId: string, work: (progress: (p: ImportProgress) => void) => Promise<void>): void {
  const state: JobState = { promise: Promise.resolve(), progress: { bytes: 0, rows: 0, phase: 'reading' } }
  state.promise = work((p) => (state.progress = p)).finally(() => jobs.delete(batchId))
  jobs.set(batchId, state)
}

function batchRequest(viewer: Viewer, batch: ImportBatch, rejectedPath: string): ImportRequest {
  return {
    viewer,
    recordCode: batch.record_type as RecordCode,
    source: { path: storedPath(batch.stored_name!) },
    fileName: batch.file_name,
    replace: batch.replace_existing,
    reason: batch.reason,
    rejectedPath,
    fileSha256: batch.file_sha256,
  }
}

/** Throttled progress in the batch row, for pages polling from any process; never awaited by the pipeline. */
function progressWriter(db: Kysely<Database>, batchId: string, local: (p: ImportProgress) => void, toDatabase: boolean) {
  let last = 0
  return (p: ImportProgress) => {
    local(p)
    const now = Date.now()
    if (!toDatabase || now - last < 1000) return
    last = now
    void updateBatchProgress(db, batchId, p).catch(() => {})
  }
}

export function startPreview(db: Kysely<Database>, viewer: Viewer, batchId: string): void {
  runJob(batchId, async (local) => {
    if (!(await transitionBatch(db, batchId, ['uploaded', 'validated', 'failed'], 'validating'))) return
    const batch = (await findBatch(db, viewer, batchId))!
    try {
      const report = await previewImport(db, {
        ...batchRequest(viewer, batch, rejectedPathOf(batch.stored_name!)),
        onProgress: progressWriter(db, batchId, local, true),
      })
      await finishBatch(db, batchId, {
        status: 'validated',
        encoding: report.encoding ?? '',
        rowsTotal: report.rows,
        rowsAccepted: report.accepted,
        rowsRejected: report.rejected,
        rowsDuplicate: report.duplicates,
        rowsReplaced: report.replaced,
        report,
        committed: false,
      })
    } catch (error) {
      await failBatch(db, batchId, { key: 'importPages.error.jobFailed', params: { detail: String((error as Error).message ?? error).slice(0, 300) } })
    }
  })
}

export type StartResult = { ok: true } | { ok: false; error: Message }

/** Commit a previewed upload in the background (one transaction); the page shows its progress. */
export async function startCommit(db: Kysely<Database>, viewer: Viewer, batchId: string, choice: { replace: boolean; reason: string | null }): Promise<StartResult> {
  const batch = await findBatch(db, viewer, batchId)
  if (!batch || !batch.stored_name) return { ok: false, error: { key: 'importPages.error.notFound' } }
  if (choice.replace !== batch.replace_existing || (choice.reason ?? null) !== (batch.reason ?? null)) {
    await db.updateTable('import_batches').set({ replace_existing: choice.replace, reason: choice.reason }).where('id', '=', batchId).where('status', '=', 'validated').execute()
  }
  if (!(await transitionBatch(db, batchId, ['validated'], 'committing'))) return { ok: false, error: { key: 'importPages.error.notReady' } }
  const fresh = (await findBatch(db, viewer, batchId))!
  const onServer = (await serverDatabaseName(db)) !== null
  runJob(batchId, async (local) => {
    const finalRejected = rejectedPathOf(fresh.stored_name!)
    const tempRejected = `${finalRejected}.commit`
    try {
      const result = await commitImport(
        db,
        // On the embedded database the one connection is the transaction's until it ends: progress stays in memory.
        { ...batchRequest(viewer, fresh, tempRejected), onProgress: progressWriter(db, batchId, local, onServer) },
        { batchId },
      )
      if (result.ok) {
        await rename(tempRejected, finalRejected)
      } else {
        await rm(tempRejected, { force: true })
        await finishBatch(db, batchId, {
          status: 'validated',
          encoding: result.report.encoding ?? '',
          rowsTotal: result.report.rows,
          rowsAccepted: result.report.accepted,
          rowsRejected: result.report.rejected,
          rowsDuplicate: result.report.duplicates,
          rowsReplaced: result.report.replaced,
          report: result.report,
          committed: false,
        })
      }
    } catch (error) {
      await rm(tempRejected, { force: true })
      await failBatch(db, batchId, { key: 'importPages.error.jobFailed', params: { detail: String((error as Error).message ?? error).slice(0, 300) } })
    }
  })
  return { ok: true }
}

const staleJobMs = 15 * 60_000

export async function batchPage(db: Kysely<Database>, viewer: Viewer, batchId: string) {
  let batch = await findBatch(db, viewer, batchId)
  if (!batch) return undefined
  const live = jobProgress(batchId)
  // A job no process is running any more (the server restarted mid-way; a commit's
  // transaction then rolled back): say so and let the user check the file again. Another
  // process running it keeps updated_at fresh while it reads.
  const inFlight = batch.status === 'uploaded' || batch.status === 'validating' || batch.status === 'committing'
  if (inFlight && !isJobRunning(batchId) && Date.now() - new Date(batch.updated_at).getTime() > staleJobMs) {
    await failBatch(db, batchId, { key: 'importPages.error.interrupted' })
    batch = (await findBatch(db, viewer, batchId))!
  }
  return {
    id: String(batch.id),
    recordType: batch.record_type as RecordCode,
    fileName: batch.file_name,
    fileBytes: Number(batch.file_bytes),
    status: batch.status,
    running: isJobRunning(batchId),
    progress: live ?? { bytes: Number(batch.bytes_processed), rows: batch.rows_processed, phase: 'reading' as const },
    replaceExisting: batch.replace_existing,
    reason: batch.reason,
    report: (batch.report as ImportReport | null) ?? null,
    failure: (batch.failure as Message | null) ?? null,
    createdAt: batch.created_at.toISOString(),
    committedAt: batch.committed_at ? new Date(batch.committed_at).toISOString() : null,
    uploadedBy: batch.uploadedByName,
  }
}

/** The rejected rows of a batch the viewer may see, as CSV chunks; undefined when there is no such batch. */
export async function batchRejectedCsv(db: Kysely<Database>, viewer: Viewer, batchId: string, locale: Locale) {
  const batch = await findBatch(db, viewer, batchId)
  if (!batch || !batch.stored_name) return undefined
  const report = batch.report as ImportReport | null
  const chunks = rejectedCsvChunks(rejectedPathOf(batch.stored_name), report?.headerCells ?? [], locale)
  const name = `${path.parse(batch.file_name).name}-rejected.csv`
  const encoded = (async function* () {
    for await (const chunk of chunks) yield Buffer.from(chunk, 'utf8')
  })()
  return { name, stream: Readable.toWeb(Readable.from(encoded)) as ReadableStream<Uint8Array> }
}

export function parseRecordType(value: unknown): RecordCode | null {
  return isRecordCode(value) ? value : null
}

export { activityContext, scopeNeeds, utf8Bom, vehicleRanges }
export type { ActivityContext }
