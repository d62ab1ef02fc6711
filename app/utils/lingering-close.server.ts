import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * The one way an answer given before its request's body has all arrived (a 413
 * past a bound, a 404, a redirect to sign in) ends its connection: a lingering
 * close, as web servers have long done it.
 *
 * Closing a socket while the client's bytes are still arriving makes the kernel
 * answer them with a reset, and a reset can destroy the answer before the
 * client reads it: the client sees a broken connection instead of the 413.
 * So the answer says `Connection: close`, the server half-closes after it (its
 * FIN follows the answer), and reads and throws away whatever the client still
 * sends, one chunk at a time, until the client stops or `maxMs` have passed.
 * Past `maxBytes` it stops reading (the client's writes then wait on a full
 * window, which gives it the time to read the answer) and destroys the socket
 * `graceMs` later. Memory stays at one chunk whatever the client sends; a
 * client that ignores the answer and keeps sending is cut off.
 *
 * Readers of bodies (app/utils/body.server.ts, the upload reader) therefore only
 * stop reading at their bound; none of them cancels the body, which would
 * destroy the socket before the answer is written.
 */
export interface LingerBounds {
  /** Bytes read and dropped after the answer; past them reading stops. */
  maxBytes: number
  /** How long the connection is held after the answer, at most. */
  maxMs: number
  /** Once maxBytes are dropped, how long the connection is still held, unread, before it is destroyed. */
  graceMs: number
}

export const lingerBounds: LingerBounds = { maxBytes: 16 * 1024 * 1024, maxMs: 10_000, graceMs: 2_000 }

export function lingerOnEarlyAnswer(req: IncomingMessage, res: ServerResponse, bounds: LingerBounds = lingerBounds): void {
  const writeHead = res.writeHead
  let lingering = false
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    if (!req.complete && !lingering) {
      lingering = true
      this.setHeader('Connection', 'close')
      const socket = req.socket
      // Node ends a `Connection: close` response with socket.destroySoon(): end, then
      // destroy as soon as the answer is flushed, under the client's unread bytes.
      // For this socket only, end it and leave the destroying to the linger below.
      socket.destroySoon = function (this: typeof socket) {
        this.end()
      }
      this.once('finish', () => linger(req, bounds))
      this.once('close', () => {
        // The answer never finished (the client went away): nothing to linger for.
        if (!this.writableFinished) socket.destroy()
      })
    }
    return writeHead.apply(this, args) as ServerResponse
  } as ServerResponse['writeHead']
}

function linger(req: IncomingMessage, bounds: LingerBounds): void {
  const socket = req.socket
  if (socket.destroyed) return
  let discarded = 0
  const done = () => {
    clearTimeout(timer)
    socket.destroy()
  }
  let timer = setTimeout(done, bounds.maxMs)
  timer.unref()
  // Whatever was reading the body (the web stream handed to the route) stops being fed.
  req.removeAllListeners('data')
  req.removeAllListeners('readable')
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.byteLength
    if (discarded > bounds.maxBytes && !req.isPaused()) {
      req.pause()
      clearTimeout(timer)
      timer = setTimeout(done, bounds.graceMs)
      timer.unref()
    }
  })
  req.once('end', done)
  req.once('error', done)
  socket.once('end', done)
  socket.once('close', () => clearTimeout(timer))
  req.resume()
}
