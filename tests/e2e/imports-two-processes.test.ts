import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createThrowawayDatabase, localServerUrl, type ThrowawayDatabase } from '../../scripts/lib/throwaway-database.ts'
import { demoPassword, startApp, type RunningApp } from './support/app.ts'

// Issue 15: two app processes on one PostgreSQL database serve one user's
// upload, its progress and its commit, whichever process answers each request.
// The upload goes to A, its progress is read from B, the commit is asked of B
// and its outcome read from A. Needs the PostgreSQL server CI starts.

let database: ThrowawayDatabase | undefined
const apps: RunningApp[] = []

beforeAll(async () => {
  database = await createThrowawayDatabase(process.env.DATABASE_URL ?? localServerUrl, { prefix: 'gp_jobs_' })
  const seeded = spawnSync(path.resolve('node_modules/.bin/tsx'), ['scripts/seed.ts', '--yes'], { env: { ...process.env, DATABASE_URL: database.url }, encoding: 'utf8' })
  if (seeded.status !== 0) throw new Error(`seed failed:\n${seeded.stdout}\n${seeded.stderr}`)
  const env = {
    DATABASE_URL: database.url,
    WEB_CONCURRENCY: '1',
    PARTNER_SECRET_SERVER_KEY: randomBytes(32).toString('hex'),
    PHONE_HASH_PEPPER: randomBytes(32).toString('hex'),
  }
  // One after the other: each migrates at boot.
  apps.push(await startApp(env))
  apps.push(await startApp(env))
}, 300_000)

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()))
  await database?.drop()
})

async function signIn(app: RunningApp, username: string): Promise<string> {
  const response = await fetch(`${app.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: app.url },
    body: `username=${username}&password=${demoPassword}`,
    redirect: 'manual',
  })
  const cookie = response.headers.get('set-cookie')
  if (!cookie) throw new Error(`no session for ${username}: ${response.status}`)
  return cookie.split(';')[0]!
}

interface Seen {
  status: string
  share: number
}

/** The batch's page as one process serves it: its status and the progress bar's share. */
async function pageOf(app: RunningApp, cookie: string, id: string): Promise<Seen> {
  const response = await fetch(`${app.url}/imports/${id}`, { headers: { Cookie: cookie } })
  expect(response.status).toBe(200)
  const html = await response.text()
  const status = /data-testid="import-detail" data-status="(\w+)"/.exec(html)?.[1] ?? '?'
  const share = Number(/<progress max="1" value="([\d.e-]+)"/.exec(html)?.[1] ?? 0)
  return { status, share }
}

async function until(app: RunningApp, cookie: string, id: string, done: (s: Seen) => boolean, seen: Seen[]): Promise<Seen> {
  const deadline = Date.now() + 120_000
  for (;;) {
    const s = await pageOf(app, cookie, id)
    seen.push(s)
    if (done(s)) return s
    if (Date.now() > deadline) throw new Error(`timed out; seen ${JSON.stringify(seen.slice(-5))}\n${app.output()}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

describe('two app processes on one PostgreSQL database', () => {
  it('serve one upload, its progress and its commit, whichever process answers', async () => {
    const [a, b] = apps as [RunningApp, RunningApp]
    const cookie = await signIn(a, 'carrier.sf')
    const outlets = ['SF-410105-01', 'SF-410102-01', 'SF-410104-01', 'SF-410611-01', 'SF-411002-01', 'SF-530102-01', 'SF-530402-01', 'SF-150102-01', 'SF-330602-01']
    const lines = ['outletCode,date,parcels,eWaybillParcels,paperWaybillParcels,dataQuality']
    let valid = 0
    for (const outlet of outlets) {
      for (let day = new Date('2021-01-01T00:00:00Z'); day < new Date('2023-01-01T00:00:00Z'); day = new Date(day.getTime() + 86_400_000)) {
        lines.push(`${outlet},${day.toISOString().slice(0, 10)},100,98,2,measured`)
        valid++
      }
    }
    // Rows of an outlet of another brand, refused one by one: they make the check long enough to watch.
    for (let i = 0; i < 80_000; i++) lines.push(`ZTO-410105-01,2022-01-01,100,98,2,measured`)
    const form = new FormData()
    form.set('recordType', 'shipment_stats')
    form.set('file', new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }), 'two-processes.csv')
    const uploaded = await fetch(`${a.url}/imports/upload`, { method: 'POST', headers: { Cookie: cookie, Origin: a.url }, body: form })
    expect(uploaded.status).toBe(200)
    const { redirectTo } = (await uploaded.json()) as { redirectTo: string }
    const id = redirectTo.split('/').pop()!

    const seenOnB: Seen[] = []
    await until(b, cookie, id, (s) => s.status === 'validated', seenOnB)
    // B served the upload's progress while A's worker (or its own) checked the file.
    expect(seenOnB.some((s) => s.status === 'uploaded' || s.status === 'validating')).toBe(true)
    // How many mid-check readings B gets depends on the machine's speed; those it gets only grow.
    const shares = seenOnB.filter((s) => s.status === 'validating').map((s) => s.share)
    expect(shares.every((share, i) => share >= 0 && share <= 1 && (i === 0 || share >= shares[i - 1]!))).toBe(true)

    const commit = await fetch(`${b.url}/imports/${id}`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: b.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'intent=commit&reason=',
      redirect: 'manual',
    })
    expect([302, 303, 204]).toContain(commit.status)
    await until(a, cookie, id, (s) => s.status === 'committed', [])
    expect((await pageOf(b, cookie, id)).status).toBe('committed')

    const sql = postgres(database!.url, { max: 1, onnotice: () => {} })
    try {
      const [rows] = await sql<{ n: number }[]>`select count(*)::int as n from shipment_stats where import_batch_id = ${id}`
      expect(rows!.n).toBe(valid)
      const jobs = await sql<{ kind: string; state: string }[]>`select kind, state from import_jobs where batch_id = ${id} order by id`
      expect(jobs.map((j) => `${j.kind}:${j.state}`)).toEqual(['preview:done', 'commit:done'])
    } finally {
      await sql.end()
    }
  }, 300_000)
})
