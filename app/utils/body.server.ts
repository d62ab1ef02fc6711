/**
 * Request bodies read with a bound: every byte counted as it arrives, reading
 * stopped at the bound, so no body, declared or chunked, holds more memory
 * than its entry point allows (docs/decisions/076-bounded-reads.md).
 */

/** A body past its entry point's bound. Carries the bound for the message. */
export class BodyTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`request body over ${maxBytes} bytes`)
    this.name = 'BodyTooLarge'
  }
}

/** What may be read and thrown away after the bound, so that the client can still read the 413 before the connection closes. */
const lingerBytes = 1024 * 1024

/**
 * The request body, at most `maxBytes` of it, or BodyTooLarge. A declared
 * Content-Length past the bound is refused before a byte is read; a chunked
 * body is counted as it comes. Past the bound the rest is read and discarded,
 * up to a further megabyte, and then the stream is cancelled: a client that
 * is still sending would otherwise meet a reset connection instead of the
 * answer, and one that keeps sending is cut off.
 */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get('Content-Length')
  if (declared !== null && Number(declared) > maxBytes) {
    discard(request.body)
    throw new BodyTooLarge(maxBytes)
  }
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      void linger(reader)
      throw new BodyTooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

function discard(body: ReadableStream<Uint8Array> | null): void {
  if (!body) return
  try {
    void linger(body.getReader())
  } catch {
    // Already locked or read: its reader owns it.
  }
}

async function linger(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let thrownAway = 0
  try {
    while (thrownAway <= lingerBytes) {
      const { done, value } = await reader.read()
      if (done) return
      thrownAway += value.byteLength
    }
    await reader.cancel()
  } catch {
    // The client went away: nothing left to read.
  }
}
