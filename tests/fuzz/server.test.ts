import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRequest } from '#app/domain/credits/signing.server.ts'
import { openDatabase } from '#db/client.ts'
import { demoPassword, startApp, type RunningApp } from '../e2e/support/app.ts'
import { fuzzClient, pool, type FuzzAnswer, type FuzzRequest } from './client.ts'
import { csvCase, formCase, oversizedCases, partnerCase, urlCase, type FuzzCase, type Kind, type PartnerKey, type Session } from './inputs.ts'

// Issue 14, point 9: thousands of malformed requests against the built
// server, from a fixed seed. No answer may be a 5xx, the process must be
// alive at the end, and no refused CSV batch may have written a row.
const seed = Number(process.env.FUZZ_SEED ?? 20261207)
const concurrency = 16
// FUZZ_SCALE below 1 is for trying the suite out; CI runs it whole.
const scale = Math.min(1, Number(process.env.FUZZ_SCALE ?? 1))
const runs: Record<Kind, number> = { form: 6_000 * scale, csv: 1_500 * scale, partner: 2_000 * scale, url: 1_000 * scale }

const factTables = ['shipment_stats', 'packaging_consumption', 'recovery_bins', 'recovery_collections', 'reusable_assets', 'vehicles', 'vehicle_use', 'facility_electricity'] as const

let app: RunningApp
// FUZZ_DATA_DIR: an embedded database already loaded with the demo data, to skip the seeding at boot (it is written to, then removed).
const dataDir = process.env.FUZZ_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'gp-fuzz-'))
const cookies: Record<Session, string> = { anonymous: '', outlet: '', consumer: '', admin: '' }
let client: ReturnType<typeof fuzzClient>
let stopped = false
let forwardedFor = 0

/** A client address of its own for each request: the sign-in and claim limits count by address, and must not stop the suite at its first requests. */
function nextAddress(): string {
  forwardedFor++
  return `10.${(forwardedFor >> 16) & 255}.${(forwardedFor >> 8) & 255}.${forwardedFor & 255}`
}

async function signIn(username: string): Promise<string> {
  const answer = await client.send({
    method: 'POST',
    path: '/login',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': nextAddress() },
    body: Buffer.from(new URLSearchParams({ username, password: demoPassword }).toString()),
  })
  if (!answer.ok) throw new Error(`sign-in of ${username}: ${answer.error}`)
  const setCookie = answer.headers['set-cookie'] ?? []
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ')
  if (!cookie) throw new Error(`sign-in of ${username} set no cookie (status ${answer.status})`)
  return cookie
}

/** A partner key with a rate limit the suite cannot exhaust, made through the admin page; the demo key if that fails. */
async function fuzzPartnerKey(): Promise<PartnerKey> {
  const answer = await client.send({
    method: 'POST',
    path: '/admin/partners',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookies.admin },
    body: Buffer.from(new URLSearchParams({ intent: 'create', name: 'Fuzz shop', ratePerSecond: '10000', burst: '100000' }).toString()),
  })
  const keyId = answer.ok ? /gpk_[0-9a-f]{24}/.exec(answer.body)?.[0] : undefined
  const secret = answer.ok ? /gpsk_[A-Za-z0-9_-]{20,}/.exec(answer.body)?.[0] : undefined
  if (keyId && secret) return { keyId, secret }
  return { keyId: 'gpk_de00000000000000000000de', secret: 'gpsk_DEMO-ONLY-not-a-secret-GreenParcel-2026' }
}

const sign: Parameters<typeof partnerCase>[1] = ({ method, path: target, body, key, timestamp, idempotencyKey }) =>
  signRequest({ method, path: target, body, timestamp, keyId: key.keyId, secret: key.secret, idempotencyKey }).headers

let started: Date

/** Resident memory of the server under test, in bytes: the processes whose environment names this suite's data folder. */
function serverRssBytes(): number {
  let total = 0
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`DATA_DIR=${dataDir}`)) continue
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]
      // tsx runs the server in a child of its own; the larger of the two is the server.
      total = Math.max(total, Number(kb ?? 0) * 1024)
    } catch {
      // gone, or not ours
    }
  }
  return total
}

beforeAll(async () => {
  app = await startApp({ TRUST_PROXY: '1', DATA_DIR: dataDir })
  client = fuzzClient(app.url, concurrency)
  cookies.outlet = await signIn('outlet.sf')
  cookies.consumer = await signIn('consumer.demo')
  cookies.admin = await signIn('admin')
  started = new Date()
})

afterAll(async () => {
  client?.close()
  if (!stopped) await app?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

interface Outcome {
  fuzz: FuzzCase
  answer: FuzzAnswer
}

describe('fuzz: malformed requests against the built server', () => {
  const outcomes: Outcome[] = []

  it(`sends ${Object.values(runs).reduce((a, b) => a + b, 0)} malformed inputs and gets no 5xx`, async () => {
    const key = await fuzzPartnerKey()
    const cases: FuzzCase[] = [
      ...fc.sample(formCase, { seed, numRuns: runs.form }),
      ...fc.sample(csvCase, { seed: seed + 1, numRuns: runs.csv }),
      ...fc.sample(partnerCase(key, sign), { seed: seed + 2, numRuns: runs.partner }),
      ...fc.sample(urlCase, { seed: seed + 3, numRuns: runs.url }),
      ...oversizedCases(),
    ]
    // Interleaved, so that uploads, forms and API calls meet each other in the server.
    const order = fc.sample(fc.shuffledSubarray(cases.map((_, i) => i), { minLength: cases.length }), { seed: seed + 4, numRuns: 1 })[0]!
    const t0 = performance.now()
    await pool(order, concurrency, async (index) => {
      const fuzz = cases[index]!
      const headers: Record<string, string> = { ...fuzz.request.headers, 'X-Forwarded-For': nextAddress() }
      if (cookies[fuzz.session]) headers.Cookie = cookies[fuzz.session]
      const answer = await client.send({ ...fuzz.request, headers })
      outcomes.push({ fuzz, answer })
    })
    const seconds = (performance.now() - t0) / 1000

    const byKind = new Map<string, { tried: number; statuses: Map<number | string, number> }>()
    for (const { fuzz, answer } of outcomes) {
      const entry = byKind.get(fuzz.kind) ?? { tried: 0, statuses: new Map() }
      entry.tried++
      const status = answer.ok ? answer.status : 'no answer'
      entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1)
      byKind.set(fuzz.kind, entry)
    }
    const lines = [...byKind].map(([kind, { tried, statuses }]) => `  ${kind.padEnd(8)} ${String(tried).padStart(6)} tried   ${[...statuses].sort().map(([s, n]) => `${s}:${n}`).join(' ')}`)
    console.log(`fuzz (seed ${seed}): ${outcomes.length} inputs in ${seconds.toFixed(0)} s, ${concurrency} in flight\n${lines.join('\n')}`)

    const describeCase = ({ fuzz, answer }: Outcome) => {
      const body = fuzz.request.body
      const bytes = Buffer.isBuffer(body) ? body : Array.isArray(body) ? Buffer.concat(body) : Buffer.alloc(0)
      return `${fuzz.kind} ${fuzz.target}: ${fuzz.request.method} ${fuzz.request.path.slice(0, 200)} ${JSON.stringify(fuzz.request.headers)} ${JSON.stringify(bytes.subarray(0, 300).toString('latin1'))} → ${answer.ok ? `${answer.status} ${answer.body.slice(0, 200)}` : answer.error}`
    }
    const serverErrors = outcomes.filter((o) => o.answer.ok && o.answer.status >= 500)
    expect(serverErrors.slice(0, 10).map(describeCase), `${serverErrors.length} answers ≥ 500\n${app.output().slice(-3000)}`).toEqual([])
    // Only a body past its bound may go unanswered (the server stops reading it and closes).
    const unanswered = outcomes.filter((o) => !o.answer.ok && !o.fuzz.oversized)
    expect(unanswered.slice(0, 10).map(describeCase)).toEqual([])
    // A body past its bound that was answered was answered 413 (or refused before its body mattered).
    for (const o of outcomes.filter((o) => o.fuzz.oversized && o.answer.ok)) {
      expect([400, 401, 403, 413, 429], describeCase(o)).toContain(o.answer.ok ? o.answer.status : 0)
    }
    if (scale === 1) expect(outcomes.length).toBeGreaterThanOrEqual(10_000)
  })

  /** Sends one body and watches the server's memory while it is refused: the growth at its peak, in bytes, and the answer. */
  async function watchMemory(request: FuzzRequest, session: Session): Promise<{ growth: number; answer: FuzzAnswer }> {
    const headers: Record<string, string> = { ...request.headers, 'X-Forwarded-For': nextAddress() }
    if (cookies[session]) headers.Cookie = cookies[session]
    const before = serverRssBytes()
    expect(before).toBeGreaterThan(0)
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, serverRssBytes())), 25)
    const answer = await client.send({ ...request, headers })
    clearInterval(sampler)
    peak = Math.max(peak, serverRssBytes())
    return { growth: peak - before, answer }
  }

  const chunk = Buffer.alloc(256 * 1024, 0x61)
  const chunkedMegabytes = (mb: number) => Array.from({ length: mb * 4 }, () => chunk)
  const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`

  it('refuses 64 MB chunked bodies to forms and the footprint API with the process staying within its bound', async () => {
    const targets = [
      { path: '/login', session: 'anonymous', type: 'application/x-www-form-urlencoded' },
      { path: '/counter', session: 'outlet', type: 'application/x-www-form-urlencoded' },
      { path: '/claim', session: 'anonymous', type: 'multipart/form-data; boundary=b' },
      { path: '/api/partner/v1/footprints', session: 'anonymous', type: 'application/json' },
    ] as const
    for (const target of targets) {
      const { growth, answer } = await watchMemory({ method: 'POST', path: target.path, headers: { 'Content-Type': target.type }, body: chunkedMegabytes(64) }, target.session)
      console.log(`fuzz: 64 MB chunked to ${target.path}: ${answer.ok ? answer.status : answer.error}, server memory grew ${mb(growth)} at most`)
      // 413, or the connection closed once the server stopped reading
      if (answer.ok) expect(answer.status, target.path).toBe(413)
      // Bounded at the entry point's limit; what follows is dropped by the lingering close, never kept.
      expect(growth, target.path).toBeLessThan(32 * 1024 * 1024)
    }
  })

  it('refuses a 64 MB chunked body to the green-actions API with the process staying within its bound', async () => {
    const { growth, answer } = await watchMemory({ method: 'POST', path: '/api/partner/v1/green-actions', headers: { 'Content-Type': 'application/json' }, body: chunkedMegabytes(64) }, 'anonymous')
    console.log(`fuzz: 64 MB chunked to /api/partner/v1/green-actions: ${answer.ok ? answer.status : answer.error}, server memory grew ${mb(growth)} at most`)
    if (answer.ok) expect(answer.status).toBe(413)
    expect(growth).toBeLessThan(32 * 1024 * 1024)
  })

  it('refuses a CSV upload past 200 MB, chunked, with the process staying within its bound', async () => {
    const boundary = 'fuzz-oversized'
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="recordType"\r\n\r\nshipment_stats\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\nOutlet code,Date\r\n`)
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
    const { growth, answer } = await watchMemory(
      { method: 'POST', path: '/imports/upload', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: [head, ...chunkedMegabytes(204), tail] },
      'outlet',
    )
    console.log(`fuzz: 204 MB upload: ${answer.ok ? `${answer.status} ${answer.body.slice(0, 120)}` : answer.error}, server memory grew ${mb(growth)} at most`)
    if (answer.ok) expect([400, 413]).toContain(answer.status)
    // The upload path's bound, the same as tests/e2e/imports-oversized.test.ts holds it to: a streamed
    // body leaves freed chunks outside V8's heap until a collection (decisions 076 and 078), while a
    // body held whole would add its full size.
    expect(growth).toBeLessThan(64 * 1024 * 1024)
    const alive = await client.send({ method: 'GET', path: '/login', headers: {}, body: null })
    expect(alive.ok && alive.status).toBe(200)
  })

  it('leaves the server alive and answering', async () => {
    const answer = await client.send({ method: 'GET', path: '/login', headers: {}, body: null })
    expect(answer.ok && answer.status).toBe(200)
    const signedIn = await client.send({ method: 'GET', path: '/outlet', headers: { Cookie: cookies.outlet }, body: null })
    expect(signedIn.ok && signedIn.status).toBe(200)
  })

  it('no refused or uncommitted CSV batch wrote a row', async () => {
    stopped = true
    await app.stop()
    const handle = openDatabase({ kind: 'pglite', dataDir })
    try {
      const batches = await handle.db.selectFrom('import_batches').select(['id', 'committed_at']).where('created_at', '>=', started).execute()
      const ids = batches.map((b) => b.id)
      const csvAnswers = outcomes.filter((o) => o.fuzz.kind === 'csv')
      const accepted = csvAnswers.filter((o) => o.answer.ok && o.answer.status < 400).length
      console.log(`fuzz: ${csvAnswers.length} uploads, ${accepted} taken as batches, ${ids.length} batches recorded, ${batches.filter((b) => b.committed_at !== null).length} committed`)
      expect(batches.filter((b) => b.committed_at !== null)).toEqual([])
      for (const table of factTables) {
        const rows = ids.length === 0 ? 0 : Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where import_batch_id = any(${ids}::bigint[])`.execute(handle.db)).rows[0]!.n)
        expect(rows, table).toBe(0)
      }
    } finally {
      await handle.close()
    }
  })
})
