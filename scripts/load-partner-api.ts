// Load test of the partner API (POST /api/partner/v1/green-actions) with
// deliberate duplicates, then a check in SQL that the ledger holds exactly one
// award per unique (consumer, waybill, action) and that every balance equals
// the sum of its entries.
//
// Self-contained (default): needs a built app (`npm run build`) and a
// PostgreSQL server. It creates a throwaway database, migrates and seeds it,
// starts the built server on a free port against it (one process per core,
// or --workers), creates its own partner key, sends the requests, checks,
// stops the server and drops the database.
//   npx tsx scripts/load-partner-api.ts [--requests 10000] [--concurrency 32]
//     [--workers N] [--warmup 3000] [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--keep] [--profile DIR]
//
// Before measuring, --warmup N new awards (other waybills, the same 1,000
// consumers) are sent and the tables ANALYZEd, as autovacuum would have done by
// then: the app's prepared statements and the foreign-key checks' plans are
// otherwise made on the nearly empty tables of a new database and kept, so the
// measured phase would scan whole tables that have grown meanwhile (this
// machine's server runs without autovacuum, which would re-analyze them; see
// decision 086). --warmup 0 measures the cold database.
//
// Beside the signed requests' figures it prints, from the same run and the
// same client, a baseline: unsigned POSTs to the same route, answered 401
// before any database work (the ceiling of the HTTP stack and this client on
// this machine), and the load average before and after. For each phase it also
// prints the CPU time per request of the app's processes, of the database's
// backends and of this client (all on the same machine): on a shared machine
// CPU per request is steadier than requests per second. --profile DIR writes
// V8 CPU profiles of the app's processes (node --cpu-prof).
//
// Against an app you started yourself on real PostgreSQL (npm run build, then
// DATABASE_URL=… PARTNER_SECRET_SERVER_KEY=… PHONE_HASH_PEPPER=… npm run serve):
//   npx tsx scripts/load-partner-api.ts --app-url http://localhost:3000 \
//     --key-id gpk_… --secret gpsk_… --database-url postgres://…/that_database
// (a partner key made on /admin/partners with a rate limit above the load;
// the demo key allows only 20 requests per second).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { partnerActions } from '#app/domain/credits/actions.ts'
import { parseServerKey, signRequest } from '#app/domain/credits/signing.server.ts'
import { createPartnerWithKey } from '#app/services/partners.server.ts'
import { openDatabase, type DatabaseHandle } from '#db/client.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { seedDemoData } from '#seeds/load/demo.ts'
import { runCli } from './lib/cli.ts'
import { serveCommand } from './lib/serve-command.ts'
import { backendCpuSeconds } from './lib/pg-cpu.ts'
import { processTreeCpuSeconds } from './lib/process-cpu.ts'
import { mulberry32 } from '#app/utils/mulberry32.ts'
import { freePort } from './lib/free-port.ts'
import { createThrowawayDatabase, localServerUrl } from './lib/throwaway-database.ts'

const apiPath = '/api/partner/v1/green-actions'
const root = path.resolve(import.meta.dirname, '..')

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '32' },
    workers: { type: 'string' },
    baseline: { type: 'string', default: '5000' },
    warmup: { type: 'string', default: '3000' },
    'admin-url': { type: 'string', default: process.env.DATABASE_URL ?? localServerUrl },
    keep: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'app-url': { type: 'string' },
    'key-id': { type: 'string' },
    secret: { type: 'string' },
    'database-url': { type: 'string' },
  },
})

interface UniqueAction {
  index: number
  key: string
  body: string
}

type Send =
  | { kind: 'original'; action: UniqueAction }
  | { kind: 'retry'; action: UniqueAction; offset: number }
  | { kind: 'duplicate'; action: UniqueAction; key: string; body: string }

interface Outcome {
  kind: Send['kind'] | 'replay'
  status: number
  code: string
  replayed: boolean
  ms: number
}


async function startServer(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  // The app as `npm run serve` starts it (the built server under plain node, with its flags); --cpu-prof added for a profile.
  const serve = serveCommand(root)
  const child = opts.profile
    ? spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', path.resolve(opts.profile), ...serve.flags, serve.entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [...serve.flags, serve.entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start:\n${output}`)), 180_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(`http://localhost:${port}`)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the app exited with ${code}:\n${output}`))
    })
  })
  return child
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

runCli(async () => {
  const total = Number(opts.requests)
  const concurrency = Number(opts.concurrency)
  if (!Number.isInteger(total) || total < 100) throw new Error('--requests must be a whole number ≥ 100')
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 512) throw new Error('--concurrency must be 1 to 512')

  const external = opts['app-url'] !== undefined
  let baseUrl: string
  let keyId: string
  let secret: string
  let handle: DatabaseHandle
  let server: ChildProcess | undefined
  let databaseName: string
  let cleanup = async () => {}

  if (external) {
    if (!opts['key-id'] || !opts.secret || !opts['database-url']) throw new Error('--app-url needs --key-id, --secret and --database-url (the app’s database, for the check)')
    baseUrl = opts['app-url']!.replace(/\/$/, '')
    keyId = opts['key-id']!
    secret = opts.secret!
    handle = openDatabase({ kind: 'postgres', url: opts['database-url']!, maxConnections: 4 })
    databaseName = new URL(opts['database-url']!).pathname.slice(1)
    cleanup = () => handle.close()
  } else {
    if (!existsSync(path.join(root, 'build/server/index.js'))) throw new Error('No built app: run `npm run build` first.')
    const adminUrl = opts['admin-url']!
    const database = await createThrowawayDatabase(adminUrl, { prefix: 'gp_load_' })
    const dbName = database.name
    databaseName = dbName
    handle = openDatabase({ kind: 'postgres', url: database.url, maxConnections: 4 })
    cleanup = async () => {
      await handle.close()
      if (opts.keep) console.log(`Database kept: ${database.url}`)
      else await database.drop()
    }
    try {
      const started = performance.now()
      await migrateToLatest(handle.db)
      await seedDemoData(handle.db, path.join(root, 'seeds'))
      console.log(`Throwaway database ${dbName} migrated and seeded in ${Math.round(performance.now() - started)} ms`)

      const serverKeyHex = randomBytes(32).toString('hex')
      const pepper = randomBytes(32).toString('hex')
      keyId = `gpk_${randomBytes(12).toString('hex')}`
      secret = `gpsk_${randomBytes(32).toString('base64url')}`
      // A partner of its own, with a limit above the load: this measures the API, not the limiter's refusals.
      await createPartnerWithKey(handle.db, { serverKey: parseServerKey(serverKeyHex), phonePepper: pepper }, { name: `Load test ${dbName}`, ratePerSecond: '100000', burst: 100000, keyId, secret })

      const port = await freePort()
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        DATABASE_URL: database.url,
        PARTNER_SECRET_SERVER_KEY: serverKeyHex,
        PHONE_HASH_PEPPER: pepper,
        ...(opts.workers ? { WEB_CONCURRENCY: opts.workers } : {}),
      }
      server = await startServer(env, port)
      baseUrl = `http://127.0.0.1:${port}`
      const previous = cleanup
      cleanup = async () => {
        await new Promise<void>((resolve) => {
          server!.once('exit', () => resolve())
          server!.kill('SIGTERM')
        })
        await previous()
      }
    } catch (error) {
      await cleanup()
      throw error
    }
  }

  try {
    // --- the workload: 60% unique actions, 20% retries (same key, same body, signed again),
    // 18% duplicates (same consumer, waybill and action under a new key), 2% exact replays.
    const run = randomBytes(3).toString('hex').toUpperCase()
    const random = mulberry32(20261122)
    const uniqueCount = Math.round(total * 0.6)
    const retryCount = Math.round(total * 0.2)
    const replayCount = Math.round(total * 0.02)
    const duplicateCount = total - uniqueCount - retryCount - replayCount
    const consumers = 1000
    const occurredAt = new Date().toISOString()
    const unique: UniqueAction[] = Array.from({ length: uniqueCount }, (_, index) => {
      const phone = `158${String(index % consumers).padStart(8, '0')}`
      return {
        index,
        key: `load-${run}-${index}`,
        body: JSON.stringify({
          partnerOrderId: `LOAD-${run}-${index}`,
          waybillNo: `LT${run}${String(index).padStart(8, '0')}`,
          consumer: { phone },
          action: partnerActions[Math.floor(random() * partnerActions.length)],
          quantity: 1 + Math.floor(random() * 3),
          occurredAt,
        }),
      }
    })
    const sends: Send[] = unique.map((action) => ({ kind: 'original', action }))
    for (let i = 0; i < retryCount; i++) sends.push({ kind: 'retry', action: unique[Math.floor(random() * uniqueCount)]!, offset: 1 + (i % 250) })
    for (let i = 0; i < duplicateCount; i++) {
      const action = unique[Math.floor(random() * uniqueCount)]!
      const body = JSON.parse(action.body) as Record<string, unknown>
      body.partnerOrderId = `${body.partnerOrderId}-DUP${i}`
      sends.push({ kind: 'duplicate', action, key: `load-${run}-dup-${i}`, body: JSON.stringify(body) })
    }
    // Shuffled, so duplicates and retries race their originals.
    for (let i = sends.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[sends[i], sends[j]] = [sends[j]!, sends[i]!]
    }

    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
    const target = new URL(`${baseUrl}${apiPath}`)
    // node:http with a keep-alive agent: the client's own cost per request stays small beside the server's.
    const send = (headers: Record<string, string>, body: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const req = http.request(
          target,
          { method: 'POST', agent, headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } },
          (res) => {
            let text = ''
            res.setEncoding('utf8')
            res.on('data', (chunk: string) => (text += chunk))
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
            res.on('error', reject)
          },
        )
        req.on('error', reject)
        req.end(body)
      })

    const sentOriginals: { headers: Record<string, string>; body: string }[] = []
    const outcomes: Outcome[] = []
    const post = async (kind: Outcome['kind'], headers: Record<string, string>, body: string) => {
      const started = performance.now()
      try {
        const res = await send(headers, body)
        const json = JSON.parse(res.body) as { error?: { code: string } }
        outcomes.push({ kind, status: res.status, code: json.error?.code ?? '', replayed: res.headers['idempotent-replayed'] === 'true', ms: performance.now() - started })
      } catch (error) {
        outcomes.push({ kind, status: 0, code: error instanceof Error ? error.message : String(error), replayed: false, ms: performance.now() - started })
      }
    }
    const sign = (body: string, idempotencyKey: string, offset = 0) =>
      signRequest({ method: 'POST', path: apiPath, timestamp: Math.floor(Date.now() / 1000) - offset, body, keyId, secret, idempotencyKey }).headers

    const pool = async (items: Send[]) => {
      let next = 0
      const worker = async () => {
        while (next < items.length) {
          const item = items[next++]!
          if (item.kind === 'original') {
            const headers = sign(item.action.body, item.action.key)
            // The latest originals, so that their exact replays arrive within the signature's time tolerance even on a slow run.
            sentOriginals.push({ headers, body: item.action.body })
            if (sentOriginals.length > replayCount) sentOriginals.shift()
            await post('original', headers, item.action.body)
          } else if (item.kind === 'retry') {
            await post('retry', sign(item.action.body, item.action.key, item.offset), item.action.body)
          } else {
            await post('duplicate', sign(item.body, item.key), item.body)
          }
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
    }

    // CPU seconds so far of the app's processes (only when this script started them), the database's backends and this client.
    const cpuNow = () => ({
      app: server?.pid === undefined ? Number.NaN : processTreeCpuSeconds(server.pid),
      database: backendCpuSeconds(databaseName),
      client: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    })
    const cpuPerRequest = (before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>, requests: number, seconds: number) => {
      // The app's CPU is unknown when this script did not start it (--app-url).
      const ms = (a: number, b: number) => (Number.isNaN(a) ? 'n/a' : (((b - a) * 1000) / requests).toFixed(2))
      const share = (a: number, b: number) => (Number.isNaN(a) ? 'n/a' : `${Math.round(((b - a) / seconds) * 100)}%`)
      return `CPU per request: app ${ms(before.app, after.app)} ms, database ${ms(before.database, after.database)} ms, this client ${ms(before.client, after.client)} ms (of one core over the phase: app ${share(before.app, after.app)}, database ${share(before.database, after.database)}, client ${share(before.client, after.client)})`
    }

    // --- the warm-up: new awards on other waybills for the same consumers, then ANALYZE (see the header).
    const warmupCount = Number(opts.warmup)
    if (!Number.isInteger(warmupCount) || warmupCount < 0) throw new Error('--warmup must be a whole number ≥ 0')
    if (warmupCount > 0) {
      const warmStarted = performance.now()
      const warm: Send[] = Array.from({ length: warmupCount }, (_, index) => ({
        kind: 'original',
        action: {
          index,
          key: `warm-${run}-${index}`,
          body: JSON.stringify({
            partnerOrderId: `WARM-${run}-${index}`,
            waybillNo: `LW${run}${String(index).padStart(8, '0')}`,
            consumer: { phone: `158${String(index % consumers).padStart(8, '0')}` },
            action: partnerActions[index % partnerActions.length],
            quantity: 1,
            occurredAt,
          }),
        },
      }))
      await pool(warm)
      const failed = outcomes.filter((o) => o.status !== 201).length
      if (failed > 0) throw new Error(`warm-up: ${failed} of ${warmupCount} requests not answered 201`)
      outcomes.length = 0
      sentOriginals.length = 0
      await sql`analyze`.execute(handle.db)
      console.log(`Warm-up: ${warmupCount} new awards in ${((performance.now() - warmStarted) / 1000).toFixed(1)} s, then ANALYZE`)
    }

    // --- the baseline, same route, same client, same run: unsigned, refused 401 before any database work.
    const loadBefore = os.loadavg()
    const baselineCpu = cpuNow()
    const baselineCount = Number(opts.baseline)
    const baselineMs: number[] = []
    let baselineErrors = 0
    const baselineStarted = performance.now()
    let b = 0
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (b < baselineCount) {
          b++
          const t0 = performance.now()
          try {
            const res = await send({}, '{}')
            if (res.status !== 401) baselineErrors++
          } catch {
            baselineErrors++
          }
          baselineMs.push(performance.now() - t0)
        }
      }),
    )
    const baselineSeconds = (performance.now() - baselineStarted) / 1000
    const baselineCpuAfter = cpuNow()
    baselineMs.sort((x, y) => x - y)

    console.log(`Sending ${total} signed requests (${uniqueCount} unique actions for ${consumers} consumers, ${retryCount} retries, ${duplicateCount} duplicates under new keys, ${replayCount} exact replays) at concurrency ${concurrency} to ${baseUrl}`)
    const signedCpu = cpuNow()
    const started = performance.now()
    await pool(sends)
    // Exact replays: the very same signed request again.
    let r = 0
    await Promise.all(
      Array.from({ length: Math.min(concurrency, replayCount) }, async () => {
        while (r < sentOriginals.length) {
          const original = sentOriginals[r++]!
          await post('replay', original.headers, original.body)
        }
      }),
    )
    const seconds = (performance.now() - started) / 1000
    const signedCpuAfter = cpuNow()
    agent.destroy()

    // --- the check, in SQL ---
    const db = handle.db
    const prefix = `LT${run}%`
    const [actions, duplicateKeys, earnsNotOne, chainBreaks, balanceMismatch] = await Promise.all([
      sql<{ n: string }>`select count(*)::text as n from credit_actions where waybill_no like ${prefix}`.execute(db),
      sql<{ n: string }>`select count(*)::text as n from (select 1 from credit_actions where waybill_no like ${prefix} group by consumer_id, waybill_no, action having count(*) > 1) d`.execute(db),
      sql<{ n: string }>`select count(*)::text as n from credit_actions a
        where a.waybill_no like ${prefix}
          and (select count(*) from credit_ledger e where e.consumer_id = a.consumer_id and e.action_id = a.id and e.kind = 'earn') <> 1`.execute(db),
      sql<{ n: string }>`select count(*)::text as n from (
          select balance_after, sum(points) over (partition by consumer_id order by id) as running from credit_ledger
        ) x where balance_after <> running`.execute(db),
      sql<{ n: string }>`select count(*)::text as n from consumers c
        where coalesce((select balance_after from credit_ledger l where l.consumer_id = c.id order by l.id desc limit 1), 0)
           <> coalesce((select sum(points) from credit_ledger l where l.consumer_id = c.id), 0)`.execute(db),
    ])
    const n = (rows: { rows: { n: string }[] }) => Number(rows.rows[0]!.n)

    const tally = new Map<string, number>()
    for (const o of outcomes) {
      const label = `${o.kind} → ${o.status}${o.code ? ` ${o.code}` : ''}${o.replayed ? ' (stored answer)' : ''}`
      tally.set(label, (tally.get(label) ?? 0) + 1)
    }
    const fresh201 = outcomes.filter((o) => o.status === 201 && !o.replayed).length
    const unexpected = outcomes.filter(
      (o) => !(o.status === 201 || (o.status === 409 && (o.code === 'already_awarded' || o.code === 'request_replayed'))),
    ).length
    const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b)

    const loadAfter = os.loadavg()
    const signedRate = outcomes.length / seconds
    const baselineRate = baselineMs.length / baselineSeconds
    const ms = (sorted: number[]) =>
      `p50 ${percentile(sorted, 50).toFixed(1)}, p95 ${percentile(sorted, 95).toFixed(1)}, p99 ${percentile(sorted, 99).toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)} ms`
    const networkErrors = outcomes.filter((o) => o.status === 0).length
    console.log('')
    console.log(`Load average (1, 5, 15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(', ')}; after: ${loadAfter.map((x) => x.toFixed(2)).join(', ')} on ${os.availableParallelism()} cores`)
    console.log(`Signed POST ${apiPath}: ${outcomes.length} in ${seconds.toFixed(1)} s = ${signedRate.toFixed(0)} requests/second; ${ms(latencies)}; errors (5xx, network, unexpected): ${unexpected}`)
    console.log(`Baseline, unsigned POST → 401, same run: ${baselineMs.length} in ${baselineSeconds.toFixed(1)} s = ${baselineRate.toFixed(0)} requests/second; ${ms(baselineMs)}; not 401: ${baselineErrors}`)
    console.log(`  signed: ${cpuPerRequest(signedCpu, signedCpuAfter, outcomes.length, seconds)}`)
    console.log(`  baseline: ${cpuPerRequest(baselineCpu, baselineCpuAfter, baselineMs.length, baselineSeconds)}`)
    console.log(`Signed / baseline: ${(signedRate / baselineRate).toFixed(2)}×; goal 1,000 signed requests/second: ${signedRate >= 1000 ? 'met' : 'not met'} in this run`)
    if (networkErrors > 0) console.log(`Network errors: ${networkErrors}`)
    console.log('Answers:')
    for (const [label, count] of [...tally.entries()].sort()) console.log(`  ${String(count).padStart(6)}  ${label}`)
    const checks = [
      [`unique actions sent = awards stored (${uniqueCount})`, n(actions) === uniqueCount, n(actions)],
      [`new awards answered 201 = unique actions (${uniqueCount})`, fresh201 === uniqueCount, fresh201],
      ['(consumer, waybill, action) with more than one award', n(duplicateKeys) === 0, n(duplicateKeys)],
      ['awards without exactly one earn entry', n(earnsNotOne) === 0, n(earnsNotOne)],
      ['ledger entries whose balance_after ≠ running sum', n(chainBreaks) === 0, n(chainBreaks)],
      ['consumers whose balance ≠ sum of their entries', n(balanceMismatch) === 0, n(balanceMismatch)],
      ['answers other than 201 / already_awarded / request_replayed', unexpected === 0, unexpected],
    ] as const
    console.log('Ledger check:')
    for (const [label, ok, value] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${label}: ${value}`)
    const passed = checks.every(([, ok]) => ok)
    console.log(passed ? 'RESULT: PASS — one award per unique action; every balance equals the sum of its entries.' : 'RESULT: FAIL')
    if (!passed) process.exitCode = 1
  } finally {
    await cleanup()
  }
  if (process.exitCode === 1) throw new Error('ledger check failed')
})
