// The import pipeline's public face for routes, scripts and tests. The
// pipeline itself reads top to bottom in app/services/imports/pipeline.ts:
// decode → parse → validate → dedupe → cost → write → roll up, one file each;
// uploads, jobs and the rejected-rows CSV live beside it.
import { isRecordCode, type RecordCode } from '#app/domain/activity/definitions.ts'
import type { ActivityContext } from '#app/domain/activity/context.ts'
import { utf8Bom } from '#app/domain/csv/template.ts'
import { activityContext, scopeNeeds, vehicleRanges } from './activity.server.ts'

export { commitImport, previewImport, type CommitResult } from './imports/commit.ts'
export { batchPage, batchRejectedCsv } from './imports/batches.ts'
export {
  cancelJob,
  createUpload,
  recoverInterrupted,
  startCommit,
  startImportWorker,
  startPreview,
  waitForJob,
  type NewUpload,
  type StartResult,
} from './imports/jobs.ts'
export { receiveUpload, type UploadResult } from './imports/receive.ts'
export { rejectedCsvChunks, writeRejectedCsv } from './imports/rejected.ts'
export {
  defaultChunkRows,
  uploaderRoles,
  type CommitOptions,
  type ImportIssueCode,
  type ImportProgress,
  type ImportReport,
  type ImportRequest,
  type ImportRowIssue,
  type ImportTimings,
} from './imports/types.ts'
export { maxUploadBytes, rejectedPathOf, storedPath, storeUpload, uploadsDir, UploadTooLarge, type StoredUpload } from './imports/uploads.ts'

export function parseRecordType(value: unknown): RecordCode | null {
  return isRecordCode(value) ? value : null
}

export { activityContext, scopeNeeds, utf8Bom, vehicleRanges }
export type { ActivityContext }
