import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { createFileFingerprint } from '#app/domain/csv/fingerprint.ts'
import { env } from '#app/utils/env.server.ts'

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

/** Delete a stored upload (its rejected rows stay: they are still offered for download). */
export async function removeStoredUpload(storedName: string): Promise<void> {
  await rm(storedPath(storedName), { force: true })
}
