// The floor for scripts/bench-pages.ts: the built app's pages rendered from
// their loader data alone, with no database.
//
// Each worker boots the built app's database like the real server, requests
// every page in FLOOR_PAGES once through the Remix handler (capturing what each
// route's loader returned, keyed by route and URL), then closes its database
// and listens. From then on every loader returns its captured value; a page that
// was not captured answers 500, and a loader that reached for the database would
// fail, so what is measured is routing, rendering, serialisation and compression.
//
// Env: PORT, FLOOR_WORKERS (processes, default 1), FLOOR_PAGES (JSON: [{ path, cookie }]),
// and the app's own environment (DATABASE_URL, keys) for the capture.
// Started by scripts/bench-pages.ts; prints "floor ready" once every worker listens.
import cluster from 'node:cluster'
import path from 'node:path'
import { createRequestHandler as createExpressHandler } from '@remix-run/express'
import { createRequestHandler, type LoaderFunction, type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import { compressWholeBodies } from '#app/utils/whole-body-compression.server.ts'

interface FloorPage {
  path: string
  cookie: string
}

const root = path.resolve(import.meta.dirname, '../..')
const port = Number(process.env.PORT ?? '3000')
const workers = Number(process.env.FLOOR_WORKERS ?? '1')
const pages = JSON.parse(process.env.FLOOR_PAGES ?? '[]') as FloorPage[]

if (cluster.isPrimary && workers > 1) {
  let ready = 0
  const fork = () =>
    cluster.fork().on('message', (message: unknown) => {
      if (message !== 'floor:ready') return
      ready++
      // The first worker alone until it is ready (it opens the database first, like the app's supervisor).
      if (ready === 1) for (let i = 1; i < workers; i++) fork()
      if (ready === workers) console.log(`floor ready: ${workers} processes on http://localhost:${port}`)
    })
  cluster.on('exit', (worker, code) => {
    if (code !== 0) {
      console.error(`floor worker ${worker.process.pid} exited with ${code}`)
      process.exit(1)
    }
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
      setTimeout(() => process.exit(0), 2000).unref()
    })
  }
  fork()
  await new Promise<never>(() => {})
}

// @ts-expect-error the build exists only after `npm run build`
const build = (await import('../../build/server/index.js')) as ServerBuild
process.chdir(root)

const captured = new Map<string, unknown>()
let frozen = false
const routes: ServerBuild['routes'] = {}
for (const [id, route] of Object.entries(build.routes)) {
  const loader = route?.module.loader
  if (!route || !loader) {
    if (route) routes[id] = route
    continue
  }
  const replay: LoaderFunction = async (args) => {
    const url = new URL(args.request.url)
    const key = `${id} ${url.pathname}${url.search}`
    if (frozen) {
      if (captured.has(key)) return captured.get(key)
      throw new Response(`floor: no captured loader data for ${key}`, { status: 500 })
    }
    const value = await loader(args)
    captured.set(key, value)
    return value
  }
  routes[id] = { ...route, module: { ...route.module, loader: replay } }
}
const floorBuild: ServerBuild = { ...build, routes }

// Capture: each page once, as the benchmark will request it.
const handle = createRequestHandler(floorBuild, 'production')
for (const page of pages) {
  const response = await handle(new Request(`http://localhost:${port}${page.path}`, { headers: { cookie: page.cookie, accept: 'text/html' } }))
  await response.text()
  if (response.status !== 200) throw new Error(`floor: ${page.path} answered ${response.status} while capturing`)
}
frozen = true
const holder = globalThis as typeof globalThis & { __greenparcelDb?: Promise<{ handle: { close(): Promise<void> } }> }
await (await holder.__greenparcelDb)?.handle.close()

// The same middleware a page passes through in server.ts that costs anything: compression, pages compressed whole.
const app = express()
app.disable('x-powered-by')
app.use(compression())
app.use(compressWholeBodies())
app.all('*', createExpressHandler({ build: floorBuild, mode: 'production' }))
const server = app.listen(port, () => {
  if (cluster.isWorker) process.send!('floor:ready')
  else console.log(`floor ready: 1 process on http://localhost:${port}`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 2000).unref()
  })
}
