import cluster from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express, { type RequestHandler } from 'express'
import { contentSecurityPolicy, isAllowedMutation, strictTransportSecurity } from '#app/domain/security.ts'
import { lingerOnEarlyAnswer } from '#app/utils/lingering-close.server.ts'
import { onlyUnder } from '#app/utils/static-paths.server.ts'
import { compressWholeBodies } from '#app/utils/whole-body-compression.server.ts'
import { plannedWorkers, supervise, type ListeningMessage } from '#app/utils/supervisor.server.ts'

// The one server for development and production. In production it serves the
// Vite build; in development it mounts Vite's middleware for hot reload.
const development = process.env.NODE_ENV === 'development'

// One process per core on PostgreSQL (app/utils/supervisor.server.ts); the primary only supervises,
// and every worker runs the rest of this file.
const planned = plannedWorkers(process.env, availableParallelism())
if (!planned.ok) {
  console.error(planned.message)
  process.exit(1)
}
// On PostgreSQL the primary supervises even one worker: it replaces a worker that dies, and the
// worker runs without the embedded process's heap cap.
if (cluster.isPrimary && process.env.DATABASE_URL && !development) {
  supervise(planned.workers)
  // Never settles: the primary's event loop is kept alive by its workers, and it exits through supervise().
  await new Promise<never>(() => {})
}

const vite = development
  ? await import('vite').then((v) => v.createServer({ server: { middlewareMode: true } }))
  : undefined

async function loadBuild(): Promise<ServerBuild> {
  if (vite) return (await vite.ssrLoadModule('virtual:remix/server-build')) as ServerBuild
  // From the working folder, like build/client below: server.ts runs as it is (tsx) and bundled as build/server.js.
  return (await import(/* @vite-ignore */ pathToFileURL(path.resolve('build/server/index.js')).href)) as ServerBuild
}

const build = await loadBuild()
interface Entry {
  boot(): Promise<{ port: number; lines: string[] }>
}
let started: { port: number; lines: string[] }
try {
  started = await (build.entry.module as unknown as Entry).boot()
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}

const app = express()
app.disable('x-powered-by')
if (process.env.TRUST_PROXY === '1') app.set('trust proxy', 1)

app.use((req, res, next) => {
  // Routes read the client's address from this header; never trust one sent by the client.
  req.headers['x-greenparcel-client-ip'] = req.ip ?? 'unknown'
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'same-origin')
  res.setHeader('X-Frame-Options', 'DENY')
  // A fresh nonce per response for the inline scripts Remix renders (entry.server.tsx).
  // Not under the development server: Vite's hot reload injects scripts and styles of its own.
  const nonce = randomBytes(16).toString('base64')
  res.locals.cspNonce = nonce
  if (!vite) res.setHeader('Content-Security-Policy', contentSecurityPolicy(nonce))
  // req.secure honours X-Forwarded-Proto only when TRUST_PROXY=1.
  if (req.secure) res.setHeader('Strict-Transport-Security', strictTransportSecurity)
  // An answer that goes out before its request's body has all arrived (a 404,
  // a redirect to sign in, a 413 past a bound) closes the connection after it,
  // lingering so that the client reads the answer (app/utils/lingering-close.server.ts).
  lingerOnEarlyAnswer(req, res)
  const allowed = isAllowedMutation({
    method: req.method,
    path: req.path,
    host: req.get('host'),
    origin: req.get('origin'),
    secFetchSite: req.get('sec-fetch-site'),
  })
  if (allowed) return next()
  res.status(403).type('text/plain; charset=utf-8').send('请求来源不可信，已拒绝。\nCross-site request refused.')
})

// The partner API without Remix's pipeline or the page middleware below (decision 086): the
// build leaves its handler on globalThis (app/services/partner-http.server.ts); it runs the same
// endpoints as the Remix routes and passes on whatever it does not serve. Under the development
// server Remix serves it all.
const partnerApi = (globalThis as { __greenparcelPartnerApi?: RequestHandler }).__greenparcelPartnerApi
if (!vite && partnerApi) app.use(partnerApi)

if (vite) {
  app.use(vite.middlewares)
} else {
  const client = path.resolve('build/client')
  app.use(precompressed(client))
  app.use(compression())
  app.use('/assets', express.static(path.join(client, 'assets'), { immutable: true, maxAge: '1y' }))
  app.use(onlyUnder(client, express.static(client, { maxAge: '1h' })))
  // Pages compressed whole, in one write (decision 080); after the static files, which are
  // compressed at build time or stream through `compression`.
  app.use(compressWholeBodies())
}

/**
 * The build's static files as compressed at build time (scripts/precompress-assets.ts):
 * the .br or .gz beside the file when the browser accepts it, with the file's own
 * type and caching. The list of compressed files is read once; the build does not
 * change under a running server.
 */
function precompressed(root: string): RequestHandler {
  const available = new Set<string>()
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const file = path.join(folder, name)
      if (statSync(file).isDirectory()) walk(file)
      else if (name.endsWith('.br') || name.endsWith('.gz')) available.add(file)
    }
  }
  walk(root)
  const assets = path.join(root, 'assets') + path.sep
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next()
    const accept = req.get('accept-encoding') ?? ''
    const encoding = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : undefined
    if (!encoding) return next()
    let file: string
    try {
      file = path.join(root, decodeURIComponent(req.path))
    } catch {
      return next()
    }
    if (!file.startsWith(root + path.sep)) return next()
    const compressedFile = `${file}.${encoding === 'br' ? 'br' : 'gz'}`
    if (!available.has(compressedFile)) return next()
    res.vary('Accept-Encoding')
    res.setHeader('Content-Encoding', encoding)
    res.type(path.extname(file))
    const immutable = file.startsWith(assets)
    res.sendFile(compressedFile, { maxAge: immutable ? '1y' : '1h', immutable }, (error) => error && next(error))
  }
}

app.all(
  '*',
  createRequestHandler({
    build: vite ? loadBuild : build,
    mode: development ? 'development' : 'production',
    getLoadContext: (_req, res) => ({ cspNonce: String(res.locals.cspNonce) }),
  }),
)

const server = app.listen(started.port, () => {
  const lines = [`GreenParcel 绿色快递协同平台 → http://localhost:${started.port}`, ...started.lines]
  // A worker's banner is printed once, by the supervisor.
  if (cluster.isWorker) process.send!({ kind: 'greenparcel:listening', lines } satisfies ListeningMessage)
  else console.log(lines.join('\n'))
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 3000).unref()
  })
}
