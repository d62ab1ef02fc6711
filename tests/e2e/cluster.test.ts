import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createThrowawayDatabase, localServerUrl, type ThrowawayDatabase } from '../../scripts/lib/throwaway-database.ts'
import { startApp, type RunningApp } from './support/app.ts'

// `npm start` on PostgreSQL: one process per core under a supervisor that
// replaces a worker that dies (app/utils/supervisor.server.ts). Needs the PostgreSQL server CI
// starts (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres).

let database: ThrowawayDatabase | undefined
let app: RunningApp | undefined

beforeAll(async () => {
  database = await createThrowawayDatabase(process.env.DATABASE_URL ?? localServerUrl, { prefix: 'gp_cluster_' })
  app = await startApp({
    DATABASE_URL: database.url,
    WEB_CONCURRENCY: '2',
    PARTNER_SECRET_SERVER_KEY: randomBytes(32).toString('hex'),
    PHONE_HASH_PEPPER: randomBytes(32).toString('hex'),
  })
})

afterAll(async () => {
  await app?.stop()
  await database?.drop()
})

/** One GET of the sign-in page, read to the end (an unread body would hold its connection). */
async function getLogin(): Promise<number> {
  const response = await fetch(`${app!.url}/login`, { signal: AbortSignal.timeout(15_000) })
  await response.arrayBuffer()
  return response.status
}

const workerPids = (output: string) => [...output.matchAll(/Worker (\d+) listening/g)].map((m) => Number(m[1]))

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${app!.output()}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('npm start on PostgreSQL', () => {
  it('runs two workers, replaces one that is killed, and keeps answering meanwhile', async () => {
    const pids = await waitFor('two workers', () => {
      const seen = workerPids(app!.output())
      return seen.length >= 2 ? seen : undefined
    })
    expect(new Set(pids).size).toBe(2)
    expect(app!.output()).toContain('进程 Processes: 2')

    const victim = pids[0]!
    process.kill(victim, 'SIGKILL')
    // Until the supervisor has seen the exit, node's cluster may still hand a new
    // connection to the dead worker, and that connection is lost (a limit of the
    // round-robin hand-off, not of the app); from then on the survivor takes them all.
    await waitFor('the supervisor to see the exit', () => (app!.output().includes(`Worker ${victim} exited`) ? true : undefined))

    // The surviving worker answers at once, while the replacement boots.
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) statuses.push(await getLogin())
    expect(statuses).toEqual(Array(20).fill(200))

    const replacement = await waitFor('a replacement worker', () => workerPids(app!.output()).find((pid) => !pids.includes(pid)))
    expect(app!.output()).toContain(`Worker ${victim} exited (SIGKILL); starting a replacement.`)
    expect(() => process.kill(victim, 0)).toThrow()
    expect(() => process.kill(replacement, 0)).not.toThrow()

    // Both processes answer again: enough requests that the round-robin reaches each.
    const after = await Promise.all(Array.from({ length: 20 }, getLogin))
    expect(after).toEqual(Array(20).fill(200))
  })
})
