import { randomUUID } from 'node:crypto'
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { createFileFingerprint } from '#app/domain/csv/fingerprint.ts'
import type { Kysely } from 'kysely'
import { env } from '#app/utils/env.server.ts'
import { batchesWithExpiredUploads, forgetStoredUpload } from '#db/models/imports.ts'
import type { Database } from '#db/schema.ts'
import type { FileSink } from './multipart.ts'

// Stored uploads: the file a user sent waits on disk between its preview and
// its commit, beside its rejected rows.

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

/**
 * Where an uploaded file's bytes go: a file in the uploads folder, hashed and
 * counted on the way, written through a file handle whose every failure is a
 * rejected promise (no stream that could emit an unheard 'error' and stop the
 * process). Memory: the chunk being written.
 */
export class UploadFile implements FileSink {
  bytes = 0
  readonly storedName = `${randomUUID()}.csv`
  private readonly hash = createFileFingerprint()
  private handle: FileHandle | null = null

  constructor(readonly fileName: string) {}

  async open(): Promise<this> {
    await mkdir(uploadsDir(), { recursive: true })
    this.handle = await open(storedPath(this.storedName), 'w')
    return this
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.bytes += chunk.length
    if (this.bytes > maxUploadBytes) throw new UploadTooLarge(`upload larger than ${maxUploadBytes} bytes`)
    this.hash.update(chunk)
    await this.handle!.write(chunk)
  }

  async end(): Promise<void> {
    const handle = this.handle
    this.handle = null
    await handle?.close()
  }

  async abort(): Promise<void> {
    const handle = this.handle
    this.handle = null
    await handle?.close().catch(() => {})
    await rm(storedPath(this.storedName), { force: true }).catch(() => {})
  }

  stored(): StoredUpload {
    return { storedName: this.storedName, fileName: path.basename(this.fileName).slice(0, 200) || 'upload.csv', bytes: this.bytes, sha256: this.hash.digest() }
  }
}

/** Stream an uploaded file to the uploads folder, hashing it on the way; never held in memory. */
export async function storeUpload(data: AsyncIterable<Uint8Array>, fileName: string): Promise<StoredUpload> {
  const file = await new UploadFile(fileName).open()
  try {
    for await (const chunk of data) await file.write(chunk)
    await file.end()
  } catch (error) {
    await file.abort()
    throw error
  }
  return file.stored()
}

/** Delete a stored upload (its rejected rows stay: they are still offered for download). */
export async function removeStoredUpload(storedName: string): Promise<void> {
  await rm(storedPath(storedName), { force: true })
}

/**
 * The retention rule: a stored upload and its rejected rows are deleted once
 * its batch was last worked on `retentionHours` ago (a committed upload's file
 * goes at once, after its commit). A batch not committed then says its file is
 * gone. Batches a job is working on are never touched.
 */
export async function sweepExpiredUploads(db: Kysely<Database>, retentionHours = env().IMPORT_UPLOAD_RETENTION_HOURS, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionHours * 3_600_000)
  const expired = await batchesWithExpiredUploads(db, cutoff)
  for (const batch of expired) {
    const stored = batch.stored_name!
    await Promise.all([storedPath(stored), rejectedPathOf(stored), `${rejectedPathOf(stored)}.commit`].map((file) => rm(file, { force: true })))
    await forgetStoredUpload(db, String(batch.id), { key: 'importPages.error.uploadGone' })
  }
  return expired.length
}
