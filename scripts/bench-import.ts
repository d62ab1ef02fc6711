// Benchmark of the CSV import's write path against PostgreSQL's own COPY.
//
//   npx tsx scripts/bench-import.ts [--rows 1000000] [--outlets 5000] [--heap 256] [--url postgres://postgres@127.0.0.1:5432/postgres] [--keep]
//
// In one run: creates its own database (gp_bench_import) on the server,
// migrates it and loads the demo reference data (regions, brands, factor
// sets), adds several thousand outlets of one brand directly, writes a
// shipment-statistics CSV of --rows rows (Chinese headers, UTF-8 with BOM,
// thousands separators here and there, as Excel writes them), imports it
// through the same service the web upload and the command line use
// (commitImport: decode, parse, validate, duplicate check, cost, COPY, rollups,
// one transaction), then times PostgreSQL's own COPY of the same rows,
// pre-converted to COPY format, into a fresh copy of the same table (its
// indexes, checks and foreign keys: a COPY into the real table pays the same
// foreign-key checks), the rows as the import writes them, its batch id
// included. Each of the two starts from a checkpoint. Prints rows per second of both and the import's peak
// memory. The import runs in a child process of its own, so that its memory
// is its own and not the generator's. Drops the database afterwards unless --keep.
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createWriteStream } from 'node:fs'
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import type { Viewer } from '#app/domain/access.ts'
import { commitImport, type ImportProgress, type ImportReport } from '#app/services/imports.server.ts'
import { openDatabase } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { seedDemoData } from '#seeds/load/demo.ts'
import { mulberry32 } from '#app/utils/mulberry32.ts'
import { runCli } from './lib/cli.ts'
import { backendCpu } from './lib/pg-cpu.ts'
import { createThrowawayDatabase, localServerUrl } from './lib/throwaway-database.ts'

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`)
  return index !== -1 && process.argv[index + 1] ? process.argv[index + 1]! : fallback
}

/** A whole-number option (at least `min`), or a clear stop naming it. */
function wholeOption(name: string, fallback: number, min: number): number {
  const text = option(name, String(fallback))
  const value = Number(text)
  if (!Number.isInteger(value) || value < min) {
    console.error(`错误 Error: --${name} 须为不小于 ${min} 的整数 / --${name} must be a whole number of at least ${min} (got "${text}")`)
    process.exit(2)
  }
  return value
}

const rowsWanted = wholeOption('rows', 1_000_000, 1)
const outletCount = wholeOption('outlets', 5000, 1)
const serverUrl = option('url', process.env.DATABASE_URL ?? localServerUrl)
const keep = process.argv.includes('--keep')
// V8 old-space cap for the import process, in MB (0: node's default). Default 256, what
// scripts/import-csv.ts, the nightly batch command, runs itself with; the figure printed says which was used.
const heapCapMb = wholeOption('heap', 256, 0)
// V8 young generation (semi-space) size for the import process, in MB (0: node's default).
const semiSpaceMb = wholeOption('semi', 0, 0)
const databaseName = 'gp_bench_import'

function isoDay(start: Date, offset: number): string {
  return new Date(start.getTime() + offset * 86_400_000).toISOString().slice(0, 10)
}

interface GeneratedRow {
  outlet: number
  date: string
  parcels: number
  eWaybill: number
  paper: number
  ecommerce: number
  original: number
  recyclable: number
  box: number
  narrow: number
  bags: number
  recyclableBags: number
}

/**
 * Realistic daily figures of a courier outlet (see seeds/activity-profile.json
 * for the shapes): 150-3,000 parcels a day, 96-100% e-waybills, 55-80%
 * e-commerce of which 20-60% in original packaging, 1-5% in recyclable
 * packaging, 50-70% boxes of which 80-97% sealed with narrow tape, a transit
 * bag per ~30 parcels of which 60-95% recyclable.
 */
function* generateRows(outletCodes: readonly string[], days: number): Iterable<GeneratedRow> {
  const rand = mulberry32(20_240_301)
  const start = new Date('2025-01-01T00:00:00Z')
  for (let o = 0; o < outletCodes.length; o++) {
    const size = 150 + Math.floor(rand() * 2_850)
    for (let d = 0; d < days; d++) {
      const parcels = Math.max(1, Math.round(size * (0.8 + rand() * 0.4)))
      const eWaybill = Math.min(parcels, Math.round(parcels * (0.96 + rand() * 0.04)))
      const ecommerce = Math.round(parcels * (0.55 + rand() * 0.25))
      const box = Math.round(parcels * (0.5 + rand() * 0.2))
      const bags = Math.max(1, Math.round(parcels / 30))
      yield {
        outlet: o,
        date: isoDay(start, d),
        parcels,
        eWaybill,
        paper: parcels - eWaybill,
        ecommerce,
        original: Math.round(ecommerce * (0.2 + rand() * 0.4)),
        recyclable: Math.round(parcels * (0.01 + rand() * 0.04)),
        box,
        narrow: Math.round(box * (0.8 + rand() * 0.17)),
        bags,
        recyclableBags: Math.round(bags * (0.6 + rand() * 0.35)),
      }
    }
  }
}

async function writeStream(file: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(file)
  let buffer = ''
  for (const line of lines) {
    buffer += line
    if (buffer.length >= 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      buffer = ''
    }
  }
  out.write(buffer)
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  return (await stat(file)).size
}

const thousands = (n: number) => (n >= 1000 ? `"${n.toLocaleString('en-US')}"` : String(n))

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`
}

interface ChildResult {
  report: ImportReport
  batchId: string
  importSeconds: number
  rssBefore: number
  rssPeak: number
  maxRssKb: number
  /** CPU seconds of the import process during the import. */
  cpuSeconds: number
  /** Share of the import's wall time its event loop was busy (parsing, validating, formatting), 0–1. */
  eventLoopBusy: number
}

/** The import alone, in this process: what the parent measures. Prints one JSON line at the end. */
async function childMain(): Promise<void> {
  const handle = openDatabase({ kind: 'postgres', url: option('url', '') })
  try {
    const viewer: Viewer = { userId: Number(option('user', '0')), role: 'carrier_admin', outletId: null, brandId: Number(option('brand', '0')), regionCode: null }
    const rssBefore = process.memoryUsage().rss
    let rssPeak = rssBefore
    // rss() alone: cheaper than memoryUsage(), which this sampler would call many times a second.
    const sampler = setInterval(() => {
      const rss = process.memoryUsage.rss()
      if (rss > rssPeak) rssPeak = rss
    }, 25)
    let lastPrinted = performance.now()
    const onProgress = (p: ImportProgress) => {
      const now = performance.now()
      if (now - lastPrinted > 5_000) {
        lastPrinted = now
        const m = process.memoryUsage()
        process.stderr.write(`  … ${p.rows.toLocaleString('en-US')} rows read, RSS ${mb(m.rss)} (V8 heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, buffers ${mb(m.arrayBuffers)})\n`)
      }
    }
    const file = option('file', '')
    const cpuBefore = process.cpuUsage()
    const loopBefore = performance.eventLoopUtilization()
    const started = performance.now()
    const result = await commitImport(
      handle.db,
      { viewer, recordCode: 'shipment_stats', source: { path: file }, fileName: path.basename(file), onProgress, today: '2026-11-22', rejectedPath: path.join(option('work', tmpdir()), 'rejected.ndjson') },
      { pgUrl: option('url', ''), ...(option('chunk', '') ? { chunkRows: wholeOption('chunk', 10_000, 1) } : {}) },
    )
    const importSeconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    const cpu = process.cpuUsage(cpuBefore)
    const out: ChildResult = {
      report: result.report,
      batchId: result.batchId ?? '',
      importSeconds,
      rssBefore,
      rssPeak,
      maxRssKb: process.resourceUsage().maxRSS,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      eventLoopBusy: performance.eventLoopUtilization(loopBefore).utilization,
    }
    process.stdout.write(`${JSON.stringify(out)}\n`)
  } finally {
    await handle.close()
  }
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const flags = [
      ...(heapCapMb > 0 ? [`--max-old-space-size=${heapCapMb}`] : []),
      ...(semiSpaceMb > 0 ? [`--max-semi-space-size=${semiSpaceMb}`, `--min-semi-space-size=${semiSpaceMb}`] : []),
    ]
    const child = spawn(process.execPath, [...flags, ...(process.env.GP_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.GP_CPU_PROF}`] : []), ...process.execArgv, process.argv[1]!, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? ''
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`import process exited with ${code}: ${output.slice(-2000)}`))
      resolve(JSON.parse(line) as ChildResult)
    })
  })
}

if (process.argv.includes('--child')) runCli(childMain)
else runCli(async () => {
  const database = await createThrowawayDatabase(serverUrl, databaseName)
  const handle = openDatabase({ kind: 'postgres', url: database.url })
  const db = handle.db
  const workDir = await mkdtemp(path.join(tmpdir(), 'gp-bench-import-'))
  try {
    console.log(`数据库 Database ${databaseName}: migrating and loading reference data…`)
    await migrateToLatest(db)
    await seedDemoData(db, path.resolve('seeds'), { activity: false })

    const brand = await db.selectFrom('brands').select('id').where('code', '=', 'sf').executeTakeFirstOrThrow()
    const districts = await db.selectFrom('regions').select('code').where('level', '=', 'district').orderBy('code').execute()
    const districtCodes = districts.map((d) => d.code)
    await sql`
      insert into outlets (code, brand_id, region_code, name_zh, name_en, opened_on)
      select 'SF-BENCH-' || lpad(n::text, 5, '0'), ${brand.id},
        (${districtCodes}::text[])[1 + n % ${districtCodes.length}],
        '顺丰基准测试网点 ' || n, 'SF bench outlet ' || n, date '2020-01-01'
      from generate_series(1, ${outletCount}) as n`.execute(db)
    const outlets = await db
      .selectFrom('outlets')
      .select(['id', 'code', 'region_code'])
      .where('code', 'like', 'SF-BENCH-%')
      .orderBy('code')
      .execute()
    const codes = outlets.map((o) => o.code)
    const days = Math.ceil(rowsWanted / outlets.length)
    const user = await db
      .selectFrom('users')
      .innerJoin('memberships', 'memberships.user_id', 'users.id')
      .select(['users.id', 'memberships.brand_id'])
      .where('users.username', '=', 'carrier.sf')
      .executeTakeFirstOrThrow()
    const viewer: Viewer = { userId: user.id, role: 'carrier_admin', outletId: null, brandId: user.brand_id, regionCode: null }

    const csvFile = path.join(workDir, 'shipment-stats.csv')
    const copyFile = path.join(workDir, 'shipment-stats.copy')
    let written = 0
    const header = '\uFEFF网点编码,日期,收寄件数,电子运单件数,纸质运单件数,电商快件数,电商快件原包装直发件数,可循环快递包装件数,箱装快件数,瘦身胶带或免胶带封装件数,总包袋数,循环中转袋数,数据质量\r\n'
    const csvBytes = await writeStream(
      csvFile,
      (function* () {
        yield header
        for (const r of generateRows(codes, days)) {
          if (written++ >= rowsWanted) return
          yield `${codes[r.outlet]},${r.date},${thousands(r.parcels)},${r.eWaybill},${r.paper},${r.ecommerce},${r.original},${r.recyclable},${r.box},${r.narrow},${r.bags},${r.recyclableBags},实测\r\n`
        }
      })(),
    )
    // The same rows in COPY text format, as the import writes them: owner columns resolved, the
    // uploader in created_by (a foreign key the import's rows are checked against too). The batch's
    // id, which an index covers, is the COPY table's default once the import has made the batch.
    written = 0
    const copyBytes = await writeStream(
      copyFile,
      (function* () {
        for (const r of generateRows(codes, days)) {
          if (written++ >= rowsWanted) return
          const o = outlets[r.outlet]!
          yield `${o.id}\t${brand.id}\t${o.region_code}\t${r.date}\t${r.parcels}\t${r.eWaybill}\t${r.paper}\t${r.ecommerce}\t${r.original}\t${r.recyclable}\t${r.box}\t${r.narrow}\t${r.bags}\t${r.recyclableBags}\tmeasured\tcsv\t${user.id}\n`
        }
      })(),
    )
    // The server reads the COPY file itself (COPY … FROM 'file'): let it in.
    await chmod(workDir, 0o755)
    await chmod(copyFile, 0o644)
    const rows = Math.min(rowsWanted, written)
    console.log(`文件 File: ${rows.toLocaleString('en-US')} rows, ${outlets.length} outlets × ${days} days, CSV ${mb(csvBytes)}, COPY format ${mb(copyBytes)}`)

    // ---- the import, through the app's service, in a process of its own ----
    // The import's backends end with its process: sample them while it runs.
    // Each timed write starts from a checkpoint: neither pays for the other's dirty pages and WAL.
    await sql`checkpoint`.execute(db)
    const pgCpuBefore = backendCpu(databaseName)
    const pgCpuSeen = new Map(pgCpuBefore)
    const pgSampler = setInterval(() => {
      for (const [pid, seconds] of backendCpu(databaseName)) pgCpuSeen.set(pid, seconds)
    }, 200)
    const child = await runChild([
      '--child',
      '--url',
      database.url,
      '--file',
      csvFile,
      '--user',
      String(viewer.userId),
      '--brand',
      String(viewer.brandId),
      '--work',
      workDir,
      ...(option('chunk', '') ? ['--chunk', option('chunk', '')] : []),
    ])
    clearInterval(pgSampler)
    let pgCpu = 0
    for (const [pid, seconds] of pgCpuSeen) pgCpu += seconds - (pgCpuBefore.get(pid) ?? 0)
    const { report, importSeconds, rssPeak, rssBefore, maxRssKb, batchId, cpuSeconds } = child
    if (!report.committed || report.accepted !== rows) {
      throw new Error(`import did not write every row: ${JSON.stringify({ committed: report.committed, accepted: report.accepted, rejected: report.rejected, errors: report.errors.slice(0, 3) })}`)
    }
    const [counted] = (await sql<{ rows: string; results: string }>`
      select (select count(*) from shipment_stats where import_batch_id = ${batchId}::bigint) as rows,
             (select count(*) from emission_results where record_type = 'shipment_stats') as results`.execute(db)).rows

    // ---- PostgreSQL's own COPY of the same rows into a fresh copy of the table ----
    await sql`create table bench_copy (like shipment_stats including all)`.execute(db)
    const { rows: foreignKeys } = await sql<{ definition: string }>`
      select pg_get_constraintdef(oid) as definition from pg_constraint
      where conrelid = 'shipment_stats'::regclass and contype = 'f'`.execute(db)
    for (const fk of foreignKeys) await sql.raw(`alter table bench_copy add ${fk.definition}`).execute(db)
    await sql`alter table bench_copy alter column import_batch_id set default ${sql.lit(Number(batchId))}`.execute(db)
    await sql`checkpoint`.execute(db)
    const copyStarted = performance.now()
    await sql.raw(
      `copy bench_copy (outlet_id, brand_id, region_code, stat_date, parcels, e_waybill_parcels, paper_waybill_parcels, ecommerce_parcels, ecommerce_original_parcels, recyclable_packaging_parcels, box_parcels, narrow_tape_box_parcels, transit_bags, recyclable_transit_bags, data_quality, source, created_by) from '${copyFile}'`,
    ).execute(db)
    const copySeconds = (performance.now() - copyStarted) / 1000

    const importRate = Math.round(rows / importSeconds)
    const copyRate = Math.round(rows / copySeconds)
    console.log('')
    console.log(`导入 Import (commitImport, one transaction): ${rows.toLocaleString('en-US')} rows in ${importSeconds.toFixed(1)} s = ${importRate.toLocaleString('en-US')} rows/s`)
    console.log(`  phases (s): ${Object.entries(report.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`)
    const perBackend = [...pgCpuSeen].map(([pid, seconds]) => seconds - (pgCpuBefore.get(pid) ?? 0)).filter((s) => s >= 0.5).sort((a, b) => b - a)
    console.log(`  CPU: import process ${cpuSeconds.toFixed(1)} s (its event loop busy ${(child.eventLoopBusy * 100).toFixed(0)}% of the time), ` +
      `PostgreSQL backends of the database ${pgCpu.toFixed(1)} s (by backend: ${perBackend.map((s) => s.toFixed(1)).join(', ')}; the two cores are shared by all)`)
    console.log(`  written ${Number(counted!.rows).toLocaleString('en-US')} rows and ${Number(counted!.results).toLocaleString('en-US')} emission results; rollups refreshed`)
    console.log(`  peak memory: RSS high-water (sampled every 25 ms) ${mb(rssPeak)} (before: ${mb(rssBefore)}); process maxRSS ${mb(maxRssKb * 1024)}; V8 heap cap ${heapCapMb > 0 ? `${heapCapMb} MB` : 'node default'}, young generation ${semiSpaceMb > 0 ? `${semiSpaceMb} MB semi-spaces` : 'node default'}`)
    console.log(`PostgreSQL COPY of the same rows into a fresh copy of shipment_stats (its indexes, checks and ${foreignKeys.length} foreign keys): ${copySeconds.toFixed(1)} s = ${copyRate.toLocaleString('en-US')} rows/s`)
    console.log(`Import rate / COPY rate = ${((importRate / copyRate) * 100).toFixed(0)}% (target ≥ 50%); peak memory target < 300 MB`)
  } finally {
    await handle.close()
    await rm(workDir, { recursive: true, force: true })
    if (!keep) await database.drop()
  }
})
