/**
 * A streaming reader of multipart/form-data request bodies, for the CSV
 * upload. Remix's parser threw plain errors for a file name holding `;` or `=`
 * and for malformed bodies (they became 500s), and counted no bytes; this one
 * counts every byte as it arrives, stops at the limit, hands file data to a
 * sink as it comes (waiting for the sink, so a slow disk or database holds the
 * socket, not memory) and throws only `MultipartError`, whose `status` the
 * route answers with.
 *
 * Memory: the bytes of one incoming chunk plus a boundary's length; a field
 * (not a file) up to `maxFieldBytes`; a part's headers up to 16 KB.
 */

export type MultipartFailure =
  | 'not_multipart'
  | 'too_large'
  | 'malformed'
  | 'field_too_large'
  | 'too_many_parts'

export class MultipartError extends Error {
  constructor(
    readonly code: MultipartFailure,
    detail: string,
  ) {
    super(detail)
    this.name = 'MultipartError'
  }

  /** 413 for a body or field over its limit, 400 for everything else. */
  get status(): number {
    return this.code === 'too_large' || this.code === 'field_too_large' ? 413 : 400
  }
}

export interface MultipartLimits {
  /** The whole body, every part and boundary counted. */
  maxBodyBytes: number
  /** One field that is not a file. */
  maxFieldBytes: number
  maxParts: number
}

/** Where a file part's bytes go. `write` may be slow: reading waits for it. */
export interface FileSink {
  write(chunk: Uint8Array): Promise<void>
  end(): Promise<void>
  /** The body failed after the part began: drop what was written. Never throws. */
  abort(): Promise<void>
}

export interface MultipartHandlers {
  /** A file part: return a sink for its bytes, or null to discard them. */
  onFile(name: string, fileName: string): Promise<FileSink | null>
  onField(name: string, value: string): void
}

/** The boundary of a multipart/form-data content type, or a MultipartError. */
export function boundaryOf(contentType: string | null): string {
  const match = /^\s*multipart\/form-data\s*(?:;(.*))?$/i.exec(contentType ?? '')
  if (!match) throw new MultipartError('not_multipart', 'content type is not multipart/form-data')
  const boundary = headerParams(match[1] ?? '').get('boundary')
  // RFC 2046: 1 to 70 characters.
  if (!boundary || boundary.length > 70) throw new MultipartError('malformed', 'no usable boundary')
  return boundary
}

/**
 * Parameters of a header value after its first token, `; a=b; c="d;e=f"`:
 * quoted strings may hold `;`, `=` and backslash escapes. Names lower-cased.
 */
export function headerParams(text: string): Map<string, string> {
  const params = new Map<string, string>()
  let i = 0
  const n = text.length
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++
  }
  while (i < n) {
    skipSpace()
    if (text[i] === ';') {
      i++
      continue
    }
    let name = ''
    while (i < n && text[i] !== '=' && text[i] !== ';') name += text[i++]
    name = name.trim().toLowerCase()
    if (text[i] !== '=') {
      // a bare token (the disposition type, or junk): no value
      continue
    }
    i++
    skipSpace()
    let value = ''
    if (text[i] === '"') {
      i++
      let closed = false
      while (i < n) {
        const c = text[i++]!
        if (c === '\\' && i < n) value += text[i++]
        else if (c === '"') {
          closed = true
          break
        } else value += c
      }
      if (!closed) throw new MultipartError('malformed', 'unclosed quoted string in a header')
    } else {
      while (i < n && text[i] !== ';') value += text[i++]
      value = value.trim()
    }
    if (name && !params.has(name)) params.set(name, value)
  }
  return params
}

/** RFC 5987 `filename*=UTF-8''…`; null when not in that form. */
function extendedValue(value: string): string | null {
  const match = /^utf-8'[^']*'(.*)$/i.exec(value)
  if (!match) return null
  try {
    return decodeURIComponent(match[1]!)
  } catch {
    return null
  }
}

interface PartHeaders {
  name: string
  fileName: string | null
}

const utf8 = new TextDecoder('utf-8')

function parsePartHeaders(block: Uint8Array): PartHeaders {
  const text = utf8.decode(block)
  let disposition: string | null = null
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new MultipartError('malformed', 'a part header without a name')
    if (line.slice(0, colon).trim().toLowerCase() === 'content-disposition') disposition = line.slice(colon + 1)
  }
  if (disposition === null) throw new MultipartError('malformed', 'a part without Content-Disposition')
  const semicolon = disposition.indexOf(';')
  const type = (semicolon === -1 ? disposition : disposition.slice(0, semicolon)).trim().toLowerCase()
  if (type !== 'form-data') throw new MultipartError('malformed', 'a part that is not form-data')
  const params = headerParams(semicolon === -1 ? '' : disposition.slice(semicolon + 1))
  const name = params.get('name')
  if (name === undefined) throw new MultipartError('malformed', 'a part without a name')
  const extended = params.has('filename*') ? extendedValue(params.get('filename*')!) : null
  const fileName = extended ?? params.get('filename') ?? null
  return { name, fileName }
}

const crlf = Buffer.from('\r\n')
const headerEnd = Buffer.from('\r\n\r\n')
const maxHeaderBytes = 16 * 1024

type State = 'preamble' | 'headers' | 'body' | 'after-boundary' | 'done'

/**
 * Read a multipart body to its end, calling the handlers part by part. Throws
 * MultipartError for a body over its limit or not well formed (after aborting
 * the sink of a file part in progress); errors of a sink or the body stream
 * pass through.
 */
export async function readMultipart(
  body: AsyncIterable<Uint8Array> | null,
  contentType: string | null,
  limits: MultipartLimits,
  handlers: MultipartHandlers,
): Promise<void> {
  const boundary = boundaryOf(contentType)
  if (!body) throw new MultipartError('malformed', 'no body')
  // The body is read as if it began with CRLF, so that the first boundary is found like the others.
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  let buffer: Buffer = Buffer.from(crlf)
  let state = 'preamble' as State
  let received = 0
  let parts = 0
  let sink: FileSink | null = null
  let field: { name: string; chunks: Buffer[]; bytes: number } | null = null

  const emit = async (data: Buffer) => {
    if (data.length === 0) return
    if (sink) await sink.write(data)
    else if (field) {
      field.bytes += data.length
      if (field.bytes > limits.maxFieldBytes) throw new MultipartError('field_too_large', `field ${field.name} over ${limits.maxFieldBytes} bytes`)
      field.chunks.push(Buffer.from(data))
    }
    // else: a file part nobody wants, dropped
  }

  const endPart = async () => {
    if (sink) {
      const done = sink
      sink = null
      await done.end()
    } else if (field) {
      handlers.onField(field.name, utf8.decode(Buffer.concat(field.chunks)))
      field = null
    }
  }

  /** Consume what the buffer holds; returns when more bytes are needed. */
  const step = async (final: boolean) => {
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = buffer.indexOf(delimiter)
        if (at === -1) {
          // Keep what could be the start of a delimiter split between chunks.
          const keep = Math.min(buffer.length, delimiter.length - 1)
          if (state === 'body') await emit(buffer.subarray(0, buffer.length - keep))
          buffer = buffer.subarray(buffer.length - keep)
          return
        }
        if (state === 'body') {
          await emit(buffer.subarray(0, at))
          await endPart()
        }
        buffer = buffer.subarray(at + delimiter.length)
        state = 'after-boundary'
      }
      if (state === 'after-boundary') {
        if (buffer.length < 2) return
        if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
          state = 'done'
          return
        }
        // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
        let i = 0
        while (i < buffer.length && (buffer[i] === 0x20 || buffer[i] === 0x09)) i++
        if (i + 2 > buffer.length) {
          if (buffer.length > 256) throw new MultipartError('malformed', 'junk after a boundary')
          return
        }
        if (buffer[i] !== 0x0d || buffer[i + 1] !== 0x0a) throw new MultipartError('malformed', 'junk after a boundary')
        buffer = buffer.subarray(i + 2)
        state = 'headers'
      }
      if (state === 'headers') {
        // A part with no headers at all begins with the blank line directly.
        const at = buffer.length >= 2 && buffer[0] === 0x0d && buffer[1] === 0x0a ? -2 : buffer.indexOf(headerEnd)
        if (at === -1) {
          if (buffer.length > maxHeaderBytes) throw new MultipartError('malformed', 'part headers too long')
          return
        }
        if (at === -2) throw new MultipartError('malformed', 'a part without Content-Disposition')
        const headers = parsePartHeaders(buffer.subarray(0, at))
        buffer = buffer.subarray(at + headerEnd.length)
        parts++
        if (parts > limits.maxParts) throw new MultipartError('too_many_parts', `more than ${limits.maxParts} parts`)
        if (headers.fileName !== null) {
          sink = await handlers.onFile(headers.name, headers.fileName)
        } else {
          field = { name: headers.name, chunks: [], bytes: 0 }
        }
        state = 'body'
      }
      if (state === 'done') return
      if (final && buffer.length === 0) return
    }
  }

  try {
    for await (const chunk of body) {
      received += chunk.length
      if (received > limits.maxBodyBytes) throw new MultipartError('too_large', `body over ${limits.maxBodyBytes} bytes`)
      if (state === 'done') continue // the epilogue: counted, ignored
      buffer = buffer.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([buffer, chunk])
      await step(false)
    }
    if (state !== 'done') await step(true)
    if (state !== 'done') throw new MultipartError('malformed', 'the body ended before its closing boundary')
  } catch (error) {
    const open = sink as FileSink | null
    sink = null
    if (open) await open.abort()
    throw error
  }
}
