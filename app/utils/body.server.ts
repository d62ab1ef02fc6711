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

/**
 * The request body, at most `maxBytes` of it, or BodyTooLarge. A declared
 * Content-Length past the bound is refused before a byte is read; a chunked
 * body is counted as it comes, and reading stops at the bound. The rest is
 * neither read here nor cancelled (cancelling would destroy the socket before
 * the answer is written): the server's lingering close drops it after the
 * answer (app/utils/lingering-close.server.ts).
 */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get('Content-Length')
  if (declared !== null && Number(declared) > maxBytes) throw new BodyTooLarge(maxBytes)
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      reader.releaseLock()
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
