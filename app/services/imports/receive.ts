import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { isRecordCode } from '#app/domain/activity/definitions.ts'
import type { Message } from '#app/i18n/index.ts'
import type { Database } from '#db/schema.ts'
import { assertWriter } from '../activity.server.ts'
import { createUpload } from './jobs.ts'
import { MultipartError, readMultipart } from './multipart.ts'
import { maxUploadBytes, removeStoredUpload, UploadFile, UploadTooLarge } from './uploads.ts'

export type UploadResult =
  | { ok: true; batchId: string }
  | { ok: false; status: 400 | 413; field: 'file' | 'recordType'; error: Message; recordType: string }

// The form's small fields, each at most this long; the whole body at most the file's limit plus these.
const maxFieldBytes = 64 * 1024
const maxParts = 10

/**
 * The multipart upload form, read as it arrives (multipart.ts): the file part
 * streams to the uploads folder, hashed on the way; the small fields are kept.
 * Every byte is counted: a body over the limit is refused with 413 as soon as
 * the limit is passed (at once when its Content-Length says so), whatever has
 * been written is deleted, and nothing of it stays in memory. On success the
 * batch exists and its preview is queued.
 */
export async function receiveUpload(db: Kysely<Database>, viewer: Viewer, request: Request): Promise<UploadResult> {
  assertWriter(viewer)
  const fields = new Map<string, string>()
  let file: UploadFile | null = null
  const tooLarge = (): UploadResult => ({
    ok: false,
    status: 413,
    field: 'file',
    error: { key: 'importPages.error.tooLarge', params: { max: maxUploadBytes / 1024 / 1024 } },
    recordType: fields.get('recordType') ?? '',
  })
  const maxBodyBytes = maxUploadBytes + maxParts * maxFieldBytes
  if (Number(request.headers.get('content-length') ?? 0) > maxBodyBytes) return tooLarge()
  // Read without cancelling the body on a refusal: cancelling would destroy the socket under the
  // 413; the server's lingering close drops the rest after the answer (app/utils/lingering-close.server.ts).
  const body = request.body as (ReadableStream<Uint8Array> & { values(options: { preventCancel: boolean }): AsyncIterable<Uint8Array> }) | null
  try {
    await readMultipart(body ? body.values({ preventCancel: true }) : null, request.headers.get('content-type'), { maxBodyBytes, maxFieldBytes, maxParts }, {
      onField: (name, value) => void fields.set(name, value),
      onFile: async (name, fileName) => {
        // One file, in the field named file; any other file part is dropped unread.
        if (name !== 'file' || file || !fileName) return null
        // The name is shown back and stored: control characters (a NUL cannot be stored) are dropped.
        file = await new UploadFile(fileName.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || 'upload.csv').open()
        return file
      },
    })
  } catch (error) {
    const written = file as UploadFile | null
    if (written) await written.abort()
    if (error instanceof UploadTooLarge || (error instanceof MultipartError && error.status === 413)) {
      return tooLarge()
    }
    if (error instanceof MultipartError) {
      return { ok: false, status: 400, field: 'file', error: { key: 'importPages.error.badUpload' }, recordType: fields.get('recordType') ?? '' }
    }
    throw error
  }
  const recordType = fields.get('recordType') ?? ''
  const upload = (file as UploadFile | null)?.stored() ?? null
  const discard = async () => upload && (await removeStoredUpload(upload.storedName))
  // PostgreSQL text cannot hold a NUL byte: a field carrying one is refused, never a 500.
  if ([...fields.values()].some((value) => value.includes('\u0000'))) {
    await discard()
    return { ok: false, status: 400, field: 'file', error: { key: 'importPages.error.badUpload' }, recordType: recordType.replace(/\u0000/g, '') }
  }
  if (!isRecordCode(recordType)) {
    await discard()
    return { ok: false, status: 400, field: 'recordType', error: { key: 'importPages.error.recordType' }, recordType }
  }
  if (!upload) return { ok: false, status: 400, field: 'file', error: { key: 'importPages.error.noFile' }, recordType }
  if (upload.bytes === 0) {
    await discard()
    return { ok: false, status: 400, field: 'file', error: { key: 'importPages.error.emptyFile' }, recordType }
  }
  const reason = (fields.get('reason') ?? '').trim().slice(0, 500) || null
  const batchId = await createUpload(db, viewer, { recordCode: recordType, upload, replace: fields.get('replace') === 'on', reason })
  return { ok: true, batchId }
}
