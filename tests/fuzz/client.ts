import http from 'node:http'

/** One request the fuzz suite sends. A body given as several chunks goes out chunked (no Content-Length). */
export interface FuzzRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: Buffer | Buffer[] | null
}

export type FuzzAnswer =
  | { ok: true; status: number; headers: http.IncomingHttpHeaders; body: string }
  /** The connection ended without an answer (the server cut off a body past its bound). */
  | { ok: false; error: string }

/**
 * Kept-alive connections to the server under test, as many as the suite has
 * requests in flight: thousands of requests on fresh connections would spend
 * the run on TCP set-up.
 */
export function fuzzClient(baseUrl: string, concurrency: number) {
  const url = new URL(baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  function send(request: FuzzRequest, timeoutMs = 60_000): Promise<FuzzAnswer> {
    return new Promise((resolve) => {
      const headers: Record<string, string | number> = { ...request.headers }
      if (Buffer.isBuffer(request.body)) headers['Content-Length'] = request.body.length
      else if (Array.isArray(request.body)) headers['Transfer-Encoding'] = 'chunked'
      const req = http.request(
        { host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            // Only the start of an answer matters to the suite.
            if (size < 64 * 1024) chunks.push(chunk)
            size += chunk.length
          })
          res.on('end', () => resolve({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
          res.on('error', (error) => resolve({ ok: false, error: error.message }))
        },
      )
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', (error) => resolve({ ok: false, error: error.message }))
      if (Buffer.isBuffer(request.body)) req.end(request.body)
      else if (Array.isArray(request.body)) {
        for (const chunk of request.body) if (chunk.length > 0) req.write(chunk)
        req.end()
      } else req.end()
    })
  }
  return { send, close: () => agent.destroy() }
}

/** Runs `work` over `items` with at most `concurrency` in flight, in order of start. */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      await work(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
