// The database's side of the partner API, without HTTP: the load script's
// workload (60% new awards, 20% retries, 18% duplicates under new keys, 2%
// exact replays) sent straight to handleGreenAction in this process, on a
// throwaway database, printing the database backends' CPU time per request
// and, with --statements, each statement's share (log of statement texts).
//
//   npx tsx scripts/bench-partner-db.ts [--requests 4000] [--concurrency 16]
//     [--history 20000] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
//     [--sql FILE] [--statements] [--keep]
//
// --history N writes N earlier awards (for the load's 1,000 consumers) and
// ANALYZEs before the run, so that plans are made on tables of a realistic
// size rather than on the nearly empty tables of a new database. --sql runs a
// file of SQL on the database before the run (to try a schema change).
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Kysely, sql } from 'kysely'
import postgres from 'postgres'
import { partnerActions } from '#app/domain/credits/actions.ts'
import { parseServerKey, signRequest } from '#app/domain/credits/signing.server.ts'
import { readCreditRuleFiles } from '#app/services/credit-files.server.ts'
import { syncCreditRuleSets } from '#app/services/credit-rules.server.ts'
import { factorSetForAwards } from '#app/services/credits.server.ts'
import { createPartnerWithKey, greenActionsPath, handleGreenAction } from '#app/services/partners.server.ts'
import { mulberry32 } from '#app/utils/mulberry32.ts'
import { migrateToLatest } from '#db/migrate.ts'
import { PreparedPostgresJSDialect } from '#db/postgres-dialect.ts'
import type { Database } from '#db/schema.ts'
import { seedDemoData } from '#seeds/load/demo.ts'
import { runCli } from './lib/cli.ts'
import { backendCpuSeconds } from './lib/pg-cpu.ts'
import { createThrowawayDatabase, localServerUrl } from './lib/throwaway-database.ts'

const root = path.resolve(import.meta.dirname, '..')
const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '16' },
    history: { type: 'string', default: '0' },
    'admin-url': { type: 'string', default: process.env.DATABASE_URL ?? localServerUrl },
    sql: { type: 'string' },
    statements: { type: 'boolean', default: false },
    plans: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
})

runCli(async () => {
  const total = Number(opts.requests)
  const concurrency = Number(opts.concurrency)
  const adminUrl = opts['admin-url']!
  const database = await createThrowawayDatabase(adminUrl, { prefix: 'gp_pbench_' })
  const dbName = database.name
  // Statement texts as sent (postgres.js debug hook), counted per text.
  const statementCounts = new Map<string, number>()
  let counting = false
  const open = () =>
    new Kysely<Database>({
      dialect: new PreparedPostgresJSDialect(
        postgres(database.url, {
          max: concurrency + 2,
          onnotice: () => {},
          types: { date: { to: 1082, from: [1082], serialize: (v: string) => v, parse: (v: string) => v } },
          debug: (_connection, query) => {
            if (counting) statementCounts.set(query, (statementCounts.get(query) ?? 0) + 1)
          },
        }),
      ),
    })
  let db = open()
  try {
    await migrateToLatest(db)
    await seedDemoData(db, path.join(root, 'seeds'))
    const synced = await syncCreditRuleSets(db, await readCreditRuleFiles(path.join(root, 'factors', 'credit-rules')))
    if (synced.errors.length > 0) throw new Error(JSON.stringify(synced.errors))
    const keys = { serverKey: parseServerKey(randomBytes(32).toString('hex')), phonePepper: randomBytes(32).toString('hex') }
    const keyId = `gpk_${randomBytes(12).toString('hex')}`
    const secret = `gpsk_${randomBytes(32).toString('base64url')}`
    await createPartnerWithKey(db, keys, { name: `Bench ${dbName}`, ratePerSecond: '100000', burst: 100000, keyId, secret })
    const ctx = { db, factorSet: await factorSetForAwards(db), keys }

    const random = mulberry32(20261122)
    const consumers = 1000
    const occurredAt = new Date().toISOString()
    const bodyFor = (run: string, index: number) =>
      JSON.stringify({
        partnerOrderId: `B-${run}-${index}`,
        waybillNo: `BT${run}${String(index).padStart(8, '0')}`,
        consumer: { phone: `158${String(index % consumers).padStart(8, '0')}` },
        action: partnerActions[Math.floor(random() * partnerActions.length)],
        quantity: 1 + Math.floor(random() * 3),
        occurredAt,
      })
    const call = (body: string, idempotencyKey: string, offset = 0) => {
      const signed = signRequest({ method: 'POST', path: greenActionsPath, timestamp: Math.floor(Date.now() / 1000) - offset, body, keyId, secret, idempotencyKey })
      return handleGreenAction(ctx, { method: 'POST', path: greenActionsPath, headers: new Headers(signed.headers), body: new TextEncoder().encode(body) }, new Date())
    }
    const pool = async (count: number, work: (i: number) => Promise<unknown>) => {
      let next = 0
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < count) await work(next++)
      }))
    }

    const history = Number(opts.history)
    if (history > 0) {
      const started = performance.now()
      await pool(history, (i) => call(bodyFor('HIST', i), `hist-${i}`))
      await sql`analyze`.execute(db)
      console.log(`History: ${history} awards in ${Math.round(performance.now() - started)} ms, then ANALYZE`)
    }
    if (opts.sql) {
      await sql.raw(readFileSync(opts.sql, 'utf8')).execute(db)
      console.log(`Ran ${opts.sql}`)
    }
    // The run's connections are new, so their plans are made on the database as it is now.
    await db.destroy()
    db = open()
    ctx.db = db
    const run = randomBytes(3).toString('hex').toUpperCase()
    const unique = Array.from({ length: Math.round(total * 0.6) }, (_, i) => ({ key: `${run}-${i}`, body: bodyFor(run, i) }))
    const sends: (() => Promise<unknown>)[] = unique.map((u) => () => call(u.body, u.key))
    for (let i = 0; i < Math.round(total * 0.2); i++) {
      const u = unique[Math.floor(random() * unique.length)]!
      sends.push(() => call(u.body, u.key, 1 + (i % 250)))
    }
    for (let i = sends.length; i < total; i++) {
      const u = unique[Math.floor(random() * unique.length)]!
      const body = JSON.parse(u.body) as Record<string, unknown>
      body.partnerOrderId = `${body.partnerOrderId}-DUP${i}`
      const text = JSON.stringify(body)
      sends.push(() => call(text, `${run}-dup-${i}`))
    }
    for (let i = sends.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[sends[i], sends[j]] = [sends[j]!, sends[i]!]
    }

    const statuses = new Map<number, number>()
    const load = os.loadavg()
    counting = true
    const dbBefore = backendCpuSeconds(dbName)
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    await pool(sends.length, async (i) => {
      const answer = await sends[i]!()
      const status = (answer as { status: number }).status
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    })
    const seconds = (performance.now() - started) / 1000
    const dbCpu = backendCpuSeconds(dbName) - dbBefore
    const cpu = process.cpuUsage(cpuBefore)
    counting = false
    console.log(`Load average before: ${load.map((x) => x.toFixed(2)).join(', ')}; after: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`)
    console.log(`${sends.length} requests at concurrency ${concurrency} in ${seconds.toFixed(1)} s (${(sends.length / seconds).toFixed(0)}/s); answers ${JSON.stringify(Object.fromEntries(statuses))}`)
    console.log(`CPU per request: database ${((dbCpu * 1000) / sends.length).toFixed(3)} ms, this process ${((cpu.user + cpu.system) / 1000 / sends.length).toFixed(3)} ms`)
    if (opts.statements) {
      console.log('Statements per request:')
      for (const [text, n] of [...statementCounts.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${(n / sends.length).toFixed(3)}  ${text.replace(/\s+/g, " ")}`)
    }
    if (opts.plans) {
      // One connection's prepared statements: how often each was planned afresh (custom) or ran its generic plan.
      const rows = await sql<{ statement: string; generic_plans: string; custom_plans: string }>`select statement, generic_plans, custom_plans from pg_prepared_statements order by custom_plans desc`.execute(db)
      console.log('Prepared statements of one connection (generic plans, custom plans):')
      for (const r of rows.rows) console.log(`  ${r.generic_plans} ${r.custom_plans}  ${r.statement.replace(/\s+/g, ' ').slice(0, 160)}`)
    }
  } finally {
    await db.destroy().catch(() => {})
    if (opts.keep) console.log(`Database kept: ${database.url}`)
    else await database.drop()
  }
})
