import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { lingerOnEarlyAnswer } from '#app/utils/lingering-close.server.ts'

// An answer sent before the body has arrived must reach the client, whose
// connection is then closed: never a reset in place of the answer, never the
// whole body held in memory.

let server: http.Server | undefined
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

function listen(bounds?: { maxBytes: number; maxMs: number; graceMs: number }): Promise<string> {
  server = http.createServer((req, res) => {
    lingerOnEarlyAnswer(req, res, bounds)
    // Read one chunk of the body, then answer without reading the rest.
    req.once('data', () => {
      req.pause()
      res.writeHead(413, { 'Content-Type': 'text/plain' })
      res.end('too large')
    })
  })
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`)))
}

/** Streams `total` bytes chunked; stops sending once answered (as a browser does). */
function stream(url: string, total: number, stopWhenAnswered = true) {
  return new Promise<{ status: number; body: string; connection?: string; sent: number; reset: boolean }>((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x41)
    let sent = 0
    let answered = false
    const req = http.request(url, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
      answered = true
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (text: string) => (body += text))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection, sent, reset: false }))
    })
    req.on('error', () => {
      if (!answered) resolve({ status: 0, body: '', sent, reset: true })
    })
    const pump = () => {
      while ((!stopWhenAnswered || !answered) && sent < total) {
        sent += chunk.byteLength
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

describe('lingering close', () => {
  it('delivers a 413 sent after the first chunk of a 64 MB body, then closes the connection', async () => {
    const url = await listen()
    for (let i = 0; i < 5; i++) {
      const answer = await stream(url, 64 * 1024 * 1024)
      expect(answer).toMatchObject({ status: 413, body: 'too large', connection: 'close', reset: false })
      expect(answer.sent).toBeLessThan(64 * 1024 * 1024)
    }
  })

  it('cuts off a client that keeps sending past the bound', async () => {
    const url = await listen({ maxBytes: 1024 * 1024, maxMs: 10_000, graceMs: 200 })
    const closed = await new Promise<number>((resolve) => {
      const chunk = Buffer.alloc(64 * 1024, 0x41)
      let sent = 0
      const req = http.request(url, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => res.resume())
      req.on('error', () => resolve(sent))
      req.on('close', () => resolve(sent))
      const pump = () => {
        while (sent < 256 * 1024 * 1024) {
          sent += chunk.byteLength
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
    })
    // Cut off long before the 256 MB were sent: the bound (1 MB) plus what the sockets buffer.
    expect(closed).toBeLessThan(64 * 1024 * 1024)
  })
})
