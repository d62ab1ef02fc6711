import zlib from 'node:zlib'
import type { RequestHandler, Response } from 'express'

/** Bodies up to this size are collected and compressed in one call; a larger one streams. */
export const wholeBodyLimit = 256 * 1024

export type WholeBodyEncoding = 'br' | 'gzip'

/**
 * The encoding a page is sent in, from the request's Accept-Encoding: brotli, else gzip, each
 * only when accepted with a weight above zero (by name or by `*`). Anything else is left to the
 * `compression` middleware behind this one, which then sends the body as it comes.
 */
export function preferredEncoding(acceptEncoding: string | undefined): WholeBodyEncoding | undefined {
  if (!acceptEncoding) return undefined
  const weights = new Map<string, number>()
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    let q = 1
    for (const param of params) {
      const [key, value] = param.trim().split('=')
      if (key === 'q') q = Number(value)
    }
    weights.set(name, Number.isFinite(q) ? q : 0)
  }
  const weightOf = (name: string) => weights.get(name) ?? weights.get('*') ?? 0
  const br = weightOf('br')
  const gzip = weightOf('gzip')
  if (br > 0 && br >= gzip) return 'br'
  if (gzip > 0) return 'gzip'
  return undefined
}

/** What the page's body is compressed with: brotli at the `compression` middleware's quality, or gzip at zlib's default level. */
function compress(body: Buffer, encoding: WholeBodyEncoding, done: (error: Error | null, result: Buffer) => void): void {
  if (encoding === 'br') {
    zlib.brotliCompress(
      body,
      {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      },
      done,
    )
  } else {
    zlib.gzip(body, done)
  }
}

/** Only a page (HTML) with a body, not yet sent or encoded, that may be transformed. */
function collectable(res: Response): boolean {
  if (res.headersSent) return false
  const status = res.statusCode
  if (status < 200 || status === 204 || status === 205 || status === 304) return false
  if (!/^\s*text\/html\b/i.test(String(res.getHeader('Content-Type') ?? ''))) return false
  if (res.getHeader('Content-Encoding') !== undefined) return false
  return !/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(res.getHeader('Cache-Control') ?? ''))
}

const threshold = 1024

/**
 * Pages compressed once, whole. React's stream hands a page to the response in many small
 * chunks, and Remix flushes the response after each (`res.flush`): behind the `compression`
 * middleware every chunk became a compressor flush and a socket write of its own. This
 * middleware, mounted after `compression()`, collects an HTML body up to `limit` bytes, compresses
 * it in one call off the main thread and sends it in one write with its Content-Length. The
 * `compression` middleware then sees the body already encoded and passes it through; it still
 * compresses everything else (a HEAD, a body past the limit, CSV exports and other types, as they
 * stream), and adds `Vary: Accept-Encoding` as before.
 */
export function compressWholeBodies(limit = wholeBodyLimit): RequestHandler {
  return (req, res, next) => {
    const encoding = req.method === 'HEAD' ? undefined : preferredEncoding(req.headers['accept-encoding'])
    if (!encoding) return next()

    const write = res.write
    const end = res.end
    const writeOn = write as (this: Response, ...args: unknown[]) => boolean
    const endOn = end as (this: Response, ...args: unknown[]) => Response
    const flush = (res as { flush?: () => void }).flush
    let state: 'undecided' | 'collecting' | 'passing' = 'undecided'
    let chunks: Buffer[] = []
    let size = 0

    const restore = () => {
      res.write = write
      res.end = end
      ;(res as { flush?: () => void }).flush = flush
    }
    const decide = () => {
      if (state !== 'undecided') return
      state = collectable(res) ? 'collecting' : 'passing'
      if (state === 'passing') restore()
    }
    const toBuffer = (chunk: unknown, chunkEncoding: unknown): Buffer =>
      Buffer.isBuffer(chunk)
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
          : Buffer.from(String(chunk), typeof chunkEncoding === 'string' ? (chunkEncoding as BufferEncoding) : 'utf8')
    const callbackOf = (args: unknown[]) => args.find((a): a is () => void => typeof a === 'function')

    ;(res as { flush?: () => void }).flush = () => {
      // Nothing to flush while collecting; once passing, this function has been replaced.
    }

    res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
      decide()
      if (state === 'passing') return writeOn.call(this, chunk, ...rest)
      const buffer = toBuffer(chunk, rest[0])
      chunks.push(buffer)
      size += buffer.length
      const callback = callbackOf(rest)
      if (size > limit) {
        // Past the bound: the body streams as it did before, through `compression`.
        state = 'passing'
        restore()
        const collected = chunks
        chunks = []
        let ok = true
        for (const piece of collected) ok = writeOn.call(this, piece) && ok
        if (callback) process.nextTick(callback)
        return ok
      }
      if (callback) process.nextTick(callback)
      return true
    } as Response['write']

    res.end = function (this: Response, ...args: unknown[]) {
      decide()
      if (state === 'passing') return endOn.apply(this, args)
      const callback = callbackOf(args)
      const [chunk, chunkEncoding] = args
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
        const buffer = toBuffer(chunk, chunkEncoding)
        chunks.push(buffer)
        size += buffer.length
      }
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
      chunks = []
      state = 'passing'
      restore()
      if (body.length < threshold) {
        this.setHeader('Content-Length', body.length)
        endOn.call(this, body, callback)
        return this
      }
      compress(body, encoding, (error, compressed) => {
        if (this.destroyed) return
        if (error) {
          endOn.call(this, body, callback)
          return
        }
        this.setHeader('Content-Encoding', encoding)
        this.setHeader('Content-Length', compressed.length)
        this.vary('Accept-Encoding')
        endOn.call(this, compressed, callback)
      })
      return this
    } as Response['end']

    next()
  }
}
