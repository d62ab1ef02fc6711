// Pages under load: requests per second and latency of the bureau overview, the
// province-year report and the outlet home beside the sign-in page (the
// baseline) and beside each page's floor, all in the same run.
//
//   npm run build && npx tsx scripts/bench-pages.ts [--workers 1,2] [--duration 10] [--connections 50]
//     [--year 2025] [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--profile DIR] [--keep]
//     [--pages login,bureau,report,outlet]
//
// Builds nothing itself: run `npm run build` first. It creates a throwaway
// PostgreSQL database with the demo seed, and for each worker count starts the
// production server as `npm run serve` starts it (build/server.js, WEB_CONCURRENCY=n), signs in as bureau.henan
// and outlet.sf, and loads with autocannon (n connections, d seconds each):
//   GET /login                      the baseline (no session: the sign-in form)
//   GET /bureau                     as bureau.henan
//   GET /reports?period=<year>      the province-year report (Henan, 410000), as bureau.henan
//   GET /outlet                     as outlet.sf
// Then the floor: the same pages served by scripts/lib/page-floor-server.ts,
// which renders each from its loader data captured once, with no database,
// through the same build and compression, with as many processes.
// Requests send what a browser sends (Accept-Encoding: gzip, deflate, br).
// --profile DIR writes V8 CPU profiles of the app's processes (node --cpu-prof).
// --pages picks some of the pages by name (login, bureau, report, outlet); the
// sign-in page, the baseline of every ratio, is always measured.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import autocannon, { type Result } from 'autocannon'
import postgres from 'postgres'
import { openDatabase } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { seedDemoData } from '#seeds/load/demo.ts'
import { runCli } from './lib/cli.ts'
import { serveCommand } from './lib/serve-command.ts'
import { backendCpuSeconds } from './lib/pg-cpu.ts'
import { processTreeCpuSeconds } from './lib/process-cpu.ts'
import { freePort } from './lib/free-port.ts'
import { demoPassword } from './lib/demo-password.ts'

const root = path.resolve(import.meta.dirname, '..')

const { values: opts } = parseArgs({
  options: {
    workers: { type: 'string', default: `1,${availableParallelism()}` },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    year: { type: 'string', default: '2025' },
    'admin-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    profile: { type: 'string' },
    keep: { type: 'boolean', default: false },
    pages: { type: 'string', default: 'login,bureau,report,outlet' },
  },
})

const browserHeaders = {
  accept: 'text/html,application/xhtml+xml',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'zh-CN,zh;q=0.9',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
}

interface Page {
  label: string
  path: string
  /** Who requests it: a demo username, or none. */
  as: string | null
  /** Text the page must contain, to be sure it is the page and not an error. */
  marker: string
}

interface Figures {
  rps: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  bytes: number
  /** CPU milliseconds per request: the app's processes, and PostgreSQL's backends for its database. */
  nodeCpuMs: number
  pgCpuMs: number
}

interface Cpu {
  pid: number
  database: string
}


/** Spawn a process and wait until its output satisfies `ready`. */
async function start(command: string, args: string[], env: NodeJS.ProcessEnv, ready: (output: string) => boolean): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 180_000)
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
      if (ready(output)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${output}`))
    })
  })
  return child
}

async function stop(child: ChildProcess): Promise<void> {
  child.removeAllListeners('exit')
  if (child.exitCode !== null) return
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

async function signIn(baseUrl: string, username: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
    body: new URLSearchParams({ username, password: demoPassword }).toString(),
  })
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  if (response.status !== 302 || !cookie) throw new Error(`signing in as ${username} answered ${response.status}`)
  return cookie
}

async function check(baseUrl: string, page: Page, cookie: string): Promise<number> {
  const response = await fetch(`${baseUrl}${page.path}`, { headers: { ...browserHeaders, cookie }, redirect: 'manual' })
  const html = await response.text()
  if (response.status !== 200 || !html.includes(page.marker)) throw new Error(`${page.path} answered ${response.status} without ${page.marker}`)
  return Buffer.byteLength(html)
}

async function load(baseUrl: string, page: Page, cookie: string, connections: number, duration: number, cpu: Cpu): Promise<Figures> {
  const url = `${baseUrl}${page.path}`
  const headers = { ...browserHeaders, ...(cookie ? { cookie } : {}) }
  // A short warm-up first (2 s, bounded in time on a busy machine): the JIT, the pool's connections.
  await autocannon({ url, connections: Math.min(connections, 10), duration: 2, headers })
  const nodeBefore = processTreeCpuSeconds(cpu.pid)
  const pgBefore = backendCpuSeconds(cpu.database)
  const result: Result = await autocannon({ url, connections, duration, headers, timeout: 30 })
  const served = Math.max(1, result['2xx'] + result.non2xx)
  return {
    nodeCpuMs: ((processTreeCpuSeconds(cpu.pid) - nodeBefore) * 1000) / served,
    pgCpuMs: ((backendCpuSeconds(cpu.database) - pgBefore) * 1000) / served,
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    bytes: result.throughput.total / served,
  }
}

const load1 = () => loadavg().map((l) => l.toFixed(2)).join(' ')

runCli(async () => {
  if (!existsSync(path.join(root, 'build/server/index.js'))) throw new Error('No built app: run `npm run build` first.')
  const workerCounts = opts.workers!.split(',').map((w) => Number(w.trim()))
  if (workerCounts.some((w) => !Number.isInteger(w) || w < 1 || w > 64)) throw new Error('--workers must be a list of whole numbers from 1 to 64, e.g. 1,2')
  const duration = Number(opts.duration)
  const connections = Number(opts.connections)
  if (!Number.isInteger(duration) || duration < 1) throw new Error('--duration must be whole seconds ≥ 1')
  if (!Number.isInteger(connections) || connections < 1) throw new Error('--connections must be a whole number ≥ 1')
  if (!/^\d{4}$/.test(opts.year!)) throw new Error('--year must be a year such as 2025')

  const named: Record<string, Page> = {
    login: { label: 'GET /login (baseline)', path: '/login', as: null, marker: 'name="password"' },
    bureau: { label: 'GET /bureau', path: '/bureau', as: 'bureau.henan', marker: 'data-testid="jurisdiction-targets"' },
    report: { label: `GET /reports?period=${opts.year} (province-year)`, path: `/reports?period=${opts.year}`, as: 'bureau.henan', marker: 'data-testid="report-coverage"' },
    outlet: { label: 'GET /outlet', path: '/outlet', as: 'outlet.sf', marker: 'data-testid="today-entry"' },
  }
  const picked = new Set(opts.pages!.split(',').map((p) => p.trim()))
  const unknown = [...picked].filter((p) => !(p in named))
  if (unknown.length > 0) throw new Error(`--pages: unknown ${unknown.join(', ')}; known: ${Object.keys(named).join(', ')}`)
  // The baseline first, always: every ratio is against it.
  const pages: Page[] = Object.entries(named)
    .filter(([name]) => name === 'login' || picked.has(name))
    .map(([, page]) => page)

  const adminUrl = opts['admin-url']!
  const dbName = `gp_bench_pages_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${dbName}`)
  await admin.end()
  const dbUrl = new URL(adminUrl)
  dbUrl.pathname = `/${dbName}`
  const running: ChildProcess[] = []
  try {
    const handle = openDatabase({ kind: 'postgres', url: dbUrl.toString(), maxConnections: 2 })
    const seeded = performance.now()
    await migrateToLatest(handle.db)
    await seedDemoData(handle.db, path.join(root, 'seeds'))
    await handle.close()
    console.log(`Database ${dbName}: migrated and seeded with the demo data in ${Math.round(performance.now() - seeded)} ms`)
    console.log(`${connections} connections, ${duration} s per page; load generator in this process on the same machine (${availableParallelism()} cores)`)
    console.log(`Load average at start (1, 5, 15 min): ${load1()}`)

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl.toString(),
      PARTNER_SECRET_SERVER_KEY: randomBytes(32).toString('hex'),
      PHONE_HASH_PEPPER: randomBytes(32).toString('hex'),
    }
    const tsx = path.join(root, 'node_modules/.bin/tsx')
    // The app as `npm run serve` starts it: the built server under plain node, with its flags.
    const serve = serveCommand(root)

    for (const workers of workerCounts) {
      console.log(`\n== ${workers} app process${workers > 1 ? 'es' : ''} (WEB_CONCURRENCY=${workers})`)
      const port = await freePort()
      const baseUrl = `http://127.0.0.1:${port}`
      const appEnv: NodeJS.ProcessEnv = { ...env, PORT: String(port), WEB_CONCURRENCY: String(workers) }
      const listening = (output: string) =>
        workers === 1 ? output.includes(`http://localhost:${port}`) : (output.match(/Worker \d+ listening/g) ?? []).length >= workers
      // node refuses --cpu-prof in NODE_OPTIONS: the profiled server runs under node itself, with tsx as its loader.
      const app = opts.profile
        ? await start(process.execPath, ['--cpu-prof', '--cpu-prof-dir', path.resolve(opts.profile), ...serve.flags, serve.entry], appEnv, listening)
        : await start(process.execPath, [...serve.flags, serve.entry], appEnv, listening)
      running.push(app)
      const cookies = new Map<string | null, string>([[null, '']])
      for (const page of pages) if (page.as && !cookies.has(page.as)) cookies.set(page.as, await signIn(baseUrl, page.as))
      const measured = new Map<Page, Figures>()
      for (const page of pages) {
        const cookie = cookies.get(page.as)!
        await check(baseUrl, page, cookie)
        measured.set(page, await load(baseUrl, page, cookie, connections, duration, { pid: app.pid!, database: dbName }))
      }
      await stop(app)
      running.pop()
      const afterApp = load1()

      const floorPort = await freePort()
      const floorUrl = `http://127.0.0.1:${floorPort}`
      const floorPages = pages.map((p) => ({ path: p.path, cookie: cookies.get(p.as)! }))
      const floor = await start(
        tsx,
        [path.join(root, 'scripts/lib/page-floor-server.ts')],
        { ...env, PORT: String(floorPort), FLOOR_WORKERS: String(workers), FLOOR_PAGES: JSON.stringify(floorPages) },
        (output) => output.includes('floor ready'),
      )
      running.push(floor)
      const floors = new Map<Page, Figures>()
      for (const page of pages) {
        const cookie = cookies.get(page.as)!
        await check(floorUrl, page, cookie)
        floors.set(page, await load(floorUrl, page, cookie, connections, duration, { pid: floor.pid!, database: dbName }))
      }
      await stop(floor)
      running.pop()

      const login = measured.get(pages[0]!)!
      const rps = (n: number) => n.toFixed(0).padStart(6)
      const msText = (n: number) => `${n.toFixed(0)} ms`.padStart(8)
      console.log(
        `${'page'.padEnd(38)} ${'req/s'.padStart(6)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'×login'.padStart(7)}   |  floor: ${'req/s'.padStart(6)} ${'p50'.padStart(8)} ${'p99'.padStart(8)}  page/floor  KB sent  failed  CPU ms/req: node  pg  floor node`,
      )
      for (const page of pages) {
        const m = measured.get(page)!
        const f = floors.get(page)!
        console.log(
          `${page.label.padEnd(38)} ${rps(m.rps)} ${msText(m.p50)} ${msText(m.p99)} ${(m.rps / login.rps).toFixed(2).padStart(7)}   |         ${rps(f.rps)} ${msText(f.p50)} ${msText(f.p99)}  ${(m.rps / f.rps).toFixed(2).padStart(10)}  ${(m.bytes / 1024).toFixed(1).padStart(7)}  ${String(m.non2xx + m.errors).padStart(6)}  ${m.nodeCpuMs.toFixed(1).padStart(16)} ${m.pgCpuMs.toFixed(1).padStart(4)} ${f.nodeCpuMs.toFixed(1).padStart(11)}`,
        )
      }
      const goal = pages.slice(1).map((page) => {
        const m = measured.get(page)!
        return `${page.path}: ${m.rps / login.rps >= 0.5 && m.p99 < 200 ? 'met' : 'NOT met'}`
      })
      console.log(`Goal ≥ 0.5× /login req/s with p99 < 200 ms: ${goal.join('; ')}`)
      console.log(`Load average (1, 5, 15 min) after the app's run: ${afterApp}; after the floor's: ${load1()}`)
    }
  } finally {
    for (const child of running) await stop(child)
    if (opts.keep) console.log(`Database kept: ${dbUrl.toString()}`)
    else {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} })
      await a.unsafe(`drop database if exists ${dbName} with (force)`)
      await a.end()
    }
  }
})
