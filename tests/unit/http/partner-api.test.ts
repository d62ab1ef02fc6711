import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { matchPartnerEndpoint, partnerApi, partnerEndpoints } from '#app/services/partner-http.server.ts'
import { BodyTooLarge, readBoundedNodeBody } from '#app/utils/body.server.ts'

// The partner API's handler before Remix (server.ts): which requests it takes,
// and its bounded body, on a real Node server. What it answers past the body is
// the services' (tests/db/credits-api.test.ts, tests/db/footprints.test.ts).

describe('matchPartnerEndpoint', () => {
  it('names the endpoint of each partner path, the query string aside', () => {
    expect(matchPartnerEndpoint('/api/partner/v1/green-actions')?.endpoint).toBe(partnerEndpoints.greenActions)
    expect(matchPartnerEndpoint('/api/partner/v1/footprints')?.endpoint).toBe(partnerEndpoints.footprints)
    expect(matchPartnerEndpoint('/api/partner/v1/intensities')?.endpoint).toBe(partnerEndpoints.intensities)
    expect(matchPartnerEndpoint('/api/partner/v1/footprints/fpb%2042')).toEqual({ endpoint: partnerEndpoints.footprintBatch, params: { batchId: 'fpb 42' } })
  })
  it('leaves every other path to Remix', () => {
    expect(matchPartnerEndpoint('/api/partner/v1/green-actions/')).toBeUndefined()
    expect(matchPartnerEndpoint('/api/partner/v1/footprints/a/b')).toBeUndefined()
    expect(matchPartnerEndpoint('/api/partner/v1/footprints/%E0')).toBeUndefined()
    expect(matchPartnerEndpoint('/login')).toBeUndefined()
  })
})

let server: http.Server
let base: string
const bodies: (Uint8Array | string)[] = []
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/read-8') {
      readBoundedNodeBody(req, 8).then(
        (body) => {
          bodies.push(body)
          res.end(`read ${body.byteLength}`)
        },
        (error: unknown) => {
          bodies.push(error instanceof BodyTooLarge ? 'too large' : String(error))
          res.writeHead(413, { Connection: 'close' }).end('too large')
        },
      )
      return
    }
    partnerApi(req, res, () => res.writeHead(404).end('passed on'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

describe('partnerApi', () => {
  it('passes on a method its endpoint does not take, and any other path', async () => {
    expect(await (await fetch(`${base}/api/partner/v1/green-actions`)).text()).toBe('passed on')
    expect(await (await fetch(`${base}/api/partner/v1/intensities`, { method: 'POST', body: '{}' })).text()).toBe('passed on')
    expect(await (await fetch(`${base}/reports`)).text()).toBe('passed on')
  })
  it('refuses a declared body over the bound with 413 in the API envelope, unread, and closes the connection', async () => {
    const res = await fetch(`${base}/api/partner/v1/green-actions`, { method: 'POST', body: 'x'.repeat(16 * 1024 + 1) })
    expect(res.status).toBe(413)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('connection')).toBe('close')
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large')
  })
  it('refuses any body sent to a GET endpoint', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${base}/api/partner/v1/intensities`, { method: 'GET', headers: { 'Content-Length': '2' } }, resolve)
      req.on('error', reject)
      req.end('{}')
    })
    expect(res.statusCode).toBe(413)
    res.resume()
  })
})

describe('readBoundedNodeBody', () => {
  it('reads a chunked body within the bound whole', async () => {
    const res = await fetch(`${base}/read-8`, { method: 'POST', body: new Blob(['1234', '5678']).stream(), duplex: 'half' } as RequestInit)
    expect(await res.text()).toBe('read 8')
  })
  it('stops at the bound of a chunked body', async () => {
    bodies.length = 0
    const res = await fetch(`${base}/read-8`, { method: 'POST', body: new Blob(['123456789']).stream(), duplex: 'half' } as RequestInit)
    expect(res.status).toBe(413)
    expect(bodies).toEqual(['too large'])
  })
})
