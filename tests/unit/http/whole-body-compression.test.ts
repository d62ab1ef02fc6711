import http from 'node:http'
import type { AddressInfo } from 'node:net'
import zlib from 'node:zlib'
import compression from 'compression'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compressWholeBodies, preferredEncoding } from '#app/utils/whole-body-compression.server.ts'

// Pages are compressed whole and sent in one write with their length (decision 080); whatever
// the middleware does not collect behaves as under the `compression` middleware alone.

const limit = 64 * 1024
/** Text that compresses like a page: words from a small vocabulary, not one byte repeated. */
function pageText(bytes: number, seed: number): string {
  const words = ['<td class="num">', '</td>', '郑州', 'outlet', '12.5', '<tr>', '</tr>', '纸箱', 'kg CO₂e', '  ']
  let x = seed
  let text = '<!DOCTYPE html><html><body>'
  while (Buffer.byteLength(text) < bytes) {
    x = (x * 1103515245 + 12345) % 2147483648
    text += words[x % words.length] + String(x % 97)
  }
  return text
}
const page = pageText(40_000, 1)
const big = pageText(300_000, 2)
const small = '<!DOCTYPE html><p>ok</p>'
const csv = 'a,b\n' + '1,2\n'.repeat(60_000)

/** Writes as Remix's adapter does: many small chunks, flushing after each. */
function writeInChunks(res: express.Response, text: string, chunk = 997) {
  const bytes = Buffer.from(text)
  for (let at = 0; at < bytes.length; at += chunk) {
    res.write(bytes.subarray(at, at + chunk))
    ;(res as unknown as { flush?: () => void }).flush?.()
  }
  res.end()
}

function makeApp(whole: boolean) {
  const app = express()
  app.use(compression())
  if (whole) app.use(compressWholeBodies(limit))
  app.get('/page', (_req, res) => {
    res.status(200).setHeader('Content-Type', 'text/html; charset=utf-8')
    writeInChunks(res, page)
  })
  const serve = (type: string, body: string) => (_req: express.Request, res: express.Response) => {
    res.setHeader('Content-Type', type)
    writeInChunks(res, body)
  }
  app.get('/big', serve('text/html; charset=utf-8', big))
  app.get('/small', serve('text/html; charset=utf-8', small))
  app.get('/csv', serve('text/csv; charset=utf-8', csv))
  app.get('/no-transform', (_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.setHeader('Cache-Control', 'private, no-transform')
    writeInChunks(res, page)
  })
  app.get('/not-modified', (_req, res) => {
    res.status(304).setHeader('Content-Type', 'text/html; charset=utf-8')
    res.end()
  })
  app.get('/sent', (_req, res) => res.type('html').send(page))
  return app
}

const servers: http.Server[] = []
let wholeUrl = ''
let plainUrl = ''
const listen = (app: express.Express) =>
  new Promise<string>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
    servers.push(server)
  })
beforeAll(async () => {
  wholeUrl = await listen(makeApp(true))
  plainUrl = await listen(makeApp(false))
})
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))))

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  raw: Buffer
  text: string
  /** How many pieces the body arrived in. */
  pieces: number
}

function get(url: string, acceptEncoding: string | null, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding }
    const req = http.request(url, { method, headers }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (part: Buffer) => parts.push(part))
      res.on('end', () => {
        const raw = Buffer.concat(parts)
        const encoding = res.headers['content-encoding']
        const decoded = encoding === 'br' ? zlib.brotliDecompressSync(raw) : encoding === 'gzip' ? zlib.gunzipSync(raw) : raw
        resolve({ status: res.statusCode!, headers: res.headers, raw, text: decoded.toString(), pieces: parts.length })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('preferredEncoding', () => {
  it('prefers brotli, then gzip, honouring weights and *', () => {
    expect(preferredEncoding('gzip, deflate, br')).toBe('br')
    expect(preferredEncoding('gzip, deflate')).toBe('gzip')
    expect(preferredEncoding('br;q=0, gzip')).toBe('gzip')
    expect(preferredEncoding('br;q=0.5, gzip;q=0.8')).toBe('gzip')
    expect(preferredEncoding('*')).toBe('br')
    expect(preferredEncoding('*;q=0, gzip')).toBe('gzip')
    expect(preferredEncoding('deflate')).toBeUndefined()
    expect(preferredEncoding('identity')).toBeUndefined()
    expect(preferredEncoding('')).toBeUndefined()
    expect(preferredEncoding(undefined)).toBeUndefined()
  })
})

describe('pages compressed whole', () => {
  it('sends a page written in many flushed chunks compressed once, with its length, decompressing to the same bytes', async () => {
    const whole = await get(`${wholeUrl}/page`, 'gzip, deflate, br')
    const plain = await get(`${plainUrl}/page`, 'gzip, deflate, br')
    expect(whole.status).toBe(200)
    expect(whole.headers['content-encoding']).toBe('br')
    expect(whole.headers['content-length']).toBe(String(whole.raw.length))
    expect(whole.headers['transfer-encoding']).toBeUndefined()
    expect(whole.headers.vary).toBe('Accept-Encoding')
    expect(whole.text).toBe(page)
    expect(plain.text).toBe(page)
    // One compressor call instead of a flush per chunk: smaller too.
    expect(whole.raw.length).toBeLessThan(plain.raw.length)
    expect(plain.headers['transfer-encoding']).toBe('chunked')
  })

  it('compresses a page sent in one piece (res.send) the same way, in place of its uncompressed length', async () => {
    const answer = await get(`${wholeUrl}/sent`, 'gzip, deflate, br')
    expect(answer.headers['content-encoding']).toBe('br')
    expect(answer.headers['content-length']).toBe(String(answer.raw.length))
    expect(answer.text).toBe(page)
  })

  it('uses gzip for a browser without brotli, and sends the page as it is to one that accepts neither', async () => {
    const gzip = await get(`${wholeUrl}/page`, 'gzip, deflate')
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(gzip.headers['content-length']).toBe(String(gzip.raw.length))
    expect(gzip.text).toBe(page)
    const none = await get(`${wholeUrl}/page`, null)
    const plainNone = await get(`${plainUrl}/page`, null)
    expect(none.headers['content-encoding']).toBe(plainNone.headers['content-encoding'])
    expect(none.raw.toString()).toBe(page)
    const identity = await get(`${wholeUrl}/page`, 'identity')
    expect(identity.headers['content-encoding']).toBeUndefined()
    expect(identity.raw.toString()).toBe(page)
  })

  it('streams a body past the bound through compression, as before', async () => {
    const whole = await get(`${wholeUrl}/big`, 'gzip, deflate, br')
    expect(whole.headers['content-encoding']).toBe('br')
    expect(whole.headers['transfer-encoding']).toBe('chunked')
    expect(whole.headers['content-length']).toBeUndefined()
    expect(whole.text).toBe(big)
  })

  it('sends a page under 1 KB as it is, with its length (compression alone would have compressed it, chunk by chunk)', async () => {
    const answer = await get(`${wholeUrl}/small`, 'gzip, deflate, br')
    expect(answer.headers['content-encoding']).toBeUndefined()
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(small)))
    expect(answer.headers.vary).toBe('Accept-Encoding')
    expect(answer.raw.toString()).toBe(small)
  })

  it('leaves CSV, HEAD, 304, no-transform and sent bodies as compression alone leaves them', async () => {
    for (const [path, method] of [
      ['/csv', 'GET'],
      ['/page', 'HEAD'],
      ['/not-modified', 'GET'],
      ['/no-transform', 'GET'],
    ] as const) {
      const whole = await get(`${wholeUrl}${path}`, 'gzip, deflate, br', method)
      const plain = await get(`${plainUrl}${path}`, 'gzip, deflate, br', method)
      const { date: _d1, etag: _e1, ...wholeHeaders } = whole.headers
      const { date: _d2, etag: _e2, ...plainHeaders } = plain.headers
      expect(whole.status, path).toBe(plain.status)
      expect(wholeHeaders, `${method} ${path}`).toEqual(plainHeaders)
      expect(whole.text, path).toBe(plain.text)
    }
    const csvAnswer = await get(`${wholeUrl}/csv`, 'br')
    expect(csvAnswer.headers['transfer-encoding']).toBe('chunked')
    expect(csvAnswer.text).toBe(csv)
    const head = await get(`${wholeUrl}/page`, 'br', 'HEAD')
    expect(head.raw.length).toBe(0)
    expect(head.headers['content-encoding']).toBeUndefined()
  })
})
