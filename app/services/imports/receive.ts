import { rm } from 'node:fs/promises'
import type { Kysely } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { isRecordCode } from '#app/domain/activity/definitions.ts'
import type { Message } from '#app/i18n/index.ts'
import type { Database } from '#db/schema.ts'
import { assertWriter } from '../activity.server.ts'
import { createUpload } from './jobs.ts'
import { maxUploadBytes, storedPath, storeUpload, UploadTooLarge, type StoredUpload } from './uploads.ts'

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
