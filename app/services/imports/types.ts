import type { Role, Viewer } from '#app/domain/access.ts'
import type { RecordCode } from '#app/domain/activity/definitions.ts'
import type { CsvEncoding } from '#app/domain/csv/encoding.ts'
import type { FileIssue } from '#app/domain/csv/header.ts'
import type { RowIssueCode } from '#app/domain/csv/validate-row.ts'
import type { FallbackSummaryRow } from '#app/domain/factors/fallbacks.ts'
import type { MessageKey, MessageParams } from '#app/i18n/index.ts'
import { activityWriterRoles } from '../activity.server.ts'

/** Who may upload: each only for the outlets it may write to. Bureaus never. */
export const uploaderRoles: readonly Role[] = activityWriterRoles

/**
 * Rows per chunk (lookup, costing, write): the one place this size is set.
 * Each chunk costs the write connection a few statements; three chunks are
 * held at a time (parsed, prepared, written): smaller chunks mean more
 * statements, larger ones more memory for no speed (decision 041).
 */
export const defaultChunkRows = 10_000

/** Record ids are reserved this many at a time: one round trip for several chunks. */
export const idReservationSize = 50_000

/** From this many rows written, the import refreshes the table's statistics before the rollups (analyzeWrittenTable). */
export const analyzeAfterRows = 10_000

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
  source: ImportSource
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
  /** Asked between blocks of rows: true stops the pass (a cancelled job); the commit then rolls back. */
  shouldStop?: () => boolean
}

export type ImportSource = { path: string } | { bytes: Uint8Array }

export interface CommitOptions {
  /** The batch row to fill; without it one is created in the transaction. */
  batchId?: string
  /**
   * PostgreSQL connection string for the COPY connection; default: the
   * server's own database under DATABASE_URL. Ignored on the embedded database.
   */
  pgUrl?: string
  /** Rows per chunk; default defaultChunkRows. */
  chunkRows?: number
  /** Tests: throw after this many rows were written, to prove nothing stays. */
  failAfterRows?: number
}

/** Seconds spent per phase of one import: what a benchmark prints. */
export type ImportTimings = Record<string, number>

export async function timed<T>(timings: ImportTimings, phase: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now()
  try {
    return await work()
  } finally {
    timings[phase] = (timings[phase] ?? 0) + (performance.now() - started) / 1000
  }
}
