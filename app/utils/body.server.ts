import type { IncomingMessage } from 'node:http'

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

/**
 * readBoundedBody for a request read straight from Node (the partner API's
 * handler before Remix, app/services/partner-http.server.ts): the same bound,
 * the same refusals. Past the bound the stream is paused and left to the
 * server's lingering close, never destroyed here.
 */
export function readBoundedNodeBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(new BodyTooLarge(maxBytes))
  if (req.complete && req.readableLength === 0) return Promise.resolve(new Uint8Array(0))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stop = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onAborted)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > maxBytes) {
        stop()
        req.pause()
        reject(new BodyTooLarge(maxBytes))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      stop()
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    }
    const onError = (error: Error) => {
      stop()
      reject(error)
    }
    const onAborted = () => onError(new Error('the client closed the connection before its body was read'))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onAborted)
  })
}
