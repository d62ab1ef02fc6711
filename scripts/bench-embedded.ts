// Peak memory of the embedded database (PGlite) against the 300 MB budget.
//
//   npm run build && npx tsx scripts/bench-embedded.ts [--rows 1000000] [--outlets 5000] [--only server,idle,first-start,reseed,import,server-import] [--chunk N] [--heap MB]
//
// Every case runs in a process of its own under plain node with the flags
// `npm run serve` gives it (package.json), as a user's processes run: the
// cases' code is bundled into .cache/bench-embedded/ first (no TypeScript
// loader in the measured process). --heap overrides the V8 old-space cap
// (--max-old-space-size) of the case processes.
//
// A case's peak resident set size (VmHWM: the JavaScript heap, the WebAssembly
// memory of PostgreSQL and everything else of the process) is read from /proc
// when the case is done, as /usr/bin/time -v would:
//   server       the built server (`npm run serve`, build/server.js) on a new data folder: a
//                copy of the cluster template, migrated and loaded with the demo data, read when
//                it prints its address (first start); then restarted on that folder (restart)
//   idle         an existing data folder opened, one query: the floor of every other case
//   first-start  a new data folder, migrated and loaded with the demo data, without the web server
//   reseed       `npm run seed` (scripts/seed.ts) on the folder first-start left
//   import       a generated shipment CSV of --rows rows imported through the service the web
//                upload's import worker and scripts/import-csv.ts use (commitImport: parse,
//                validate, cost, write, rollups, one transaction) into a data folder with the
//                demo reference data and --outlets outlets
//   server-import the same file uploaded to the built server (`npm run serve`) on such a folder, as
//                a brand's clerk does: signed in as carrier.sf, uploaded, checked by the server's
//                import worker, committed, read when the import's page says committed. The
//                server's process holds the web server, the worker and the database at once
// The baseline printed beside each is the idle case of the same run; the
// load average says how busy the machine was. Not a timed test.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, openAsBlob } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { commitImport } from '#app/services/imports.server.ts'
import { mulberry32 } from '#app/utils/mulberry32.ts'
import { clusterTemplateDir, openDatabase } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { seedDemoData } from '#seeds/load/demo.ts'
import { runCli } from './lib/cli.ts'
import { demoPassword } from './lib/demo-password.ts'
import { serveCommand } from './lib/serve-command.ts'
import { freePort } from './lib/free-port.ts'

// The working folder, not this file's: the cases run from a bundle in .cache/.
const projectRoot = process.cwd()
const clusterTemplate = clusterTemplateDir(projectRoot)
const BUDGET_MB = 300

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i !== -1 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

function whole(name: string, fallback: number): number {
  const text = option(name, String(fallback))
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) {
    console.error(`错误 Error: --${name} 须为正整数 / --${name} must be a whole number above 0 (got "${text}")`)
    process.exit(2)
  }
  return value
}


interface CaseResult {
  peakMb: number
  rssMb: number
  seconds: number
  note: string
}

// ---- the cases, each in its own process -------------------------------------------

async function runCase(name: string, dataDir: string): Promise<void> {
  const started = performance.now()
  let note = ''
  const handle = openDatabase({ kind: 'pglite', dataDir, clusterTemplate })
  try {
    if (name === 'idle') {
      await sql`select 1`.execute(handle.db)
    } else if (name === 'first-start' || name === 'reseed') {
      await migrateToLatest(handle.db)
      const summary = await seedDemoData(handle.db, path.join(projectRoot, 'seeds'))
      note = `${summary.outlets} outlets, ${summary.users} users, 24 months of activity`
    } else if (name === 'import') {
      const viewer = JSON.parse(option('viewer', '{}')) as Viewer
      const chunk = option('chunk', '')
      const result = await commitImport(
        handle.db,
        { viewer, recordCode: 'shipment_stats', source: { path: option('file', '') }, fileName: 'shipment-stats.csv', today: '2026-11-22', rejectedPath: path.join(path.dirname(dataDir), 'rejected.ndjson') },
        chunk ? { chunkRows: whole('chunk', 10_000) } : {},
      )
      if (!result.report.committed) throw new Error(`import not committed: ${JSON.stringify(result.report.errors.slice(0, 3))}`)
      note = `${result.report.accepted.toLocaleString('en')} rows committed`
    } else {
      throw new Error(`unknown case ${name}`)
    }
  } finally {
    await handle.close()
  }
  const { peakMb, rssMb } = await memoryOf('self')
  const out: CaseResult = { peakMb, rssMb, seconds: (performance.now() - started) / 1000, note }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}

/** node's flags for a case: those of `npm run serve`, the old-space cap replaced by --heap if given. */
function nodeFlags(): string[] {
  const flags = serveCommand(projectRoot).flags
  if (!option('heap', '')) return flags
  return [...flags.filter((f) => !f.startsWith('--max-old-space-size=')), `--max-old-space-size=${whole('heap', 1)}`]
}

/** This script and what it imports as one JavaScript file, for the cases to run under plain node. */
async function bundleCases(): Promise<string> {
  const outDir = path.join(projectRoot, '.cache', 'bench-embedded')
  const { build } = await import('vite')
  await build({
    configFile: path.join(projectRoot, 'vite.server.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, rollupOptions: { input: { 'bench-embedded': process.argv[1]! } } },
  })
  return path.join(outDir, 'bench-embedded.js')
}

let caseScript = ''

function child(name: string, dataDir: string, extra: string[] = []): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeFlags(), caseScript, '--case', name, '--dir', dataDir, ...extra], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    proc.on('error', reject)
    proc.on('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? ''
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`case ${name} exited with ${code}: ${output.slice(-2000)}`))
      resolve(JSON.parse(line) as CaseResult)
    })
  })
}

/** A process's peak and current resident set, in MB, from /proc (Linux). */
async function memoryOf(pid: number | 'self'): Promise<{ peakMb: number; rssMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 'NaN')
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 }
}

interface RunningServer {
  proc: ChildProcess
  url: string
  /** Seconds from spawn to the printed address. */
  seconds: number
  output: () => string
  stop: () => Promise<void>
}

/** The built server (`npm run serve`'s entry and flags) on a data folder, once it prints its address. */
async function startServer(dataDir: string): Promise<RunningServer> {
  const { entry } = serveCommand(projectRoot)
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir }
  delete env.DATABASE_URL
  const started = performance.now()
  const proc = spawn(process.execPath, [...nodeFlags(), entry], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const stop = () =>
    new Promise<void>((resolve) => {
      proc.removeAllListeners('exit')
      if (proc.exitCode !== null) return resolve()
      proc.once('exit', () => resolve())
      proc.kill('SIGTERM')
    })
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000)
        if (output.includes(`http://localhost:${port}`)) resolve()
      }
      proc.stdout!.on('data', onData)
      proc.stderr!.on('data', onData)
      proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output.slice(-2000)}`)))
    })
  } catch (error) {
    await stop()
    throw error
  }
  return { proc, url: `http://localhost:${port}`, seconds: (performance.now() - started) / 1000, output: () => output, stop }
}

/** The built server on a new data folder: its peak when it prints its address, then it is stopped. */
async function serverCase(dataDir: string): Promise<CaseResult> {
  const server = await startServer(dataDir)
  try {
    const note = server.output().includes('Demo data loaded') ? 'demo data loaded at boot' : 'existing folder'
    return { ...(await memoryOf(server.proc.pid!)), seconds: server.seconds, note }
  } finally {
    await server.stop()
  }
}

/**
 * The file uploaded to the built server on a prepared folder and committed through its pages,
 * as the e2e tests do it: the server's peak once the import's page says committed.
 */
async function serverImportCase(dataDir: string, file: string): Promise<CaseResult> {
  const server = await startServer(dataDir)
  const started = performance.now()
  try {
    const { url } = server
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: url },
      body: `username=carrier.sf&password=${demoPassword}`,
      redirect: 'manual',
    })
    const cookie = login.headers.get('set-cookie')?.split(';')[0]
    if (!cookie) throw new Error(`sign-in refused: ${login.status}`)
    const form = new FormData()
    form.set('recordType', 'shipment_stats')
    form.set('file', await openAsBlob(file, { type: 'text/csv' }), 'shipment-stats.csv')
    const uploaded = await fetch(`${url}/imports/upload`, { method: 'POST', headers: { Cookie: cookie, Origin: url }, body: form })
    if (uploaded.status !== 200) throw new Error(`upload refused: ${uploaded.status} ${(await uploaded.text()).slice(0, 500)}`)
    const page = (await uploaded.json()) as { redirectTo: string }
    // The peak is monotonic: read at the end of each stage, it says which stage reached it.
    const peaks: string[] = []
    const stageEnd = async (stage: string) => peaks.push(`${stage} ${(await memoryOf(server.proc.pid!)).peakMb.toFixed(0)} MB`)
    await stageEnd('after upload')
    const statusOf = async () => {
      const response = await fetch(`${url}${page.redirectTo}`, { headers: { Cookie: cookie } })
      return /data-testid="import-detail" data-status="(\w+)"/.exec(await response.text())?.[1] ?? `HTTP ${response.status}`
    }
    const until = async (wanted: string) => {
      for (let status = await statusOf(); status !== wanted; status = await statusOf()) {
        if (status === 'failed' || status.startsWith('HTTP')) throw new Error(`import ${page.redirectTo}: ${status}\n${server.output().slice(-2000)}`)
        await new Promise((r) => setTimeout(r, 2000))
      }
    }
    await until('validated')
    await stageEnd('after the check')
    const commit = await fetch(`${url}${page.redirectTo}`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'intent=commit&reason=',
      redirect: 'manual',
    })
    if (![204, 302, 303].includes(commit.status)) throw new Error(`commit refused: ${commit.status}`)
    await until('committed')
    return { ...(await memoryOf(server.proc.pid!)), seconds: (performance.now() - started) / 1000, note: `${page.redirectTo} committed (peak ${peaks.join(', ')}; the peak above is at the end of the commit)` }
  } finally {
    await server.stop()
  }
}


// ---- the import's data folder and file --------------------------------------------------

/** Demo reference data (no activity) and `outlets` outlets of SF; returns the importing viewer. */
async function prepareImportFolder(dataDir: string, outlets: number): Promise<{ viewer: Viewer; codes: string[] }> {
  const handle = openDatabase({ kind: 'pglite', dataDir, clusterTemplate })
  try {
    const db = handle.db
    await migrateToLatest(db)
    await seedDemoData(db, path.join(projectRoot, 'seeds'), { activity: false })
    const brand = await db.selectFrom('brands').select('id').where('code', '=', 'sf').executeTakeFirstOrThrow()
    const districts = (await db.selectFrom('regions').select('code').where('level', '=', 'district').orderBy('code').execute()).map((d) => d.code)
    await sql`
      insert into outlets (code, brand_id, region_code, name_zh, name_en, opened_on)
      select 'SF-BENCH-' || lpad(n::text, 5, '0'), ${brand.id}, (${districts}::text[])[1 + n % ${districts.length}],
        '顺丰基准测试网点 ' || n, 'SF bench outlet ' || n, date '2020-01-01'
      from generate_series(1, ${outlets}) as n`.execute(db)
    const user = await db
      .selectFrom('users')
      .innerJoin('memberships', 'memberships.user_id', 'users.id')
      .select(['users.id', 'memberships.brand_id'])
      .where('users.username', '=', 'carrier.sf')
      .executeTakeFirstOrThrow()
    const codes = Array.from({ length: outlets }, (_, i) => `SF-BENCH-${String(i + 1).padStart(5, '0')}`)
    return { viewer: { userId: user.id, role: 'carrier_admin', outletId: null, brandId: user.brand_id, regionCode: null }, codes }
  } finally {
    await handle.close()
  }
}

/** A shipment-statistics CSV as a brand's system exports it (Chinese headers, BOM, CRLF), streamed to disk. */
async function writeShipmentCsv(file: string, codes: readonly string[], rows: number): Promise<void> {
  const out = createWriteStream(file)
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())))
  await write('\uFEFF网点编码,日期,收寄件数,电子运单件数,纸质运单件数,电商快件数,电商快件原包装直发件数,可循环快递包装件数,箱装快件数,瘦身胶带或免胶带封装件数,总包袋数,循环中转袋数,数据质量\r\n')
  const rand = mulberry32(20_240_301)
  const days = Math.ceil(rows / codes.length)
  const start = Date.UTC(2025, 0, 1)
  let buffer = ''
  for (let n = 0; n < rows; n++) {
    const code = codes[Math.floor(n / days)]!
    const date = new Date(start + (n % days) * 86_400_000).toISOString().slice(0, 10)
    const parcels = 150 + Math.floor(rand() * 2_850)
    const eWaybill = Math.round(parcels * (0.96 + rand() * 0.04))
    const ecommerce = Math.round(parcels * (0.55 + rand() * 0.25))
    const box = Math.round(parcels * (0.5 + rand() * 0.2))
    const bags = Math.max(1, Math.round(parcels / 30))
    buffer += `${code},${date},${parcels},${eWaybill},${parcels - eWaybill},${ecommerce},${Math.round(ecommerce * 0.4)},${Math.round(parcels * 0.03)},${box},${Math.round(box * 0.9)},${bags},${Math.round(bags * 0.8)},实测\r\n`
    if (buffer.length > 1 << 20) {
      await write(buffer)
      buffer = ''
    }
  }
  await write(buffer)
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())))
}

// ---- the parent ------------------------------------------------------------------

async function main(): Promise<void> {
  const rows = whole('rows', 1_000_000)
  const outlets = whole('outlets', 5_000)
  const only = new Set(option('only', 'server,idle,first-start,reseed,import,server-import').split(','))
  const chunk = option('chunk', '')
  const work = await mkdtemp(path.join(os.tmpdir(), 'gp-bench-embedded-'))
  const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ')
  const results: [string, CaseResult][] = []
  const show = (name: string, r: CaseResult, idle?: CaseResult) => {
    const verdict = r.peakMb <= BUDGET_MB ? 'within' : 'OVER'
    const beside = idle && idle !== r ? `; idle PGlite process ${idle.peakMb.toFixed(0)} MB, so +${(r.peakMb - idle.peakMb).toFixed(0)} MB for the work` : ''
    console.log(`  ${name.padEnd(20)} peak RSS ${r.peakMb.toFixed(0)} MB (budget ${BUDGET_MB} MB: ${verdict}${beside}); ${r.seconds.toFixed(1)} s${r.note ? `; ${r.note}` : ''}; load average ${load()}`)
  }
  try {
    console.log(`Node ${process.version}, ${os.cpus().length} cores, node flags ${nodeFlags().join(' ') || 'none'}, load average at start ${load()}`)
    if (!existsSync(path.join(clusterTemplate, 'PG_VERSION'))) console.log(`  no cluster template (${clusterTemplate}): new folders run initdb in a process of their own; \`npm run build\` makes it`)
    caseScript = await bundleCases()
    const serverResults: [string, CaseResult][] = []
    if (only.has('server')) {
      if (!existsSync(path.join(projectRoot, serveCommand(projectRoot).entry))) throw new Error('the server case needs the build: npm run build')
      const serverDir = path.join(work, 'server')
      serverResults.push(['first start', await serverCase(serverDir)])
      serverResults.push(['restart', await serverCase(serverDir)])
    }
    const demoDir = path.join(work, 'demo')
    // the idle case needs an existing folder: first-start makes it
    if (only.has('first-start') || only.has('idle') || only.has('reseed')) {
      const first = await child('first-start', demoDir)
      if (only.has('first-start')) results.push(['first-start', first])
      if (only.has('idle')) results.unshift(['idle', await child('idle', demoDir)])
      if (only.has('reseed')) results.push(['reseed', await child('reseed', demoDir)])
    }
    const idle = results.find(([n]) => n === 'idle')?.[1]
    for (const [name, r] of serverResults) show(`server ${name}`, r, idle)
    for (const [name, r] of results) show(name, r, idle)
    const file = path.join(work, 'shipment-stats.csv')
    if (only.has('import')) {
      const importDir = path.join(work, 'import')
      const prepared = await prepareImportFolder(importDir, outlets)
      await writeShipmentCsv(file, prepared.codes, rows)
      console.log(`  import file: ${rows.toLocaleString('en')} rows for ${outlets.toLocaleString('en')} outlets`)
      const r = await child('import', importDir, ['--file', file, '--viewer', JSON.stringify(prepared.viewer), ...(chunk ? ['--chunk', chunk] : [])])
      show('import', r, idle)
      console.log(`    ${Math.round(rows / r.seconds).toLocaleString('en')} rows/s`)
    }
    if (only.has('server-import')) {
      if (!existsSync(path.join(projectRoot, serveCommand(projectRoot).entry))) throw new Error('the server-import case needs the build: npm run build')
      const serverImportDir = path.join(work, 'server-import')
      const prepared = await prepareImportFolder(serverImportDir, outlets)
      if (!existsSync(file)) {
        await writeShipmentCsv(file, prepared.codes, rows)
        console.log(`  import file: ${rows.toLocaleString('en')} rows for ${outlets.toLocaleString('en')} outlets`)
      }
      const r = await serverImportCase(serverImportDir, file)
      show('server-import', r, idle)
      console.log(`    ${Math.round(rows / r.seconds).toLocaleString('en')} rows/s, from upload to committed (checked, then written)`)
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

if (process.argv.includes('--case')) runCli(() => runCase(option('case', ''), option('dir', '')))
else runCli(main)
