import { createReadStream } from 'node:fs'
import { CsvDecodeError, decodeFailureIssue, type CsvDecoder } from '#app/domain/csv/encoding.ts'
import { createFileFingerprint } from '#app/domain/csv/fingerprint.ts'
import type { FileIssue } from '#app/domain/csv/header.ts'
import type { ImportSource } from './types.ts'

// Stage 1 of the pipeline: bytes in, text out. The encoding is decided by the
// CSV core's decoder (app/domain/csv/encoding.ts); this stage feeds it the
// file 64 KB at a time and turns its refusals into a file issue.

const readBytes = 65_536

/** The file's bytes, 64 KB at a time, from disk or memory. */
export async function* bytesOf(source: ImportSource): AsyncIterable<Uint8Array> {
  if ('bytes' in source) {
    for (let i = 0; i < source.bytes.length; i += readBytes) yield source.bytes.subarray(i, i + readBytes)
    return
  }
  for await (const chunk of createReadStream(source.path, { highWaterMark: readBytes })) yield chunk as Buffer
}

/** The file's fingerprint (what "this exact file was imported before" compares). */
export async function sha256Of(source: ImportSource): Promise<string> {
  const hash = createFileFingerprint()
  for await (const chunk of bytesOf(source)) hash.update(chunk)
  return hash.digest()
}

export type Decoded = { ok: true; text: string } | { ok: false; issue: FileIssue }

/** One chunk through the decoder (or the end of the file, `chunk` null): text, or the file issue that stops the pass. */
export function decodeChunk(decoder: CsvDecoder, chunk: Uint8Array | null): Decoded {
  try {
    return { ok: true, text: chunk === null ? decoder.end() : decoder.push(chunk) }
  } catch (error) {
    if (!(error instanceof CsvDecodeError)) throw error
    return { ok: false, issue: decodeFailureIssue(error) }
  }
}
